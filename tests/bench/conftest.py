"""Benchmarks: run with `make bench`, never part of `make test`.

They use their own test database (suffix `_bench`, kept between runs with
--reuse-db so the 1,000 companies are made once) and print their figures.
"""

import statistics

import pytest


def summary(label: str, seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p50 = statistics.median(ordered)
    p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)]
    return f"{label}: n={len(ordered)} p50={p50 * 1000:.0f} ms p95={p95 * 1000:.0f} ms"


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        yield


SCALE_SLUG = "scale"


@pytest.fixture(scope="session")
def scale_company(django_db_setup, django_db_blocker):
    """The benchmark company: BENCH_SCALE_VARIANTS variants (10,000) and BENCH_LEDGER_ROWS
    ledger rows (1,000,000), made once by ``seed_demo --scale`` and kept between runs
    (--reuse-db); a run with bigger numbers grows it."""
    import os
    import time

    from apps.core.demo_scale import scale_tenant_seed
    from apps.tenants.models import Tenant

    variants = int(os.environ.get("BENCH_SCALE_VARIANTS", "10000"))
    rows = int(os.environ.get("BENCH_LEDGER_ROWS", "1000000"))
    with django_db_blocker.unblock():
        start = time.perf_counter()
        result = scale_tenant_seed(slug=SCALE_SLUG, variants=variants, moves=rows)
        print(
            f"\n  scale company: {result.variants} variants, {result.moves} ledger rows "
            f"(ready in {time.perf_counter() - start:.0f} s)"
        )
        yield Tenant.objects.get(slug=SCALE_SLUG)


def timed_get(client, url: str, runs: int, warmup: int = 3) -> list[float]:
    """Server time of ``runs`` GETs of ``url`` (in-process: routing, views, SQL, templates)."""
    import time

    for _ in range(warmup):
        assert client.get(url).status_code == 200
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        seconds.append(time.perf_counter() - start)
        assert response.status_code == 200, url
    return seconds


def request_profile(client, url: str, runs: int = 5) -> str:
    """Where a request's time goes, so figures from a busy machine can be read: the
    median of its queries' count and SQL time and of the Python CPU time it used."""
    import statistics
    import time

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sql, cpu, count = [], [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.process_time()
            client.get(url)
            cpu.append(time.process_time() - start)
        sql.append(sum(float(q["time"]) for q in queries.captured_queries))
        count = len(queries.captured_queries)
    return (
        f"{count} queries, SQL {statistics.median(sql) * 1000:.0f} ms, "
        f"Python CPU {statistics.median(cpu) * 1000:.0f} ms"
    )


def p95(seconds: list[float]) -> float:
    ordered = sorted(seconds)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def verdict(value: float, target: float) -> str:
    return "meets target" if value <= target else "MISSES target"


def owner_client(tenant):
    """A test client on the company's subdomain, logged in as its owner."""
    from django.conf import settings
    from django.test import Client
    from django_tenants.utils import schema_context

    from apps.accounts.models import Role, User

    client = Client(HTTP_HOST=f"{tenant.slug}.{settings.BASE_DOMAIN}")
    with schema_context(tenant.schema_name):
        user = User.objects.filter(role=Role.OWNER).order_by("pk").first()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client
