from apps.core.errors import DomainError


class SalesError(DomainError):
    """A sales action a user asked for that cannot be done; the message says why."""
