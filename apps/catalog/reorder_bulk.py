"""Reorder values of many variants at once (the nightly forecast-driven update): one UPDATE
for the variants whose values differ, one to mark their products changed (the API's ETag),
whatever the number of variants. ``variant_update`` is the one-variant path with checks;
the values here come from the forecasting policies and are already clean."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.utils import timezone

from apps.catalog.models import Product, Variant


def variants_reorder_values_set(*, values: dict[int, tuple[Decimal, Decimal, Decimal]]) -> int:
    """``values``: variant id → (reorder point, safety stock, reorder quantity). Only variants
    whose values change are written; returns how many."""
    if not values:
        return 0
    ids = list(values)
    points, safety, quantities = ([values[v][k] for v in ids] for k in range(3))
    variant_table = connection.ops.quote_name(Variant._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {variant_table} AS v
               SET reorder_point = n.reorder_point,
                   safety_stock = n.safety_stock,
                   reorder_quantity = n.reorder_quantity
              FROM unnest(%s::bigint[], %s::numeric[], %s::numeric[], %s::numeric[])
                   AS n(id, reorder_point, safety_stock, reorder_quantity)
             WHERE v.id = n.id
               AND (v.reorder_point, v.safety_stock, v.reorder_quantity)
                   IS DISTINCT FROM (n.reorder_point, n.safety_stock, n.reorder_quantity)
         RETURNING v.product_id
            """,
            [ids, points, safety, quantities],
        )
        products = [row[0] for row in cursor.fetchall()]
    if products:
        Product.objects.filter(pk__in=set(products)).update(updated_at=timezone.now())
    return len(products)
