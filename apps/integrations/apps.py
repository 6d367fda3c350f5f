from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "apps.integrations"
    label = "integrations"
    verbose_name = "Integrations"

    def ready(self):
        # Stock that arrives is pushed to the channels at once (decreases go out with the
        # periodic push, see tasks.stock_push_due).
        from apps.integrations import stock_push  # noqa: F401
