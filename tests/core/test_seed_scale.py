"""seed_demo --scale: a large benchmark company whose generated ledger keeps every
invariant the ledger service keeps (stock_check finds nothing)."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Min, Sum
from django_tenants.utils import schema_context

from apps.catalog.models import Product, SupplierItem, Variant
from apps.inventory.integrity import stock_differences
from apps.inventory.models import CostLayer, StockLevel, StockMove, VariantCost
from apps.tenants.models import Tenant


def _seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def test_scale_builds_a_company_whose_ledger_matches_its_balances(db):
    out = _seed(scale=23, moves=500, tenant="scaletest")
    assert "23 variants" in out and "500 ledger rows" in out
    tenant = Tenant.objects.get(slug="scaletest")
    with schema_context(tenant.schema_name):
        assert Variant.objects.count() == 23 and Product.objects.count() == 5  # 5 sizes each
        assert SupplierItem.objects.count() == 23
        assert StockMove.objects.count() == 500
        assert StockMove.objects.filter(kind="opening").count() == 23
        assert stock_differences() == []
        assert StockLevel.objects.count() == 23
        assert StockLevel.objects.aggregate(low=Min("on_hand"))["low"] > 0
        on_hand = StockLevel.objects.aggregate(t=Sum("on_hand"))["t"]
        assert VariantCost.objects.aggregate(t=Sum("quantity"))["t"] == on_hand
        assert CostLayer.objects.aggregate(t=Sum("remaining"))["t"] == on_hand
        # Time runs forward within each variant's history.
        first = StockMove.objects.filter(kind="opening").order_by("created_at").first()
        assert StockMove.objects.filter(variant=first.variant).latest("created_at") != first

    # Again: nothing new. Then grow it: more variants, more rows, still consistent.
    _seed(scale=23, moves=500, tenant="scaletest")
    with schema_context(tenant.schema_name):
        assert (Variant.objects.count(), StockMove.objects.count()) == (23, 500)
    _seed(scale=31, moves=800, tenant="scaletest")
    with schema_context(tenant.schema_name):
        assert Variant.objects.count() == 31 and StockMove.objects.count() == 800
        assert StockMove.objects.filter(kind="opening").count() == 31
        assert stock_differences() == []
        assert not StockLevel.objects.filter(on_hand__lt=0).exists()
    call_command("stock_check", tenant="scaletest", stdout=io.StringIO())


def test_scale_without_moves_still_gives_every_variant_an_opening_balance(db):
    _seed(scale=7, tenant="scaletest2")
    with schema_context(Tenant.objects.get(slug="scaletest2").schema_name):
        assert StockMove.objects.count() == 7 and StockLevel.objects.count() == 7
        assert stock_differences() == []


def test_scale_refuses_nonsense(db):
    with pytest.raises(CommandError, match="at least 1"):
        _seed(scale=0)
    with pytest.raises(CommandError, match="negative"):
        _seed(scale=5, moves=-1)
