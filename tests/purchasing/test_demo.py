import json

from django.conf import settings
from django.db.models import Sum

from apps.core.demo_catalog import seed_catalog
from apps.inventory.integrity import stock_differences
from apps.inventory.models import StockMove
from apps.purchasing.demo import purchasing_demo_seed
from apps.purchasing.models import PurchaseOrder, ReceiptLine
from apps.purchasing.vendor_performance import scorecards

SPEC = json.loads((settings.BASE_DIR / "fixtures" / "demo_companies.json").read_text())[
    "companies"
][0]["catalog"]


def test_demo_purchasing_matches_the_stock_history_and_covers_every_status(in_tenant, users):
    seed_catalog(SPEC, slug="alpha", weeks=12)
    history_receipts = StockMove.objects.filter(kind="receipt", reference_type="demo-week")
    created = purchasing_demo_seed(slug="alpha")
    assert created > 10 and purchasing_demo_seed(slug="alpha") == 0  # idempotent

    statuses = set(PurchaseOrder.objects.values_list("status", flat=True))
    assert statuses == set(PurchaseOrder.Status.values)
    # Every delivery of the stock history has its purchase order receipt, unit for unit.
    history_lines = ReceiptLine.objects.filter(receipt__user__isnull=True)
    assert (
        history_lines.aggregate(q=Sum("quantity"))["q"]
        == history_receipts.aggregate(q=Sum("quantity"))["q"]
    )
    assert stock_differences() == []
    cards = scorecards(list(PurchaseOrder.objects.values_list("supplier_id", flat=True).distinct()))
    assert any(card.late_orders for card in cards.values())  # some deliveries were late
    assert any(card.fill_rate is not None and card.fill_rate < 100 for card in cards.values())
