class TenantError(Exception):
    """A mistake a user can make about a company (bad subdomain, taken name...).

    ``field`` names the form field the message belongs to, when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
