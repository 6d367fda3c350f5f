from apps.core.errors import DomainError


class TenantError(DomainError):
    """A mistake about a company (bad subdomain, taken name, wrong state…)."""
