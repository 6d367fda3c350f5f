from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "apps.integrations"
    label = "integrations"
    verbose_name = "Integrations"

    def ready(self):
        # Ledger postings push stock to the channels (see stock_push.py); returns with a
        # refund are refunded by card through Stripe (stripe_payments.py).
        from apps.integrations import stock_push, stripe_payments  # noqa: F401
