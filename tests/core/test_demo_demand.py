"""The daily demo history has the shape forecasting needs to learn from: weekday and
yearly seasonality, trends both ways, intermittent items, promotions, returns and
stock-outs that come out of the ledger (sales never exceed what is on the shelf)."""

import json
import random
from collections import defaultdict
from decimal import Decimal

import numpy as np
from django.conf import settings

from apps.core import demo_catalog
from apps.core.demo_history import (
    PROFILES,
    PROMOTION_NOTE,
    History,
    promotion_discount,
)
from apps.forecasting.demand import demand_history
from apps.inventory.integrity import stock_differences
from apps.inventory.models import StockMove

COMPANIES = {
    c["slug"]: c
    for c in json.loads((settings.BASE_DIR / "fixtures" / "demo_companies.json").read_text())[
        "companies"
    ]
}


def _history(slug: str, weeks: int) -> History:
    """The history of a company's catalog, planned but not posted (demand only)."""
    spec = COMPANIES[slug]["catalog"]
    rng = random.Random(slug)
    suppliers = demo_catalog._suppliers(spec, rng)
    places = demo_catalog._warehouses(spec)
    variants = demo_catalog._variants(spec, rng)
    demo_catalog._supplier_items(variants, suppliers, rng)
    return History(variants, places, rng, weeks, PROFILES[slug])


def _totals(history: History, demand) -> dict[int, np.ndarray]:
    per_variant: dict[int, np.ndarray] = defaultdict(lambda: np.zeros(history.days))
    for (variant_id, _location), units in demand.items():
        per_variant[variant_id] = per_variant[variant_id] + units
    return per_variant


def test_two_years_of_demand_have_a_yearly_peak_and_trends_both_ways(in_tenant):
    history = _history("bookwormcentral", weeks=104)
    per_variant = _totals(history, history.demand())
    everything = sum(per_variant.values())
    # Yearly: the busiest month (Christmas for a bookshop) sells far more than the average.
    months = np.array([history.date(d).month for d in range(history.days)])
    by_month = {m: everything[months == m].mean() for m in range(1, 13)}
    assert max(by_month, key=by_month.get) == 12
    assert by_month[12] > 1.5 * np.mean(list(by_month.values()))
    # Trends: the second year against the first (same seasons) per smooth variant.
    year = history.days // 2
    ratios = [
        units[year:].sum() / max(units[:year].sum(), 1)
        for v, units in per_variant.items()
        if v not in history.intermittent and units.sum() > 50
    ]
    assert sum(r > 1.25 for r in ratios) >= 8  # growing
    assert sum(r < 0.8 for r in ratios) >= 8  # declining
    # Promotions: short windows, one category each, several a year.
    assert 12 <= len(history.promotions) <= 20
    assert all(5 <= p.last - p.first + 1 <= 12 for p in history.promotions)


def test_weekday_pattern_differs_by_trade(in_tenant):
    garden = _history("homegardenplus", weeks=52)
    books = _history("bookwormcentral", weeks=52)

    def weekday_means(history):
        total = sum(_totals(history, history.demand()).values())
        weekdays = np.array([history.date(d).weekday() for d in range(history.days)])
        return [total[weekdays == w].mean() for w in range(7)]

    garden_days, book_days = weekday_means(garden), weekday_means(books)
    # The garden centre's weekend beats its weekdays; the bookshop is nearly shut on Sunday.
    assert np.mean(garden_days[5:]) > 1.4 * np.mean(garden_days[:5])
    assert book_days[6] < 0.3 * np.mean(book_days[:6])
    assert book_days[5] == max(book_days)


def test_daily_ledger_history_sells_only_what_is_on_the_shelf(in_tenant):
    """One company, half a year, through the ledger: demand as forecasting extracts it."""
    weeks = 13
    assert demo_catalog.seed_catalog(
        COMPANIES["homegardenplus"]["catalog"], slug="homegardenplus", weeks=weeks
    )
    assert stock_differences() == []
    frame = demand_history(days=weeks * 7)
    assert frame.series_id.nunique() >= 140
    # Weekly seasonality in what was shipped: weekends sell more than weekdays.
    weekday = frame.groupby(frame.date.dt.day_of_week).quantity.mean()
    assert weekday[[5, 6]].mean() > 1.3 * weekday[[0, 1, 2, 3, 4]].mean()
    # Intermittent slow movers: average interval between sales days above 1.32.
    days = frame.groupby("series_id").size()
    selling_days = frame[frame.quantity > 0].groupby("series_id").size()
    adi = days / selling_days.reindex(days.index).fillna(0.5)
    assert (adi > 1.32).sum() >= 30
    assert ((adi > 3) & (frame.groupby("series_id").quantity.max() >= 3)).sum() >= 5  # lumpy
    # Stock-outs: days with nothing anywhere; nothing is shipped on them.
    assert frame.stockout.sum() > 0
    assert frame.loc[frame.stockout, "quantity"].sum() == 0

    # Replay every place's ledger in time order: no shipment takes more than was there,
    # and some places sat empty for days until a delivery or transfer came.
    balance: dict[tuple, Decimal] = defaultdict(Decimal)
    empty_since: dict[tuple, object] = {}
    waits = []
    moves = StockMove.objects.order_by("created_at", "id").values_list(
        "variant_id", "location_id", "quantity", "kind", "created_at"
    )
    for variant_id, location_id, quantity, kind, when in moves:
        key = (variant_id, location_id)
        if kind == StockMove.Kind.SHIPMENT:
            assert balance[key] >= -quantity > 0
        balance[key] += quantity
        if balance[key] == 0 and kind == StockMove.Kind.SHIPMENT:  # sold out
            empty_since.setdefault(key, when)
        elif key in empty_since and quantity > 0:
            waits.append((when - empty_since.pop(key)).days)
    assert sum(w >= 2 for w in waits) >= 5

    # One document per kind, warehouse and day; promotions as their own documents.
    shipments = StockMove.objects.filter(kind="shipment", reference_type="demo-week")
    documents = shipments.values("reference_id", "location__warehouse", "note").distinct()
    assert shipments.count() > 4 * documents.count()
    promoted = shipments.filter(note__startswith=PROMOTION_NOTE)
    assert promoted.exists() and promotion_discount(promoted.first().note) > 0
    assert StockMove.objects.filter(kind="return", reference_type="demo-week").exists()
    receipts = StockMove.objects.filter(kind="receipt", reference_type="demo-week")
    assert receipts.values("created_at").distinct().count() < receipts.count()
