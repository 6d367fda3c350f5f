"""``manage.py tenant_restore <file> --as <new-slug>`` (or ``--force`` over the same company)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.tenants.backup_restore import tenant_restore
from apps.tenants.services.errors import TenantError


class Command(BaseCommand):
    help = "Restore a company backup as a new company, or over its own company with --force."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--as", dest="as_slug", help="Subdomain of the new company.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the data of an existing company (the backup's own, or --as).",
        )

    def handle(self, *args, file: str, as_slug: str | None, force: bool, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file} does not exist.")
        try:
            tenant = tenant_restore(path=path, as_slug=as_slug, force=force)
        except TenantError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Restored into {tenant.slug} (schema {tenant.schema_name}).")
