"""One worker process of the hot-SKU benchmark.

``python -m tests.bench.hot_worker SCHEMA VARIANT_ID LOCATION_ID WORKER`` with
STOCKROOM_DB_NAME naming the benchmark database. It loads Django, connects, prints
``ready`` and waits for a line on stdin, so every worker starts reserving at the same
moment however long start-up took; then it reserves 1 unit at a time through the
ledger service until the service refuses (stock ran out), and prints one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
import time
from decimal import Decimal


def main() -> None:
    schema, variant_id, location_id, worker = sys.argv[1], *map(int, sys.argv[2:5])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from django_tenants.utils import schema_context

    from apps.inventory.services import InsufficientStock, reservation_create

    with schema_context(schema):
        connection.ensure_connection()
        print("ready", flush=True)
        sys.stdin.readline()
        started, made, refused_after = time.time(), 0, None
        while True:
            try:
                reservation_create(
                    variant_id=variant_id,
                    location_id=location_id,
                    quantity=Decimal(1),
                    reference=("hot", f"{worker}-{made}"),
                )
            except InsufficientStock:
                refused_after = time.time()
                break
            made += 1
    print(json.dumps({"reserved": made, "started": started, "finished": refused_after}))


if __name__ == "__main__":
    main()
