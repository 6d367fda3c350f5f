"""Sales orders built from the daily demo history: small orders per day and warehouse,
promotion discounts where the history sold in a promotion, restocked returns that
point at the history's return moves."""

import json

from django.conf import settings
from django.db.models import Count, Sum

from apps.core.demo_catalog import seed_catalog
from apps.core.demo_history import PROMOTION_NOTE, promotion_discount
from apps.inventory.integrity import stock_differences
from apps.inventory.models import StockMove
from apps.sales.demo import sales_demo_seed
from apps.sales.models import SalesOrder, SalesReturnLine, ShipmentLine

SPEC = next(
    c
    for c in json.loads((settings.BASE_DIR / "fixtures" / "demo_companies.json").read_text())[
        "companies"
    ]
    if c["slug"] == "homegardenplus"
)["catalog"]


def test_daily_history_becomes_small_orders_with_promotions_and_returns(in_tenant):
    seed_catalog(SPEC, slug="homegardenplus", weeks=10)
    assert sales_demo_seed(slug="homegardenplus") > 50

    history = ShipmentLine.objects.filter(move__reference_type="demo-week")
    orders = SalesOrder.objects.filter(shipments__lines__in=history).distinct()
    sizes = orders.annotate(n=Count("lines", distinct=True)).values_list("n", flat=True)
    assert 1 <= min(sizes) and max(sizes) <= 5
    units = history.aggregate(q=Sum("quantity"))["q"]
    assert orders.count() < units / 2  # a day's units are grouped, not one order each
    numbers = list(SalesOrder.objects.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers)
    # Each order ships on the day of its moves, from one warehouse.
    for line in history.select_related("shipment__order", "move", "location")[:200]:
        assert line.shipment.shipped_at == line.move.created_at
        assert line.location.warehouse_id == line.shipment.warehouse_id
        assert line.shipment.order.created_at < line.shipment.shipped_at

    promoted = history.filter(move__note__startswith=PROMOTION_NOTE).select_related(
        "order_line", "move"
    )
    assert promoted.exists()
    for line in promoted:
        assert line.order_line.discount_percent == promotion_discount(line.move.note) > 0
    assert not history.exclude(move__note__startswith=PROMOTION_NOTE).filter(
        order_line__discount_percent__gt=0
    )

    # Every customer return of the history is a restocked sales return against an
    # earlier line of that variant sold from that bin.
    returns = StockMove.objects.filter(kind="return", reference_type="demo-week")
    restocked = SalesReturnLine.objects.filter(disposition="restock", move__in=returns)
    assert returns.count() > 0 and restocked.count() == returns.count()
    for line in restocked.select_related("move", "order_line__order"):
        assert line.order_line.variant_id == line.move.variant_id
        assert line.location_id == line.move.location_id
        assert line.order_line.order.shipped_at < line.move.created_at
        assert line.order_line.returned_quantity <= line.order_line.quantity
    assert stock_differences() == []
