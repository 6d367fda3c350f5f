"""Ledger postings announce stock.changed and stock.low to subscribed endpoints."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.api.models import WebhookDelivery
from apps.api.webhooks.services import webhook_endpoint_create
from apps.catalog.models import Product, Variant
from apps.inventory.models import Location, Warehouse
from apps.inventory.services import InsufficientStock, MoveLine, stock_moves_post


@pytest.fixture
def mug(in_tenant):
    warehouse = Warehouse.objects.create(code="MAIN", name="Main")
    bin_ = Location.objects.create(warehouse=warehouse, code="A-01")
    variant = Variant.objects.create(
        product=Product.objects.create(name="Mug"), sku="MUG-1", reorder_point=Decimal(5)
    )
    stock_moves_post(lines=[MoveLine(variant.pk, bin_.pk, Decimal(10), Decimal(2))], kind="receipt")
    return variant, bin_


def _adjust(mug, quantity):
    variant, bin_ = mug
    return stock_moves_post(
        lines=[MoveLine(variant.pk, bin_.pk, Decimal(quantity))], kind="adjustment", reason="lost"
    )


def test_nothing_is_queued_without_subscribers(mug, django_assert_max_num_queries):
    with django_assert_max_num_queries(30) as counted:
        _adjust(mug, -1)
    assert not WebhookDelivery.objects.exists()
    assert sum("api_webhookendpoint" in q["sql"] for q in counted.captured_queries) == 1


def test_stock_changed_carries_each_move_with_its_balance(mug):
    webhook_endpoint_create(url="https://hooks.example.com/s", events=["stock.changed"])
    (move,) = _adjust(mug, -3)
    (delivery,) = WebhookDelivery.objects.all()
    (change,) = delivery.payload["data"]["changes"]
    assert change == {
        "move": move.pk,
        "kind": "adjustment",
        "variant": mug[0].pk,
        "sku": "MUG-1",
        "location": mug[1].pk,
        "location_code": "A-01",
        "warehouse": "MAIN",
        "quantity": "-3.000",
        "on_hand": "7.000",
        "available": "7.000",
    }


def test_stock_low_fires_once_when_crossing_the_reorder_point(mug):
    webhook_endpoint_create(url="https://hooks.example.com/s", events=["stock.low"])
    _adjust(mug, -4)  # 10 → 6: still above 5
    assert not WebhookDelivery.objects.exists()
    _adjust(mug, -2)  # 6 → 4: crossed
    _adjust(mug, -1)  # 4 → 3: already low, no second event
    (delivery,) = WebhookDelivery.objects.all()
    assert delivery.event == "stock.low"
    assert delivery.payload["data"] == {
        "variant": mug[0].pk,
        "sku": "MUG-1",
        "on_hand": "4.000",
        "reorder_point": "5.000",
    }


def test_a_refused_posting_announces_nothing(mug):
    webhook_endpoint_create(url="https://hooks.example.com/s", events=["stock.changed"])
    with pytest.raises(InsufficientStock):
        _adjust(mug, -50)
    assert not WebhookDelivery.objects.exists()
