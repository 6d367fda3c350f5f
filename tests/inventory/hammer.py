"""A worker process for the concurrency tests: hammers the stock service in one company.

Run as ``python -m tests.inventory.hammer MODE SCHEMA SEED OPS`` with
STOCKROOM_DB_NAME pointing at the test database. Prints one JSON line of counts.
"""

from __future__ import annotations

import json
import os
import random
import sys
from decimal import Decimal


def main() -> None:
    mode, schema, seed, ops = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    start_at = (
        float(sys.argv[5]) if len(sys.argv) > 5 else 0.0
    )  # a shared start time, for benchmarks
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import OperationalError
    from django_tenants.utils import schema_context

    from apps.inventory.models import Location, Reservation, StockMove
    from apps.inventory.services import (
        InventoryError,
        MoveLine,
        reservation_consume,
        reservation_create,
        reservation_release,
        stock_moves_post,
    )

    rng = random.Random(seed)
    counts = {"ok": 0, "refused": 0, "deadlocks": 0}
    with schema_context(schema):
        from apps.catalog.models import Variant

        variants = list(Variant.objects.order_by("pk").values_list("pk", flat=True))
        locations = list(Location.objects.order_by("pk").values_list("pk", flat=True))
        mine: list[int] = []
        import time

        while time.time() < start_at:
            time.sleep(0.005)
        for n in range(ops):
            v = rng.choice(variants)
            try:
                if mode == "hot":
                    reservation_create(
                        variant_id=variants[0],
                        location_id=locations[0],
                        quantity=Decimal(1),
                        reference=("hot", f"{seed}-{n}"),
                    )
                else:
                    action = rng.choice(
                        ["reserve", "reserve", "release", "consume", "adjust", "transfer", "ship"]
                    )
                    a, b = rng.sample(locations, 2)
                    q = Decimal(rng.randint(1, 3))
                    if action == "reserve":
                        mine.append(
                            reservation_create(
                                variant_id=v,
                                location_id=a,
                                quantity=q,
                                reference=("line", f"{seed}-{n}"),
                            ).pk
                        )
                    elif action in ("release", "consume") and mine:
                        reservation = Reservation.objects.filter(
                            pk=mine.pop(rng.randrange(len(mine)))
                        ).first()
                        if reservation is None:
                            continue
                        if action == "release":
                            reservation_release(reservation=reservation)
                        else:
                            reservation_consume(
                                reservation=reservation, quantity=reservation.quantity
                            )
                    elif action == "adjust":
                        stock_moves_post(
                            lines=[MoveLine(v, a, q * rng.choice([-1, 1]))],
                            kind=StockMove.Kind.ADJUSTMENT,
                            reason="correction",
                        )
                    elif action == "transfer":
                        stock_moves_post(
                            lines=[MoveLine(v, a, -q), MoveLine(v, b, q)],
                            kind=StockMove.Kind.TRANSFER_OUT,
                        )
                    elif action == "ship":
                        stock_moves_post(lines=[MoveLine(v, a, -q)], kind=StockMove.Kind.SHIPMENT)
                    else:
                        continue
                counts["ok"] += 1
            except InventoryError:
                counts["refused"] += 1
                if mode == "hot":
                    break
            except OperationalError as exc:  # a deadlock would be a bug in the lock order
                if "deadlock" in str(exc):
                    counts["deadlocks"] += 1
                else:
                    raise
    counts["finished_at"] = time.time()
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
