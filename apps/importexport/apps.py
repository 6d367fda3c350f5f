from django.apps import AppConfig


class ImportExportConfig(AppConfig):
    """CSV/XLSX imports (upload → preview → confirm) and exports of catalog and stock data."""

    name = "apps.importexport"
    label = "importexport"
    verbose_name = "Import and export"
