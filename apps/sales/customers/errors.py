from apps.core.errors import DomainError


class CustomerError(DomainError):
    """A change to a customer (or its contacts, addresses, log, price tiers) that cannot be
    made; the message says why and ``field`` names the form field it belongs to."""


class DuplicateCustomer(CustomerError):
    """Another customer already has this email or phone. The user may look at ``matches``
    and confirm "create anyway" (``allow_duplicate=True``)."""

    def __init__(self, message: str, *, matches: list):
        super().__init__(message)
        self.matches = matches
