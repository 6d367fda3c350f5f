"""Issue 2 targets: provisioning by clone (p50 < 1 s with 1,000 companies present, ≥ 10× faster
than by migrations), migrate_schemas with nothing to apply over 1,000 companies (< 60 s),
and tenant routing overhead (< 1 ms per request)."""

from __future__ import annotations

import os
import time

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.models import Role, User
from apps.tenants.models import Tenant
from apps.tenants.services.provisioning import tenant_provision, tenant_register
from tests.bench.conftest import summary

SAMPLE = int(os.environ.get("BENCH_SAMPLE", "50"))
POPULATION = int(os.environ.get("BENCH_TENANTS", "1000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "2000"))


def _by_clone(slug: str) -> float:
    start = time.perf_counter()
    tenant_provision(
        name=slug, subdomain=slug, owner_email=f"owner@{slug}.bench", owner_password=None
    )
    return time.perf_counter() - start


def _by_migrations(slug: str) -> float:
    start = time.perf_counter()
    tenant = tenant_register(name=slug, subdomain=slug, status=Tenant.Status.ACTIVE)
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{tenant.schema_name}"')
    call_command(
        "migrate_schemas",
        tenant=True,
        schema_name=tenant.schema_name,
        interactive=False,
        verbosity=0,
    )
    connection.set_schema_to_public()
    with schema_context(tenant.schema_name):
        User.objects.create_user(email=f"owner@{slug}.bench", password=None, role=Role.OWNER)
    return time.perf_counter() - start


def _drop(prefix: str) -> None:
    from apps.tenants.services.lifecycle import tenant_delete_now

    for tenant in Tenant.objects.filter(slug__startswith=prefix):
        tenant_delete_now(tenant=tenant)


def _population() -> int:
    return Tenant.objects.filter(slug__startswith="pop-").count()


def _fill_population(target: int) -> None:
    existing = _population()
    start = time.perf_counter()
    for n in range(existing, target):
        tenant_provision(
            name=f"Pop {n}",
            subdomain=f"pop-{n:05d}",
            owner_email=f"o@pop{n}.bench",
            owner_password=None,
        )
    if target > existing:
        print(
            f"\n  (made {target - existing} companies in {time.perf_counter() - start:.0f} s; {target} present)"
        )


def _compare(label: str, sample: int) -> None:
    _drop("clone-")
    _drop("mig-")
    clone = [_by_clone(f"clone-{n:03d}") for n in range(sample)]
    migrate = [_by_migrations(f"mig-{n:03d}") for n in range(sample)]
    print("\n  " + summary(f"{label} by clone     ", clone))
    print("  " + summary(f"{label} by migrations", migrate))
    print(
        f"  {label} clone is {sorted(migrate)[len(migrate) // 2] / sorted(clone)[len(clone) // 2]:.1f}x faster (p50)"
    )
    _drop("clone-")
    _drop("mig-")


def test_bench_provisioning_clone_vs_migrations(committed):
    _drop("pop-") if os.environ.get("BENCH_FRESH") else None
    _compare("empty platform:", SAMPLE)
    _fill_population(POPULATION)
    _compare(f"{_population()} companies present:", SAMPLE)


def test_bench_migrate_schemas_with_nothing_to_apply(committed):
    _fill_population(POPULATION)
    count = Tenant.objects.exclude(schema_name="public").count()
    start = time.perf_counter()
    call_command("migrate_schemas", interactive=False, verbosity=0)
    ours = time.perf_counter() - start
    print(
        f"\n  migrate_schemas, nothing to apply, {count} schemas: {ours:.1f} s (skip-up-to-date executor)"
    )
    sample = list(
        Tenant.objects.filter(slug__startswith="pop-").values_list("schema_name", flat=True)[:20]
    )
    from django_tenants.management.commands.migrate_schemas import Command
    from django_tenants.migration_executors.standard import StandardExecutor

    options = vars(Command().create_parser("manage.py", "migrate_schemas").parse_args([]))
    options.update(verbosity=0, interactive=False)
    start = time.perf_counter()
    StandardExecutor(args=[], options=options).run_migrations(tenants=sample)
    per_schema = (time.perf_counter() - start) / len(sample)
    print(
        f"  django-tenants' standard executor: {per_schema * 1000:.0f} ms per schema -> ~{per_schema * count:.0f} s for {count}"
    )
    connection.set_schema_to_public()


def test_bench_tenant_routing_overhead(committed):
    tenant = Tenant.objects.filter(is_template=False).exclude(
        schema_name="public"
    ).first() or tenant_provision(
        name="Route", subdomain="route-bench", owner_email="o@route.bench", owner_password=None
    )
    company, public = Client(HTTP_HOST=f"{tenant.slug}.localhost"), Client(HTTP_HOST="localhost")

    def rate(client) -> float:
        for _ in range(50):
            client.get("/healthz")
        start = time.perf_counter()
        for _ in range(REQUESTS):
            assert client.get("/healthz").status_code == 200
        return REQUESTS / (time.perf_counter() - start)

    public_rate, company_rate = rate(public), rate(company)
    overhead_us = (1 / company_rate - 1 / public_rate) * 1e6
    print(
        f"\n  /healthz public: {public_rate:.0f} req/s; on a company subdomain: {company_rate:.0f} req/s"
    )
    print(f"  tenant routing overhead: {overhead_us:.0f} µs per request (target < 1000 µs)")
