from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Report definitions, each rendered as a page, CSV, XLSX and PDF."""

    name = "apps.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self):
        from apps.reports import definitions  # noqa: F401 - registers every report
