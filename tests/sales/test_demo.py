import json

from django.conf import settings
from django.db.models import Sum

from apps.core.demo_catalog import seed_catalog
from apps.inventory.integrity import stock_differences
from apps.inventory.models import StockMove
from apps.sales.demo import sales_demo_seed
from apps.sales.models import Customer, Invoice, SalesOrder, ShipmentLine

SPEC = json.loads((settings.BASE_DIR / "fixtures" / "demo_companies.json").read_text())[
    "companies"
][0]["catalog"]


def test_demo_sales_match_the_stock_history_and_cover_every_status(in_tenant):
    seed_catalog(SPEC, slug="alpha", weeks=10)
    history = StockMove.objects.filter(kind="shipment", reference_type="demo-week")
    created = sales_demo_seed(slug="alpha")
    assert created > 50 and sales_demo_seed(slug="alpha") == 0  # idempotent

    # Every unit the stock history sold is on a delivered/shipped order's shipment.
    shipped = ShipmentLine.objects.filter(move__reference_type="demo-week")
    assert shipped.aggregate(q=Sum("quantity"))["q"] == -history.aggregate(q=Sum("quantity"))["q"]
    statuses = set(SalesOrder.objects.values_list("status", flat=True))
    assert statuses >= {
        "draft", "confirmed", "picking", "packed", "partially_shipped", "shipped", "delivered",
        "on_hold", "cancelled",
    }  # fmt: skip
    # Repeat buyers: the busiest customer has many more orders than the median one.
    counts = sorted(c.orders.count() for c in Customer.objects.all())
    assert counts[-1] >= 3 * max(counts[len(counts) // 2], 1)
    assert Invoice.objects.filter(payment_status="paid").exists()
    assert stock_differences() == []
