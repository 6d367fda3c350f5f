"""Issue 3 target: hot-SKU reservation throughput with 8 processes, no oversell, at least
0.15 × pgbench's tpcb-like TPS on the same server."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context

from config.database import pg_bin

UNITS = int(os.environ.get("BENCH_HOT_UNITS", "3000"))
PROCESSES = 8


def _pg_args() -> list[str]:
    db = settings.DATABASES["default"]
    args = ["-h", db.get("HOST") or "localhost", "-U", db.get("USER") or "postgres"]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    return args


def _pgbench() -> str:
    """pgbench of the server's own major version when installed (Debian's layout), else
    the embedded wheel's, else whatever is on PATH."""
    major = connection.pg_version // 10000
    for candidate in (f"/usr/lib/postgresql/{major}/bin/pgbench", pg_bin("pgbench")):
        if os.path.exists(candidate):
            return candidate
    return shutil.which("pgbench") or "pgbench"


def _pgbench_tps() -> float:
    env = {**os.environ, "PGPASSWORD": settings.DATABASES["default"].get("PASSWORD") or ""}
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = 'bench_pgbench'")
        if cursor.fetchone() is None:
            cursor.execute("CREATE DATABASE bench_pgbench")
    subprocess.run(
        [_pgbench(), *_pg_args(), "-i", "-s", "4", "-q", "bench_pgbench"],
        env=env,
        check=True,
        capture_output=True,
    )
    out = subprocess.run(
        [
            _pgbench(),
            *_pg_args(),
            "-c",
            str(PROCESSES),
            "-j",
            "2",
            "-T",
            "15",
            "-b",
            "tpcb-like",
            "bench_pgbench",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(re.search(r"tps = ([0-9.]+)", out).group(1))


def test_bench_hot_sku_reservations(committed):
    from apps.catalog.models import Product, Variant
    from apps.inventory.models import Location, Reservation, StockLevel, StockMove, Warehouse
    from apps.inventory.services import MoveLine, stock_moves_post
    from apps.tenants.models import Tenant
    from apps.tenants.services.lifecycle import tenant_delete_now
    from apps.tenants.services.provisioning import tenant_provision

    for stale in Tenant.objects.filter(slug="bench-hot"):
        tenant_delete_now(tenant=stale)
    company = tenant_provision(
        name="Bench hot", subdomain="bench-hot", owner_email="o@hot.bench", owner_password=None
    )
    try:
        with schema_context(company.schema_name):
            location = Location.objects.create(
                warehouse=Warehouse.objects.create(code="W", name="W"), code="L"
            )
            variant = Variant.objects.create(
                product=Product.objects.create(name="Hot"), sku="HOT-1"
            )
            stock_moves_post(
                lines=[MoveLine(variant.pk, location.pk, Decimal(UNITS))],
                kind=StockMove.Kind.RECEIPT,
            )
        env = {**os.environ, "STOCKROOM_DB_NAME": connection.settings_dict["NAME"]}
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.bench.hot_worker",
                    company.schema_name,
                    str(variant.pk),
                    str(location.pk),
                    str(worker),
                ],
                cwd=settings.BASE_DIR,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for worker in range(PROCESSES)
        ]
        # Every worker has loaded Django and connected: start them together.
        for proc in procs:
            assert proc.stdout.readline().strip() == "ready"
        start = time.time()
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = [
            json.loads(proc.communicate(timeout=600)[0].strip().splitlines()[-1]) for proc in procs
        ]
        elapsed = max(r["finished"] for r in results) - start
        with schema_context(company.schema_name):
            reserved = StockLevel.objects.get(variant=variant).reserved
            count = Reservation.objects.count()
        assert sum(r["reserved"] for r in results) == count  # every success was recorded
        rate = count / elapsed
        oversell = max(Decimal(0), reserved - UNITS)
        print(
            f"\n  hot SKU: {PROCESSES} processes reserved {count} of {UNITS} units in {elapsed:.1f} s -> {rate:.0f} reservations/s"
        )
        print(f"  oversold: {oversell} (must be 0); reserved total {reserved}")
        tps = _pgbench_tps()
        print(
            f"  pgbench tpcb-like, {PROCESSES} clients, same server: {tps:.0f} TPS -> ratio {rate / tps:.2f} (target >= 0.15)"
        )
        assert oversell == 0 and count == UNITS
    finally:
        connection.set_schema_to_public()
        tenant_delete_now(tenant=company)
