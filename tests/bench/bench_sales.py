"""Issue 4 benchmarks: order confirmation throughput with 8 processes (no oversell) and
the order list on 100,000 orders (p95 < 150 ms for page 1 and a customer search).

Run: ``make bench BENCH=tests/bench/bench_sales.py``. Knobs: ``BENCH_SALES_ORDERS`` (50
orders per worker), ``BENCH_SALES_LIST_ORDERS`` (100000), ``BENCH_RUNS`` (60 requests).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context

from tests.bench.conftest import owner_client, p95, request_profile, summary, timed_get, verdict

PROCESSES = 8
ORDERS_PER_WORKER = int(os.environ.get("BENCH_SALES_ORDERS", "50"))
VARIANTS = 1000
SCARCE = 20
SCARCE_UNITS = 4
PLENTY_UNITS = 100_000
LIST_ORDERS = int(os.environ.get("BENCH_SALES_LIST_ORDERS", "100000"))
RUNS = int(os.environ.get("BENCH_RUNS", "60"))
TARGET_MS = 150


def _fresh_company(slug: str):
    from apps.tenants.models import Tenant
    from apps.tenants.services.lifecycle import tenant_delete_now
    from apps.tenants.services.provisioning import tenant_provision

    for stale in Tenant.objects.filter(slug=slug):
        tenant_delete_now(tenant=stale)
    return tenant_provision(
        name=f"Bench {slug}", subdomain=slug, owner_email=f"o@{slug}.bench", owner_password=None
    )


def _drop(company) -> None:
    from apps.tenants.services.lifecycle import tenant_delete_now

    connection.set_schema_to_public()
    tenant_delete_now(tenant=company)


def _catalog() -> tuple[list, object]:
    """1,000 variants (200 products × 5), 20 of them scarce (SCARCE-nn, 4 units each),
    the rest with plenty, all in one bin."""
    from apps.catalog.models import Product, Variant
    from apps.inventory.models import Location, StockMove, Warehouse
    from apps.inventory.services import MoveLine, stock_moves_post

    location = Location.objects.create(
        warehouse=Warehouse.objects.create(code="W", name="W"), code="L"
    )
    products = Product.objects.bulk_create([Product(name=f"Item {n:03d}") for n in range(200)])
    variants = Variant.objects.bulk_create(
        [
            Variant(
                product=products[n // 5],
                sku=f"SCARCE-{n:02d}" if n < SCARCE else f"V-{n:04d}",
                sale_price=Decimal("9.50"),
            )
            for n in range(VARIANTS)
        ]
    )
    stock_moves_post(
        lines=[
            MoveLine(
                v.pk,
                location.pk,
                Decimal(SCARCE_UNITS if v.sku.startswith("SCARCE-") else PLENTY_UNITS),
                Decimal(1),
            )
            for v in variants
        ],
        kind=StockMove.Kind.OPENING,
    )
    return variants, location


def _confirm_profile(customer, variants) -> str:
    """Queries, SQL time and wall time of one uncontended 5-line confirmation (its
    reservations are released again by cancelling, so the run starts from full stock)."""
    from django.test.utils import CaptureQueriesContext

    from apps.sales.services import (
        LineInput,
        sales_order_cancel,
        sales_order_confirm,
        sales_order_create,
    )

    order = sales_order_create(
        customer=customer,
        lines=[LineInput(v.pk, Decimal(1)) for v in variants[SCARCE : SCARCE + 5]],
    )
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        sales_order_confirm(order=order)
        wall = time.perf_counter() - start
    sales_order_cancel(order=order, reason="benchmark probe")
    sql = sum(float(q["time"]) for q in queries.captured_queries)
    return (
        f"{len(queries.captured_queries)} queries, SQL {sql * 1000:.0f} ms, "
        f"wall {wall * 1000:.0f} ms"
    )


def test_bench_sales_order_confirmation(committed):
    from django.db.models import Sum

    from apps.inventory.integrity import stock_differences
    from apps.inventory.models import StockLevel
    from apps.sales.models import Customer, SalesOrder, SalesOrderLine

    company = _fresh_company("bench-confirm")
    try:
        with schema_context(company.schema_name):
            variants, _location = _catalog()
            customer = Customer.objects.create(name="Bench buyer")
            print(f"\n  one confirmation alone: {_confirm_profile(customer, variants)}")
        env = {**os.environ, "STOCKROOM_DB_NAME": connection.settings_dict["NAME"]}
        made = time.perf_counter()
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.bench.sales_worker",
                    company.schema_name,
                    str(customer.pk),
                    str(ORDERS_PER_WORKER),
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
        for proc in procs:  # each has made its drafts: start them together
            assert proc.stdout.readline().strip() == "ready"
        print(f"  drafts made by {PROCESSES} workers in {time.perf_counter() - made:.1f} s")
        start = time.time()
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = [
            json.loads(proc.communicate(timeout=900)[0].strip().splitlines()[-1]) for proc in procs
        ]
        elapsed = max(r["finished"] for r in results) - start
        latencies = [s for r in results for s in r["latencies"]]
        with schema_context(company.schema_name):
            confirmed = SalesOrder.objects.filter(status=SalesOrder.Status.CONFIRMED).count()
            levels = list(StockLevel.objects.values_list("variant_id", "on_hand", "reserved"))
            allocated = dict(
                SalesOrderLine.objects.values("variant_id")
                .annotate(n=Sum("allocated_quantity"))
                .values_list("variant_id", "n")
            )
            scarce_lines = SalesOrderLine.objects.filter(variant__sku__startswith="SCARCE-")
            backordered = sum(line.backordered_quantity for line in scarce_lines)
            differences = stock_differences()
        oversold = [(v, on_hand, reserved) for v, on_hand, reserved in levels if reserved > on_hand]
        mismatched = [v for v, _on, reserved in levels if allocated.get(v, 0) != reserved]
        total = PROCESSES * ORDERS_PER_WORKER
        print(
            f"  {PROCESSES} processes confirmed {confirmed} 5-line orders over {VARIANTS} variants "
            f"in {elapsed:.1f} s -> {confirmed / elapsed:.1f} orders/s"
        )
        print("  " + summary("confirmation latency", latencies))
        print(
            f"  scarce: {SCARCE} variants × {SCARCE_UNITS} units, {backordered} units backordered; "
            f"oversold balances: {len(oversold)}; reserved ≠ allocated: {len(mismatched)}; "
            f"stock_check differences: {len(differences)}"
        )
        print(f"  load average: {os.getloadavg()}")
        assert confirmed == total
        assert oversold == [] and mismatched == [] and differences == []
        assert backordered > 0  # the scarce variants really ran out
    finally:
        _drop(company)


def _orders_bulk(customers: int, orders: int) -> None:
    """``orders`` delivered/open orders of 2 lines over ``customers`` customers, written by
    two INSERT … SELECT generate_series statements (seconds, not minutes)."""
    from apps.catalog.models import Variant
    from apps.sales.models import Customer, SalesOrder

    Customer.objects.bulk_create(
        [
            Customer(name=f"{word} {n:04d}", email=f"c{n}@bench.test")
            for n, word in enumerate(
                ["Harbor Supply", "Kestrel Goods", "Meadow Trading", "Orchid Retail"]
                * (customers // 4)
            )
        ]
    )
    statuses = list(SalesOrder.Status.values)
    ids = list(Variant.objects.order_by("pk").values_list("pk", flat=True))
    low, high = ids[0], ids[-1]
    first_customer = Customer.objects.order_by("pk").values_list("pk", flat=True).first()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO sales_salesorder (
                number, customer_id, status, held_from, channel, currency, order_date,
                customer_reference, shipping_address, billing_address, notes,
                subtotal, discount_total, tax_total, total, created_at, updated_at,
                confirmed_at)
            SELECT 'SO-' || lpad(g::text, 6, '0'), %s + (g * 7919) %% %s,
                   (%s::text[])[1 + g %% %s], '',
                   (ARRAY['web','manual','phone','email','marketplace'])[1 + g %% 5], 'USD',
                   (now() - (%s - g) * interval '7 minutes')::date,
                   '', '', '', '', 19.00, 0, 3.80, 22.80,
                   now() - (%s - g) * interval '7 minutes',
                   now() - (%s - g) * interval '7 minutes',
                   now() - (%s - g) * interval '7 minutes'
            FROM generate_series(1, %s) AS g
            """,
            [
                first_customer,
                customers,
                statuses,
                len(statuses),
                orders,
                orders,
                orders,
                orders,
                orders,
            ],
        )
        cursor.execute(
            """
            INSERT INTO sales_salesorderline (
                order_id, variant_id, description, quantity, unit_price, list_price,
                price_overridden, discount_percent, tax_rate, line_subtotal, discount_amount,
                tax_amount, line_total, allocated_quantity, shipped_quantity,
                invoiced_quantity, returned_quantity)
            SELECT o.id, %s + (o.id * 31 + k * 17) %% (%s - %s + 1), 'Item', 1, 9.50, 9.50,
                   false, 0, 20, 9.50, 0, 1.90, 11.40, 0, 0, 0, 0
            FROM sales_salesorder o CROSS JOIN generate_series(1, 2) AS k
            """,
            [low, high, low],
        )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('sales_salesorder', 'id'), "
            "(SELECT max(id) FROM sales_salesorder))"
        )
        cursor.execute("ANALYZE sales_customer, sales_salesorder, sales_salesorderline")


