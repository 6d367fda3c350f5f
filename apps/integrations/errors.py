from apps.core.errors import DomainError


class IntegrationError(DomainError):
    """Something about a connection that a person can act on; the message says what."""


class ApiError(IntegrationError):
    """The channel's API refused or failed a call (after the retries the client makes)."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


class AuthFailed(ApiError):
    """The channel no longer accepts our credentials: reconnect."""


class BadSignature(Exception):
    """A webhook whose signature does not check out (never shown to the sender)."""
