"""What the stock on hand is worth now, per warehouse and in total, by moving average and
by FIFO; the headline figure uses the company's valuation method.

The figures mean exactly what ``apps.inventory.valuation`` means (on hand × average cost;
on hand × the variant's open-layer cost, the average where no layer is open), but are
computed in one grouped query with joins instead of correlated subqueries per stock row:
on a large company the latter costs seconds (most of it PostgreSQL's JIT compiling the
plan), which a dashboard refreshed every minute cannot afford.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connection

from apps.dashboard.charts import dataset
from apps.dashboard.registry import Widget, register
from apps.inventory.models import CostLayer, Location, StockLevel, VariantCost, Warehouse

ZERO = Decimal("0")


def stock_value_by_warehouse() -> list[dict]:
    sql = f"""
        WITH layers AS (
            SELECT variant_id, SUM(remaining * unit_cost) / NULLIF(SUM(remaining), 0) AS cost
            FROM {CostLayer._meta.db_table} WHERE remaining > 0 GROUP BY variant_id
        )
        SELECT w.id, w.code, w.name, SUM(l.on_hand),
               SUM(l.on_hand * COALESCE(vc.average_cost, 0)),
               SUM(l.on_hand * COALESCE(layers.cost, vc.average_cost, 0))
        FROM {StockLevel._meta.db_table} l
        JOIN {Location._meta.db_table} loc ON loc.id = l.location_id
        JOIN {Warehouse._meta.db_table} w ON w.id = loc.warehouse_id
        LEFT JOIN {VariantCost._meta.db_table} vc ON vc.variant_id = l.variant_id
        LEFT JOIN layers ON layers.variant_id = l.variant_id
        WHERE l.on_hand <> 0
        GROUP BY w.id, w.code, w.name
        ORDER BY 5 DESC, w.code
    """  # noqa: S608 - table names come from the models, nothing from the request
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    money = Decimal("0.01")
    return [
        {
            "warehouse_id": pk,
            "code": code,
            "name": name,
            "quantity": quantity,
            "average_value": average.quantize(money),
            "fifo_value": fifo.quantize(money),
        }
        for pk, code, name, quantity, average, fifo in rows
    ]


@register
class StockValue(Widget):
    key = "stock_value"
    title = "Stock value"
    icon = "cash-stack"
    size = "chart"
    template = "dashboard/widgets/stock_value.html"
    money = True
    has_chart = True
    chart_label = "Stock value by warehouse"
    position = 20
    query_budget = 1

    def data(self, ctx) -> dict:
        warehouses = stock_value_by_warehouse()
        totals = {
            field: sum((r[field] for r in warehouses), ZERO)
            for field in ("quantity", "average_value", "fifo_value")
        }
        method = getattr(getattr(connection, "tenant", None), "valuation_method", "average")
        field = "fifo_value" if method == "fifo" else "average_value"
        for row in warehouses:
            row["value"] = row[field]
        return {
            "totals": totals,
            "value": totals[field],
            "method": "FIFO" if method == "fifo" else "moving average",
            "warehouses": warehouses,
            "currency": ctx.currency,
        }

    def chart(self, ctx, data: dict) -> dict:
        rows = data["warehouses"]
        return {
            "type": "bar",
            "labels": [r["code"] for r in rows],
            "datasets": [dataset(f"Value ({data['currency']})", [r["value"] for r in rows])],
            "money": True,
        }
