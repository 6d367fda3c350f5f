"""Issue 6 speed target, end to end in the app: the nightly forecast job of a company with
10,000 variants and 730 days of demand history, under 120 s on this 2-core machine, with
the time of each stage (extraction, forecast, per-warehouse forecast, policies, storing)
and peak memory printed.

The history is loaded once (kept with --reuse-db) as imported demand history
(``DemandHistory``, the table the demand-history import fills) with one COPY: 7.3 million
rows of the simulated demand of ``bench_forecast.simulate`` (weekly and yearly seasons,
trends, promotions, stock-outs, slow movers). One warehouse, so every item is one series;
forecast-driven reorder values, so the variants' update is timed too.

The nightly job runs in a fresh Python process (``python -c``) against the same database,
so the peak memory printed is the job's own, not the data generator's.

Run: make bench BENCH=tests/bench/bench_forecast_e2e.py (set DATABASE_URL and
STOCKROOM_TEST_DB_SUFFIX to keep off other databases).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from decimal import Decimal

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django_tenants.utils import schema_context

from apps.forecasting.bulk import copy_frame

SERIES = int(os.environ.get("BENCH_E2E_SERIES", "10000"))
DAYS = int(os.environ.get("BENCH_E2E_DAYS", "730"))
SLUG = f"fcbench{SERIES}x{DAYS}"

JOB = """
import json, os, resource, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django_tenants.utils import schema_context
from apps.forecasting.models import Forecast, ForecastRun, PolicyResult
from apps.forecasting.tasks import forecast_nightly
with schema_context(sys.argv[1]):
    timings = {}
    started = time.perf_counter()
    cpu = time.process_time()
    message = forecast_nightly(timings=timings)
    total = time.perf_counter() - started
    run = ForecastRun.objects.order_by("-id").first()
    print(json.dumps({
        "message": message, "total": total, "cpu": time.process_time() - cpu,
        "timings": timings, "status": run.status, "error": run.error, "series": run.series,
        "forecast_rows": Forecast.objects.filter(run=run).count(),
        "policy_rows": PolicyResult.objects.filter(run=run).count(),
        "model_mix": run.model_mix,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }, default=str))
"""


def _company():
    """The benchmark company with its history (made once, kept with --reuse-db)."""
    from apps.catalog.models import Product, Variant
    from apps.forecasting.config import forecast_settings_update
    from apps.forecasting.models import DemandHistory, ForecastRun
    from apps.inventory.models import Warehouse
    from apps.inventory.warehousing import warehouse_create
    from apps.tenants.models import Tenant
    from apps.tenants.services.provisioning import tenant_provision
    from tests.bench.bench_forecast import simulate

    tenant = Tenant.objects.filter(slug=SLUG).first() or tenant_provision(
        name=f"Forecast bench {SERIES}",
        subdomain=SLUG,
        owner_email=f"owner@{SLUG}.com",
        owner_password=None,
    )
    with schema_context(tenant.schema_name):
        ForecastRun.objects.all().delete()  # a clean slate for each timed run
        forecast_settings_update(reorder_mode="forecast")
        if DemandHistory.objects.count() == SERIES * DAYS:
            return tenant
        started = time.perf_counter()
        with transaction.atomic():
            DemandHistory.objects.all().delete()
            Warehouse.objects.filter(code="MAIN").first() or warehouse_create(
                code="MAIN", name="Main"
            )
            product = Product.objects.create(name="Bench range")
            Variant.objects.bulk_create(
                [
                    Variant(
                        product=product,
                        sku=f"B-{i:05d}",
                        cost_price=Decimal(2 + i % 50),
                        sale_price=Decimal(5 + i % 80),
                    )
                    for i in range(SERIES)
                ],
                batch_size=2000,
            )
            ids = np.array(
                Variant.objects.filter(product=product).order_by("sku").values_list("pk", flat=True)
            )
            frame, _, _ = simulate(SERIES, DAYS, seed=1)
            end = pd.Timestamp.today().normalize() - pd.Timedelta(days=1)
            shift = end - frame["date"].max()
            copy_frame(
                DemandHistory,
                pd.DataFrame(
                    {
                        "variant": ids[frame["series_id"].to_numpy()],
                        "date": (frame["date"] + shift).dt.date,
                        "quantity": frame["quantity"].to_numpy(),
                        "stockout": np.where(frame["stockout"].to_numpy(), "t", "f"),
                    }
                ),
            )
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {DemandHistory._meta.db_table}")
        print(
            f"\n  loaded {SERIES * DAYS:,} history rows for {SERIES:,} variants "
            f"in {time.perf_counter() - started:.0f} s"
        )
    return tenant


def test_bench_forecast_nightly_end_to_end(committed):
    tenant = _company()
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        ),
    }
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    done = subprocess.run(
        [sys.executable, "-c", JOB, tenant.schema_name],
        capture_output=True,
        text=True,
        env=env,
        cwd=os.getcwd(),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    stages = ", ".join(f"{k} {v:.1f} s" for k, v in out["timings"].items() if k != "ml")
    ml = ", ".join(f"{k} {v:.1f} s" for k, v in out["timings"].get("ml", {}).items())
    print(
        f"\nnightly job, {SERIES:,} series x {DAYS} days, horizon 28: {out['total']:.1f} s "
        f"wall, {out['cpu']:.1f} s CPU in the job's process; {stages}; inside ml: {ml}; "
        f"peak memory {out['peak_mb']:.0f} MB; uptime before: {uptime}"
    )
    print(f"model mix: {out['model_mix']}")
    assert out["status"] == "done", out["error"]
    assert out["series"] == SERIES
    assert out["forecast_rows"] == SERIES * 28 and out["policy_rows"] == SERIES
    assert out["total"] < 120, f"nightly run took {out['total']:.0f} s (target < 120 s)"
