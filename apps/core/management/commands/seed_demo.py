"""The five demo companies, their users, and the platform operator. Idempotent.

Inputs live in fixtures/demo_companies.json. Each company gets owner@, manager@
and clerk@<slug>.com with the shared demo password; a second run only checks.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django_tenants.utils import schema_context

from apps.accounts.models import Role, User
from apps.core.demo_catalog import seed_catalog
from apps.tenants.models import Plan, Tenant
from apps.tenants.services.provisioning import tenant_provision

FIXTURE = settings.BASE_DIR / "fixtures" / "demo_companies.json"
DEMO_ROLES = (Role.OWNER, Role.MANAGER, Role.CLERK)


def _ensure_user(email: str, password: str, **fields) -> bool:
    """Create the user with this password if missing; return True when created."""
    if User.objects.filter(email=email).exists():
        return False
    user = User(email=email, **fields)
    # Demo passwords are deliberately short; they bypass the validators real users meet.
    user.set_password(password)
    user.save()
    return True


class Command(BaseCommand):
    help = "Create the demo companies, their users and the platform operator (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--history-weeks",
            type=int,
            default=104,
            help="Weeks of stock history per company (default two years).",
        )

    def handle(self, *args, **options):
        data = json.loads(FIXTURE.read_text())
        password = data["password"]
        created = 0

        operator = data["operator"]
        if _ensure_user(
            operator["email"],
            operator["password"],
            is_staff=True,
            is_superuser=True,
            role=Role.OWNER,
            full_name="Platform Operator",
        ):
            created += 1

        for company in data["companies"]:
            slug = company["slug"]
            tenant = Tenant.objects.filter(slug=slug).first()
            if tenant is None:
                with transaction.atomic():
                    tenant = tenant_provision(
                        name=company["name"],
                        subdomain=slug,
                        owner_email=f"owner@{slug}.com",
                        owner_password=None,
                        owner_name=f"{company['name']} Owner",
                        plan=Plan.objects.filter(code=company.get("plan")).first(),
                        time_zone=company["time_zone"],
                        currency=company["currency"],
                    )
                    tenant.accent_colour = company["accent_colour"]
                    tenant.contact_email = f"hello@{slug}.com"
                    tenant.save(update_fields=["accent_colour", "contact_email"])
                    with schema_context(tenant.schema_name):
                        owner = User.objects.get(email=f"owner@{slug}.com")
                        owner.set_password(password)
                        owner.save(update_fields=["password"])
                created += 1
                self.stdout.write(f"  created {company['name']} at {tenant.site_url()}")
            with schema_context(tenant.schema_name):
                variants = seed_catalog(
                    company["catalog"], slug=slug, weeks=options["history_weeks"]
                )
                if variants:
                    created += variants
                    self.stdout.write(
                        f"  {company['name']}: {variants} variants with {options['history_weeks']} weeks of stock history"
                    )
                for role in DEMO_ROLES:
                    title = role.label
                    if _ensure_user(
                        f"{role.value}@{slug}.com",
                        password,
                        role=role,
                        full_name=f"{title} at {company['name']}",
                    ):
                        created += 1

        if created:
            self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} new records)."))
        else:
            self.stdout.write("Demo data already present; nothing to do.")
