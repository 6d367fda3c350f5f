from apps.core.errors import DomainError


class CatalogError(DomainError):
    """A mistake about the catalog (taken SKU, bad barcode, category loop…)."""
