from apps.core.errors import DomainError


class PurchasingError(DomainError):
    """A purchasing action a user asked for that cannot be done; the message says why."""
