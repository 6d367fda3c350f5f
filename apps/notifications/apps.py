from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """In-app and email notifications: kinds, per-user preferences, quiet hours, digests."""

    name = "apps.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from apps.notifications import rules  # noqa: F401 - listens to ledger postings
