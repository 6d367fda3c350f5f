from apps.core.errors import DomainError


class AccountError(DomainError):
    """A mistake about people and access (last owner, unusable invitation…)."""
