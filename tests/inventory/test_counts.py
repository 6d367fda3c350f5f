from decimal import Decimal

import pytest

from apps.catalog.models import Product, Variant
from apps.catalog.services import category_create
from apps.inventory.count_selectors import count_lines, count_totals
from apps.inventory.counts import (
    stock_count_cancel,
    stock_count_create,
    stock_count_post,
    stock_count_record,
)
from apps.inventory.integrity import stock_differences
from apps.inventory.models import Location, StockCount, StockLevel, StockMove
from apps.inventory.services import InventoryError, MoveLine, stock_moves_post
from tests.inventory.conftest import D


@pytest.fixture
def site(stock_setup):
    """MAIN with a zone Z holding bin Z-1, plus bin A-01; two variants with stock."""
    bins = stock_setup["bins"]
    main = bins["main"].warehouse
    zone = Location.objects.create(warehouse=main, code="Z", kind=Location.Kind.ZONE)
    zbin = Location.objects.create(warehouse=main, code="Z-1", parent=zone)
    m, l_ = stock_setup["variants"]["m"], stock_setup["variants"]["l"]
    stock_moves_post(
        lines=[
            MoveLine(m.pk, bins["main"].pk, D(10), D(4)),
            MoveLine(l_.pk, bins["main"].pk, D(5), D(6)),
            MoveLine(m.pk, zbin.pk, D(3), D(4)),
        ],
        kind="receipt",
    )
    return {"main": main, "zone": zone, "zbin": zbin, "a01": bins["main"], "m": m, "l": l_}


def on_hand(variant, location) -> Decimal:
    return StockLevel.objects.get(variant=variant, location=location).on_hand


def test_count_snapshots_every_balance_in_the_warehouse(site):
    count = stock_count_create(warehouse=site["main"])
    snapshot = {
        (ln.variant.sku, ln.location.code): ln.snapshot_quantity for ln in count.lines.all()
    }
    assert snapshot == {
        ("SHOE-M", "A-01"): D(10),
        ("SHOE-L", "A-01"): D(5),
        ("SHOE-M", "Z-1"): D(3),
    }
    assert count.number == f"SC-{count.pk:05d}" and count.status == "open"


def test_zone_count_covers_only_the_zone_subtree(site):
    count = stock_count_create(warehouse=site["main"], zone=site["zone"])
    assert [(ln.variant.sku, ln.location.code) for ln in count.lines.all()] == [("SHOE-M", "Z-1")]
    with pytest.raises(InventoryError, match="inside MAIN"):
        stock_count_create(warehouse=site["main"], zone=Location.objects.get(code="B-01"))


def test_category_and_in_stock_filters(site):
    shoes = category_create(name="Shoes")
    other = Product.objects.create(name="Sock", category=None)
    sock = Variant.objects.create(product=other, sku="SOCK")
    Product.objects.filter(pk=site["m"].product_id).update(category=shoes)
    stock_moves_post(lines=[MoveLine(sock.pk, site["a01"].pk, D(2))], kind="receipt")
    stock_moves_post(lines=[MoveLine(sock.pk, site["a01"].pk, D(-2))], kind="shipment")
    count = stock_count_create(warehouse=site["main"], category=shoes)
    assert {ln.variant.sku for ln in count.lines.all()} == {"SHOE-M", "SHOE-L"}
    with pytest.raises(InventoryError, match="not in the category Shoes"):
        stock_count_record(count=count, variant=sock, location=site["a01"], quantity=1)
    in_stock = stock_count_create(warehouse=site["main"], only_in_stock=True)
    assert "SOCK" not in {ln.variant.sku for ln in in_stock.lines.all()}
    everything = stock_count_create(warehouse=site["main"])
    assert "SOCK" in {ln.variant.sku for ln in everything.lines.all()}


def test_posting_books_counted_minus_snapshot_on_top_of_moves_made_during_the_count(site):
    m, l_, a01 = site["m"], site["l"], site["a01"]
    count = stock_count_create(warehouse=site["main"])
    # While the count is open: a sale of 4 M and a damaged L leave the bin.
    stock_moves_post(lines=[MoveLine(m.pk, a01.pk, D(-4))], kind="shipment")
    stock_moves_post(lines=[MoveLine(l_.pk, a01.pk, D(-1))], kind="adjustment", reason="damaged")
    # Counters found 9 M (one missing at the start) and 6 L (one more than the snapshot).
    stock_count_record(count=count, variant=m, location=a01, quantity="9")
    stock_count_record(count=count, variant=l_, location=a01, quantity=6)
    stock_count_post(count=count)
    assert on_hand(m, a01) == D(10) - 4 - 1  # the sale stays; the count removes one
    assert on_hand(l_, a01) == D(5) - 1 + 1
    assert on_hand(m, site["zbin"]) == D(3)  # not counted: left alone
    moves = StockMove.objects.filter(reference_type="stock_count", reference_id=str(count.pk))
    assert sorted((mv.variant.sku, mv.quantity, mv.kind) for mv in moves) == [
        ("SHOE-L", D(1), "count"),
        ("SHOE-M", D(-1), "count"),
    ]
    count.refresh_from_db()
    assert count.status == "posted" and stock_differences() == []
    line = count.lines.get(variant=m, location=a01)
    assert (line.posted_quantity, line.unit_cost) == (D(-1), D(4))


