from django.apps import AppConfig


class AuditConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from apps.audit import security  # noqa: F401  (connects the security-event receivers)
        from apps.audit.triggers import sync_after_migrate

        post_migrate.connect(sync_after_migrate, dispatch_uid="audit_triggers_sync")
