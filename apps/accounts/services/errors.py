class AccountError(Exception):
    """A mistake a user can make about accounts (last owner, bad invitation...)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
