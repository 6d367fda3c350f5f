from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API's plumbing: authentication, errors, paging, throttling, idempotency, docs.
    Each app's endpoints live in its own ``api.py``; ``apps/api/urls.py`` collects them."""

    name = "apps.api"
    label = "api"
    verbose_name = "API"

    def ready(self):
        from apps.api import schema  # noqa: F401 - registers the OpenAPI auth extensions
        from apps.api.webhooks import stock_events  # noqa: F401 - listens to ledger postings