def test_bench_sales_order_list(committed):
    from apps.sales.models import SalesOrder, SalesOrderLine
    from apps.sales.selectors import status_counts_forget

    company = _fresh_company("bench-orders")
    try:
        with schema_context(company.schema_name):
            _catalog()
            start = time.perf_counter()
            _orders_bulk(customers=1000, orders=LIST_ORDERS)
            status_counts_forget()
            orders = SalesOrder.objects.count()
            lines = SalesOrderLine.objects.count()
            print(
                f"\n  {orders} orders, {lines} lines written in {time.perf_counter() - start:.1f} s"
            )
            assert orders == LIST_ORDERS
        client = owner_client(company)
        cases = [
            ("order list, page 1 (newest first)", "/sales/"),
            ("order list, customer search 'Harbor Supply 0400'", "/sales/?q=Harbor+Supply+0400"),
            ("order list, customer search 'kestrel' (250 customers)", "/sales/?q=kestrel"),
            ("order list, page 200", "/sales/?page=200"),
        ]
        figures = {}
        for label, url in cases:
            seconds = timed_get(client, url, RUNS)
            figures[label] = p95(seconds)
            print(f"  {summary(label, seconds)} — {verdict(p95(seconds) * 1000, TARGET_MS)}")
            print(f"    {request_profile(client, url)}")
        # The search really finds the customer's orders (and only theirs).
        response = client.get("/sales/?q=Harbor+Supply+0400")
        assert b"Harbor Supply 0400" in response.content
        assert b"Kestrel Goods" not in response.content
        print(f"  load average: {os.getloadavg()}")
        print(f"  median p95: {statistics.median(figures.values()) * 1000:.0f} ms")
    finally:
        _drop(company)
