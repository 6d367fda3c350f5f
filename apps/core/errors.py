class DomainError(Exception):
    """A mistake a user can make, said in words. Each app subclasses it once
    (TenantError, AccountError, CatalogError, InventoryError); views turn it into a
    form error or a message. ``field`` names the form field it belongs to, if any."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
