from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from apps.catalog.models import SupplierItem
from apps.catalog.services import supplier_create
from apps.inventory.services import MoveLine, reservation_create, stock_moves_post
from apps.purchasing.errors import PurchasingError
from apps.purchasing.models import PurchaseOrder
from apps.purchasing.replenishment import (
    Pick,
    purchase_orders_from_suggestions,
    reorder_suggestions,
    round_order_quantity,
    suggested_quantity,
)
from apps.purchasing.selectors import expected_daily_demand
from apps.purchasing.services import LineInput, purchase_order_submit
from apps.purchasing.tasks import replenishment_run

from .conftest import D


@pytest.mark.parametrize(
    ("quantity", "moq", "pack", "expected"),
    [
        (17, 24, 10, 30),
        (5, 1, 6, 6),
        (12, 0, 6, 12),
        (13, 0, 6, 18),
        (0.5, 0, 1, 1),
        (30, 24, 10, 30),
    ],
)
def test_moq_and_pack_rounding(quantity, moq, pack, expected):
    assert round_order_quantity(D(quantity), minimum=D(moq), pack_size=D(pack)) == D(expected)


def test_suggested_quantity_is_at_least_the_reorder_quantity():
    assert suggested_quantity(position=D(18), reorder_point=D(20), reorder_quantity=D(12)) == 12
    assert (
        suggested_quantity(
            position=D(-5), reorder_point=D(20), reorder_quantity=D(12), safety_stock=D(5)
        )
        == 30
    )


def ship(buying, quantity, days_ago):
    stock_moves_post(
        lines=[MoveLine(buying["bolt"].pk, buying["shelf"].pk, D(-quantity))],
        kind="shipment",
        occurred_at=timezone.now() - timedelta(days=days_ago),
    )


@pytest.fixture
def worked_example(buying, make_order):
    """available 8, on order 10, 1.5 a day for 10 days, reorder point 20, MOQ 24, packs of 10."""
    bolt = buying["bolt"]
    stock_moves_post(
        lines=[MoveLine(bolt.pk, buying["shelf"].pk, D(245), D(5))],
        kind="receipt",
        occurred_at=timezone.now() - timedelta(days=200),
    )
    ship(buying, 100, days_ago=120)  # outside the 90 days: not demand
    ship(buying, 35, days_ago=60)
    ship(buying, 100, days_ago=2)
    reservation_create(
        variant_id=bolt.pk, location_id=buying["shelf"].pk, quantity=D(2), reference=("so", 1)
    )
    purchase_order_submit(order=make_order(LineInput(bolt.pk, D(10))))
    bolt.reorder_point, bolt.reorder_quantity, bolt.lead_time_days = D(20), D(12), 10
    bolt.save()
    SupplierItem.objects.filter(variant=bolt).update(minimum_order_quantity=D(24), pack_size=D(10))
    return bolt


def test_demand_is_the_average_daily_shipment_of_the_last_90_days(worked_example, buying):
    demand = expected_daily_demand()
    assert demand == {(worked_example.pk, buying["warehouse"].pk): D("1.5")}


def test_suggestion_worked_example(worked_example, buying):
    (s,) = reorder_suggestions()
    assert (s.variant, s.warehouse, s.supplier) == (
        worked_example,
        buying["warehouse"],
        buying["supplier"],
    )
    assert (s.available, s.on_order, s.daily_demand, s.lead_time_days) == (8, 10, D("1.5"), 10)
    assert (s.demand_over_lead_time, s.position, s.quantity) == (15, 3, 30)


def test_stock_above_the_reorder_point_is_not_suggested(worked_example, buying):
    stock_moves_post(
        lines=[MoveLine(worked_example.pk, buying["shelf"].pk, D(18), D(5))], kind="receipt"
    )
    assert reorder_suggestions() == []  # position 21 > 20


