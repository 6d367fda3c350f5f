"""Attach the audit trigger to every tracked table in every company schema (idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import connection
from django_tenants.utils import get_tenant_model, schema_context

from apps.audit.triggers import triggers_sync


class Command(BaseCommand):
    help = "Attach or refresh the audit triggers in every company schema."

    def handle(self, *args, **options):
        schemas = list(get_tenant_model().objects.values_list("schema_name", flat=True))
        from django.conf import settings

        base = getattr(settings, "TENANT_BASE_SCHEMA", None)
        if base:
            schemas.append(base)
        for schema in dict.fromkeys(schemas):
            with schema_context(schema):
                tables = triggers_sync(connection)
            self.stdout.write(f"  {schema}: {len(tables)} tables audited")
