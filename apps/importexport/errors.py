from apps.core.errors import DomainError


class ImportExportError(DomainError):
    """A file or an import a user gave us that cannot be used; the message says why."""