def test_filters_by_supplier_warehouse_and_search(worked_example, buying):
    assert reorder_suggestions(supplier_id=buying["supplier"].pk)
    assert reorder_suggestions(search="bolt")
    assert reorder_suggestions(search="zzz") == []
    other = supplier_create(name="Other")
    assert reorder_suggestions(supplier_id=other.pk) == []


def test_selected_suggestions_become_one_draft_per_supplier(buying):
    bolt_co = supplier_create(name="Bolt Co")
    SupplierItem.objects.filter(variant=buying["bolt"]).update(is_preferred=False)
    SupplierItem.objects.create(
        supplier=bolt_co, variant=buying["bolt"], cost=D(4), is_preferred=True
    )
    wh = buying["warehouse"].pk
    orders = purchase_orders_from_suggestions(
        picks=[Pick(buying["bolt"].pk, wh, D(5)), Pick(buying["nut"].pk, wh, D(12))]
    )
    assert sorted((o.supplier.name, o.status, o.lines.count()) for o in orders) == [
        ("Acme Parts", "draft", 1),
        ("Bolt Co", "draft", 1),
    ]
    with pytest.raises(PurchasingError, match="Choose at least one"):
        purchase_orders_from_suggestions(picks=[])


def test_a_variant_without_preferred_supplier_is_refused(buying):
    SupplierItem.objects.filter(variant=buying["bolt"]).update(is_preferred=False)
    with pytest.raises(PurchasingError, match="BOLT-1 has no preferred supplier"):
        purchase_orders_from_suggestions(
            picks=[Pick(buying["bolt"].pk, buying["warehouse"].pk, D(5))]
        )
    assert not PurchaseOrder.objects.exists()


def test_daily_run_follows_the_company_setting(worked_example, buying, users):
    settings = buying["settings"]
    assert replenishment_run() == "off"
    settings.replenishment_mode = "suggest"
    settings.save()
    assert replenishment_run() == "emailed 1 suggestions"
    (email,) = mail.outbox
    assert "BOLT-1 at MAIN: order 30 from Acme Parts" in email.body
    settings.replenishment_mode = "drafts"
    settings.save()
    assert replenishment_run() == "1 draft purchase orders"
    draft = PurchaseOrder.objects.filter(status="draft").get()
    assert draft.lines.get().quantity == 30
    assert reorder_suggestions() == []  # the draft is on order now


def test_economic_order_quantity_when_a_variant_has_no_reorder_quantity(worked_example, buying):
    from apps.purchasing.replenishment import economic_order_quantity

    # √(2 × 1.5 × 365 × 25 ÷ (8 × 20 %)) = √17109.4 = 130.8 → 131
    assert (
        economic_order_quantity(
            daily_demand=D("1.5"), unit_cost=D(8), ordering_cost=D(25), holding_cost_rate=D(20)
        )
        == 131
    )
    assert (
        economic_order_quantity(
            daily_demand=D(0), unit_cost=D(8), ordering_cost=D(25), holding_cost_rate=D(20)
        )
        == 0
    )
    worked_example.reorder_quantity = D(0)
    worked_example.save()
    SupplierItem.objects.filter(variant=worked_example).update(cost=D(8))
    (s,) = reorder_suggestions()
    assert s.quantity == 140  # 131, MOQ 24 is below, rounded up to packs of 10


def test_a_foreign_currency_supplier_needs_todays_rate(buying):
    SupplierItem.objects.filter(variant=buying["bolt"]).update(is_preferred=False)
    euro = supplier_create(name="Euro GmbH", currency="EUR")
    SupplierItem.objects.create(supplier=euro, variant=buying["bolt"], cost=D(4), is_preferred=True)
    pick = [Pick(buying["bolt"].pk, buying["warehouse"].pk, D(5))]
    with pytest.raises(PurchasingError, match="exchange rate"):
        purchase_orders_from_suggestions(picks=pick)
    (order,) = purchase_orders_from_suggestions(picks=pick, rates={"EUR": D("1.08")})
    assert (order.currency, order.exchange_rate, order.total_base) == ("EUR", D("1.08"), D("21.60"))
