"""The demo stock history of one company (alpha, inside the test transaction) and its
purchase orders: written through the ledger service, so the ledger and balances agree."""

import json
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum

from apps.accounts.models import Role, User
from apps.catalog.models import SupplierItem, Variant
from apps.core.demo_catalog import seed_catalog
from apps.inventory.integrity import stock_differences
from apps.inventory.models import CostLayer, Location, StockLevel, StockMove, Transfer
from apps.purchasing.demo import purchasing_demo_seed
from apps.purchasing.models import PurchaseOrder

SPORTS = next(
    c
    for c in json.loads((settings.BASE_DIR / "fixtures" / "demo_companies.json").read_text())[
        "companies"
    ]
    if c["slug"] == "sportsfitnesshub"
)


def test_demo_history_has_receipts_sales_transfers_and_adjustments(in_tenant):
    assert seed_catalog(SPORTS["catalog"], slug="sportsfitnesshub", weeks=10) == 160
    kinds = set(StockMove.objects.values_list("kind", flat=True))
    assert {"opening", "shipment", "receipt", "transfer_out", "transfer_in", "adjustment"} <= kinds
    reasons = set(StockMove.objects.filter(kind="adjustment").values_list("reason", flat=True))
    assert len(reasons) >= 2
    # Transfers are documents whose moves carry their reference; nothing is left in transit.
    transfer = Transfer.objects.order_by("pk").first()
    assert transfer.status in (Transfer.Status.CLOSED, Transfer.Status.RECEIVED)
    assert transfer.shipped_at < transfer.received_at
    moved = StockMove.objects.filter(reference_type="transfer", reference_id=str(transfer.pk))
    assert moved.filter(kind="transfer_out").exists() and moved.filter(kind="transfer_in").exists()
    in_transit = StockLevel.objects.filter(location__kind=Location.Kind.TRANSIT)
    assert in_transit.aggregate(total=Sum("on_hand"))["total"] == 0
    # Stock sits in more than one warehouse, in bins under aisles under a zone.
    stocked = StockLevel.objects.filter(on_hand__gt=0).values("location__warehouse").distinct()
    assert stocked.count() >= 2
    bin_ = Location.objects.filter(kind=Location.Kind.BIN).first()
    assert bin_.parent.kind == Location.Kind.AISLE and bin_.parent.parent.kind == "zone"
    # History is backdated over the period, balances agree with the ledger, FIFO layers
    # hold exactly what is on hand, nothing is negative.
    first = StockMove.objects.order_by("created_at").first()
    last = StockMove.objects.order_by("-created_at").first()
    assert (last.created_at - first.created_at).days >= 7 * 9
    assert stock_differences() == []
    assert not StockLevel.objects.filter(on_hand__lt=0).exists()
    on_hand = StockLevel.objects.aggregate(total=Sum("on_hand"))["total"]
    assert CostLayer.objects.aggregate(total=Sum("remaining"))["total"] == on_hand
    # Every variant has a preferred supplier; some have a second quote.
    assert SupplierItem.objects.filter(is_preferred=True).count() == Variant.objects.count()
    assert SupplierItem.objects.filter(is_preferred=False).exists()


def test_demo_history_is_deterministic_and_runs_once(in_tenant):
    seed_catalog(SPORTS["catalog"], slug="sportsfitnesshub", weeks=4)
    before = list(StockMove.objects.order_by("pk").values_list("variant__sku", "quantity", "kind"))
    assert seed_catalog(SPORTS["catalog"], slug="sportsfitnesshub", weeks=4) == 0
    after = list(StockMove.objects.order_by("pk").values_list("variant__sku", "quantity", "kind"))
    assert before == after and len(before) > 160


def test_purchasing_demo_turns_deliveries_into_orders_without_posting_them_twice(in_tenant):
    User.objects.create_user(email="owner@x.test", password=None, role=Role.OWNER)
    User.objects.create_user(email="manager@x.test", password=None, role=Role.MANAGER)
    seed_catalog(SPORTS["catalog"], slug="sportsfitnesshub", weeks=8)
    delivered = StockMove.objects.filter(kind="receipt", reference_type="demo-week").aggregate(
        total=Sum("quantity")
    )["total"]
    assert purchasing_demo_seed(slug="sportsfitnesshub") > 10
    assert purchasing_demo_seed(slug="sportsfitnesshub") == 0
    assert PurchaseOrder.objects.filter(status=PurchaseOrder.Status.CLOSED).exists()
    assert PurchaseOrder.objects.filter(status=PurchaseOrder.Status.DRAFT).exists()
    # The historical orders' received quantities are the delivered receipts, not new moves.
    history = StockMove.objects.filter(kind="receipt", reference_type="demo-week")
    assert history.aggregate(total=Sum("quantity"))["total"] == delivered
    assert delivered > Decimal(0) and stock_differences() == []