def test_uncounted_lines_as_zero_when_asked(site):
    count = stock_count_create(warehouse=site["main"], zone=site["zone"])
    stock_count_post(count=count, uncounted_as_zero=True)
    assert on_hand(site["m"], site["zbin"]) == D(0)


def test_scans_add_up_and_a_found_item_gets_its_snapshot_from_the_ledger(site):
    m, l_, zbin = site["m"], site["l"], site["zbin"]
    count = stock_count_create(warehouse=site["main"], zone=site["zone"])
    for _ in range(3):
        stock_count_record(count=count, variant=m, location=zbin, quantity=1, add=True)
    stock_count_record(count=count, variant=m, location=zbin, quantity=-1, add=True)
    assert count.lines.get(variant=m, location=zbin).counted_quantity == D(2)
    # L was never in Z-1 when the count opened; stock arrives there during the count.
    stock_moves_post(lines=[MoveLine(l_.pk, zbin.pk, D(2))], kind="receipt")
    line = stock_count_record(count=count, variant=l_, location=zbin, quantity=1, add=True)
    assert line.snapshot_quantity == D(0) and line.counted_quantity == D(1)
    stock_count_post(count=count)
    assert on_hand(l_, zbin) == D(3)  # 2 received during the count + 1 found
    assert on_hand(m, zbin) == D(2)


def test_bad_entries_are_refused_with_a_reason(site):
    count = stock_count_create(warehouse=site["main"])
    m, a01 = site["m"], site["a01"]
    with pytest.raises(InventoryError, match="below zero"):
        stock_count_record(count=count, variant=m, location=a01, quantity=-1, add=True)
    with pytest.raises(InventoryError, match="not a quantity"):
        stock_count_record(count=count, variant=m, location=a01, quantity="lots")
    with pytest.raises(InventoryError, match="not part of"):
        stock_count_record(
            count=count, variant=m, location=Location.objects.get(code="B-01"), quantity=1
        )
    with pytest.raises(InventoryError, match="Nothing has been counted"):
        stock_count_post(count=count)


def test_a_post_that_would_go_below_zero_writes_nothing(site):
    m, a01 = site["m"], site["a01"]
    count = stock_count_create(warehouse=site["main"])
    stock_count_record(count=count, variant=m, location=a01, quantity=0)
    stock_moves_post(lines=[MoveLine(m.pk, a01.pk, D(-8))], kind="shipment")
    with pytest.raises(InventoryError, match="Not enough stock"):
        stock_count_post(count=count)  # 2 left, the count wants to remove 10
    count.refresh_from_db()
    assert count.status == "open" and on_hand(m, a01) == D(2)
    assert count.lines.get(variant=m, location=a01).posted_quantity is None


def test_cancelled_and_posted_counts_are_closed(site):
    count = stock_count_create(warehouse=site["main"])
    stock_count_cancel(count=count)
    with pytest.raises(InventoryError, match="cancelled"):
        stock_count_record(count=count, variant=site["m"], location=site["a01"], quantity=1)
    with pytest.raises(InventoryError, match="cancelled"):
        stock_count_post(count=count, uncounted_as_zero=True)
    assert StockCount.objects.get(pk=count.pk).status == "cancelled"


def test_variance_review_values_each_line_at_the_current_cost(site):
    m, l_, a01 = site["m"], site["l"], site["a01"]
    count = stock_count_create(warehouse=site["main"])
    stock_count_record(count=count, variant=m, location=a01, quantity=7)  # -3 × 4.00
    stock_count_record(count=count, variant=l_, location=a01, quantity=6)  # +1 × 6.00
    rows = {ln.variant.sku: ln for ln in count_lines(count=count, show="variances")}
    assert rows["SHOE-M"].value_impact == D("-12") and rows["SHOE-L"].value_impact == D(6)
    totals = count_totals(count=count)
    assert (totals["lines"], totals["counted"], totals["variances"], totals["uncounted"]) == (
        3,
        2,
        2,
        1,
    )
    assert (totals["net_quantity"], totals["gain_value"], totals["loss_value"]) == (
        D(-2),
        D(6),
        D(-12),
    )
    assert totals["net_value"] == D(-6)
