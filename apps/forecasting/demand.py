"""Daily demand per variant from the stock ledger, in the tidy shape ``ml`` expects.

Demand = units shipped, net of customer returns, per variant and day (all warehouses
pooled), never below zero. A day is flagged as a **stock-out** when the variant had nothing
on hand anywhere all day (none at the start or the end, nothing shipped): lost sales, so the
forecast treats them as unknown demand instead of zero. Two queries whatever the size.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import numpy as np
import pandas as pd
from django.db.models import Case, DecimalField, F, Sum, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from apps.inventory.models import StockMove

HISTORY_DAYS = 730


def _today() -> date:
    return timezone.localdate()


def demand_history(
    *,
    variant_ids: Iterable[int] | None = None,
    days: int = HISTORY_DAYS,
    end: date | None = None,
) -> pd.DataFrame:
    """Columns series_id (variant id), date, quantity, stockout; complete days up to ``end``
    (default: yesterday). Variants with no shipment in the window are left out."""
    end = end or _today() - timedelta(days=1)
    start = end - timedelta(days=days - 1)
    moves = StockMove.objects.order_by()
    if variant_ids is not None:
        moves = moves.filter(variant_id__in=list(variant_ids))
    zero = Value(0, output_field=DecimalField(max_digits=14, decimal_places=3))
    daily = (
        moves.filter(created_at__date__gte=start, created_at__date__lte=end)
        .annotate(day=TruncDate("created_at"))
        .values("variant_id", "day")
        .annotate(
            shipped=Sum(
                Case(When(kind=StockMove.Kind.SHIPMENT, then=-F("quantity")), default=zero)
            ),
            returned=Sum(
                Case(
                    When(kind=StockMove.Kind.RETURN, quantity__gt=0, then=F("quantity")),
                    default=zero,
                )
            ),
            net=Sum("quantity"),
        )
    )
    rows = pd.DataFrame.from_records(
        list(daily), columns=["variant_id", "day", "shipped", "returned", "net"]
    )
    columns = ["series_id", "date", "quantity", "stockout"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    for key in ("shipped", "returned", "net"):
        rows[key] = rows[key].astype(float)
    selling = rows.groupby("variant_id")["shipped"].sum()
    selling = selling[selling > 0].index
    rows = rows[rows["variant_id"].isin(selling)]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    opening = dict(
        moves.filter(variant_id__in=list(selling), created_at__date__lt=start)
        .values_list("variant_id")
        .annotate(total=Sum("quantity"))
        .values_list("variant_id", "total")
    )
    dates = pd.date_range(start, end, freq="D")
    ids = np.array(sorted(selling))
    index = {v: i for i, v in enumerate(ids)}
    r = rows["variant_id"].map(index).to_numpy()
    c = (pd.to_datetime(rows["day"]) - pd.Timestamp(start)).dt.days.to_numpy()
    shape = (len(ids), len(dates))
    shipped, returned, net = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    shipped[r, c] = rows["shipped"].to_numpy()
    returned[r, c] = rows["returned"].to_numpy()
    net[r, c] = rows["net"].to_numpy()
    open_balance = np.array([float(opening.get(v) or 0) for v in ids])
    end_of_day = open_balance[:, None] + np.cumsum(net, axis=1)
    start_of_day = np.concatenate([open_balance[:, None], end_of_day[:, :-1]], axis=1)
    stockout = (start_of_day <= 0) & (end_of_day <= 0) & (shipped <= 0)
    quantity = np.maximum(shipped - returned, 0.0)
    # A series starts on its first day with stock or a sale (not years of empty shelf).
    started = np.cumsum((start_of_day > 0) | (end_of_day > 0) | (shipped > 0), axis=1) > 0
    keep = started.ravel()
    return pd.DataFrame(
        {
            "series_id": np.repeat(ids, len(dates))[keep],
            "date": np.tile(dates, len(ids))[keep],
            "quantity": quantity.ravel()[keep],
            "stockout": stockout.ravel()[keep],
        }
    )
