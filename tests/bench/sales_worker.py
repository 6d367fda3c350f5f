"""One worker process of the order-confirmation benchmark (``bench_sales.py``).

``python -m tests.bench.sales_worker SCHEMA CUSTOMER_ID ORDERS WORKER`` with
STOCKROOM_DB_NAME naming the benchmark database. It loads Django, makes ORDERS draft
orders of 5 lines each through ``sales_order_create`` (random variants of the catalog,
one of the scarce ``SCARCE-`` variants on every other order), prints ``ready`` and waits
for a line on stdin, so every worker starts confirming at the same moment; then it
confirms its drafts one by one through ``sales_order_confirm`` and prints one JSON line
with each confirmation's latency.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from decimal import Decimal

LINES = 5


def main() -> None:
    schema, customer_id, orders, worker = sys.argv[1], *map(int, sys.argv[2:5])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from django_tenants.utils import schema_context

    from apps.catalog.models import Variant
    from apps.sales.models import Customer
    from apps.sales.services import LineInput, sales_order_confirm, sales_order_create

    rng = random.Random(worker)
    with schema_context(schema):
        customer = Customer.objects.get(pk=customer_id)
        scarce = list(
            Variant.objects.filter(sku__startswith="SCARCE-").values_list("pk", flat=True)
        )
        plenty = list(
            Variant.objects.exclude(sku__startswith="SCARCE-").values_list("pk", flat=True)
        )
        drafts = []
        for n in range(orders):
            chosen = rng.sample(plenty, LINES - 1 if n % 2 == 0 else LINES)
            if n % 2 == 0:
                chosen.append(rng.choice(scarce))
            rng.shuffle(chosen)
            lines = [LineInput(pk, Decimal(rng.randint(1, 3))) for pk in chosen]
            drafts.append(sales_order_create(customer=customer, lines=lines))
        connection.ensure_connection()
        print("ready", flush=True)
        sys.stdin.readline()
        started, latencies = time.time(), []
        for order in drafts:
            begin = time.perf_counter()
            sales_order_confirm(order=order)
            latencies.append(time.perf_counter() - begin)
        finished = time.time()
    print(json.dumps({"latencies": latencies, "started": started, "finished": finished}))


if __name__ == "__main__":
    main()
