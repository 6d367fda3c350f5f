"""manage.py stock_check [--tenant SLUG]: recompute balances from the ledger; exit 1 on any difference."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from apps.inventory.integrity import (
    stock_differences,
    tracking_differences,
    variant_total_differences,
)
from apps.tenants.selectors import tenants_customers


class Command(BaseCommand):
    help = (
        "Recompute every stock balance, reservation, lot balance and variant total from the "
        "ledger and print any difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="Subdomain of one company (default: every company).")

    def handle(self, *args, tenant=None, **options):
        tenants = tenants_customers()
        if tenant:
            tenants = tenants.filter(slug=tenant)
            if not tenants.exists():
                raise CommandError(f"No company with the subdomain {tenant!r}.")
        total = 0
        for company in tenants.order_by("slug"):
            with schema_context(company.schema_name):
                differences = stock_differences()
                tracked = tracking_differences()
                totals = variant_total_differences()
            for d in differences:
                self.stdout.write(
                    f"{company.slug}: variant {d.variant_id} location {d.location_id}: "
                    f"on hand {d.stored_on_hand} stored vs {d.ledger_on_hand} in the ledger; "
                    f"reserved {d.stored_reserved} stored vs {d.ledger_reserved} in reservations"
                )
            for t in [*tracked, *totals]:
                self.stdout.write(f"{company.slug}: {t.describe()}")
            total += len(differences) + len(tracked) + len(totals)
        if total:
            raise CommandError(f"{total} balance(s) differ from the ledger.")
        self.stdout.write(
            self.style.SUCCESS(
                f"All balances match the ledger ({tenants.count()} companies checked)."
            )
        )
