"""The five demo companies, their users, and the platform operator. Idempotent.

Inputs live in fixtures/demo_companies.json. Each company gets owner@, manager@
and clerk@<slug>.com with the shared demo password, a catalog fitting its trade
with two years of stock history, and its purchase orders; a second run only checks.

The companies' catalogs and histories are independent, so they are built in
parallel worker processes (``--jobs``); inside a transaction (tests) everything runs
in this process, since workers could not see uncommitted data.

``--scale N`` instead builds one large company for benchmarks (see
``apps.core.demo_scale``).
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, transaction
from django.test.utils import override_settings
from django_tenants.utils import schema_context

from apps.accounts.models import Role, User
from apps.core.demo_catalog import seed_catalog
from apps.tenants.models import Plan, Tenant
from apps.tenants.services.provisioning import tenant_provision

FIXTURE = settings.BASE_DIR / "fixtures" / "demo_companies.json"
DEMO_ROLES = (Role.OWNER, Role.MANAGER, Role.CLERK)
NO_EMAIL = "django.core.mail.backends.dummy.EmailBackend"


def _ensure_user(email: str, password: str, **fields) -> bool:
    """Create the user with this password if missing; return True when created."""
    if User.objects.filter(email=email).exists():
        return False
    user = User(email=email, **fields)
    # Demo passwords are deliberately short; they bypass the validators real users meet.
    user.set_password(password)
    user.save()
    return True


def seed_company_data(schema_name: str, slug: str, name: str, catalog: dict, weeks: int) -> list:
    """Catalog, stock history, purchase orders, customers and sales orders of one company
    (inside its schema). Returns lines to print. Runs in a worker process or in the caller's."""
    from apps.purchasing.demo import purchasing_demo_seed
    from apps.sales.demo import sales_demo_seed

    lines = []
    started = time.monotonic()
    # The open orders go through the real services, which email approvers; demo
    # addresses are not real mailboxes, so nothing is sent while seeding.
    with schema_context(schema_name), override_settings(EMAIL_BACKEND=NO_EMAIL):
        variants = seed_catalog(catalog, slug=slug, weeks=weeks)
        orders = purchasing_demo_seed(slug=slug)
        sales = sales_demo_seed(slug=slug)
    if variants:
        lines.append(f"  {name}: {variants} variants with {weeks} weeks of daily stock history")
    if orders:
        lines.append(f"  {name}: {orders} purchase orders")
    if sales:
        lines.append(f"  {name}: {sales} sales orders")
    if lines:
        lines[-1] += f" ({time.monotonic() - started:.0f} s)"
    return [variants + orders + sales, lines]


class Command(BaseCommand):
    help = "Create the demo companies, their users and the platform operator (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--history-weeks",
            type=int,
            default=104,
            help="Weeks of stock history per company (default two years).",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=5,
            help=(
                "Companies seeded at once, in worker processes (default 5: the work waits on "
                "the database more than on Python, so more workers than CPUs still help)."
            ),
        )
        parser.add_argument(
            "--scale",
            type=int,
            metavar="N",
            help="Build one large company with N variants for benchmarks instead.",
        )
        parser.add_argument(
            "--moves", type=int, default=0, help="With --scale: ledger rows to add (fast path)."
        )
        parser.add_argument(
            "--tenant", default="scale", help="With --scale: the company's subdomain (scale)."
        )

    def handle(self, *args, **options):
        if options["scale"] is not None:
            return self.handle_scale(options)
        started = time.monotonic()
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

        work = []
        for company in data["companies"]:
            tenant, made = self.ensure_company(company, password)
            created += made
            work.append(
                (
                    tenant.schema_name,
                    company["slug"],
                    company["name"],
                    company["catalog"],
                    options["history_weeks"],
                )
            )

        for count, lines in self.seed_all(work, options["jobs"]):
            created += count
            for line in lines:
                self.stdout.write(line)

        elapsed = f" in {time.monotonic() - started:.0f} s"
        if created:
            self.stdout.write(
                self.style.SUCCESS(f"Demo data ready ({created} new records){elapsed}.")
            )
        else:
            self.stdout.write("Demo data already present; nothing to do.")

    def ensure_company(self, company: dict, password: str) -> tuple[Tenant, int]:
        """The company and its three demo users; returns it and how many records were new."""
        slug = company["slug"]
        created = 0
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
            for role in DEMO_ROLES:
                if _ensure_user(
                    f"{role.value}@{slug}.com",
                    password,
                    role=role,
                    full_name=f"{role.label} at {company['name']}",
                ):
                    created += 1
        return tenant, created

    def seed_all(self, work: list[tuple], jobs: int):
        if jobs <= 1 or len(work) <= 1 or connection.in_atomic_block:
            for item in work:
                yield seed_company_data(*item)
            return
        # Workers are forked: close this process's connection first so none inherits it.
        connections.close_all()
        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork")) as pool:
            futures = [pool.submit(seed_company_data, *item) for item in work]
            for future in futures:
                yield future.result()

    def handle_scale(self, options):
        from apps.core.demo_scale import scale_tenant_seed

        if options["scale"] < 1:
            raise CommandError("--scale needs a number of variants of at least 1.")
        if options["moves"] < 0:
            raise CommandError("--moves cannot be negative.")
        started = time.monotonic()
        result = scale_tenant_seed(
            slug=options["tenant"], variants=options["scale"], moves=options["moves"]
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.slug}: {result.variants} variants, {result.levels} stock levels, "
                f"{result.moves} ledger rows ({time.monotonic() - started:.0f} s)."
            )
        )
