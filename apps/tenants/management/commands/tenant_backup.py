"""``manage.py tenant_backup <slug>``: write a compressed backup of one company."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from apps.tenants.backup import tenant_backup
from apps.tenants.models import Tenant
from apps.tenants.services.errors import TenantError


class Command(BaseCommand):
    help = "Back up one company's schema (pg_dump, compressed) with a manifest."

    def add_arguments(self, parser):
        parser.add_argument("slug")

    def handle(self, *args, slug: str, **options):
        tenant = Tenant.objects.filter(slug=slug, is_template=False).first()
        if tenant is None:
            raise CommandError(f"No company with the subdomain {slug!r}.")
        try:
            path = tenant_backup(tenant=tenant)
        except TenantError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(str(path))
