"""Daily demand per variant (and per variant × warehouse) in the tidy shape ``ml`` expects.

Demand = units shipped, net of customer returns, per day, never below zero. A day is
flagged as a **stock-out** when there was nothing on hand all day (none at the start or the
end, nothing shipped): lost sales, so the forecast treats them as unknown demand instead of
zero. ``demand_history`` pools all warehouses; ``warehouse_demand_history`` keeps them apart
(the warehouse of the move's location) and only for variants with demand in two or more
warehouses — with one, the pooled series is that warehouse's.

**Imported history** (``DemandHistory``, loaded through the import framework by companies
that start on Stockroom with years of sales elsewhere) is merged in: the ledger wins on the
days it covers (from a series' first day with stock or a sale), imported rows fill the days
before. Three queries whatever the size.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date, timedelta

import numpy as np
import pandas as pd
from django.db.models import Case, DecimalField, F, Sum, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from apps.forecasting.bulk import copy_out
from apps.forecasting.models import DemandHistory
from apps.inventory.models import StockMove

HISTORY_DAYS = 730
COLUMNS = ["series_id", "date", "quantity", "stockout"]
WAREHOUSE_COLUMNS = ["variant_id", "warehouse_id", "date", "quantity", "stockout"]


def _today() -> date:
    return timezone.localdate()


def _window(days: int, end: date | None) -> tuple[date, date]:
    end = end or _today() - timedelta(days=1)
    return end - timedelta(days=days - 1), end


def demand_history(
    *,
    variant_ids: Iterable[int] | None = None,
    days: int = HISTORY_DAYS,
    end: date | None = None,
) -> pd.DataFrame:
    """Columns series_id (variant id), date, quantity, stockout; complete days up to ``end``
    (default: yesterday). Variants with no demand in the window are left out."""
    start, end = _window(days, end)
    ids = None if variant_ids is None else list(variant_ids)
    ledger = _ledger(ids, start, end, ["variant_id"])
    imported = _imported(ids, start, end, by_warehouse=False)
    frame = _merge(ledger, imported, ["variant_id"])
    frame = frame.rename(columns={"variant_id": "series_id"})
    return frame[COLUMNS] if not frame.empty else pd.DataFrame(columns=COLUMNS)


def warehouse_demand_history(
    *,
    variant_ids: Iterable[int] | None = None,
    days: int = HISTORY_DAYS,
    end: date | None = None,
) -> pd.DataFrame:
    """Columns variant_id, warehouse_id, date, quantity, stockout, for the variants with
    demand in two or more warehouses in the window (other variants are left out)."""
    start, end = _window(days, end)
    ids = None if variant_ids is None else list(variant_ids)
    keys = ["variant_id", "warehouse_id"]
    ledger = _ledger(ids, start, end, keys)
    imported = _imported(ids, start, end, by_warehouse=True)
    frame = _merge(ledger, imported, keys)
    if frame.empty:
        return pd.DataFrame(columns=WAREHOUSE_COLUMNS)
    sold = frame[frame["quantity"] > 0].drop_duplicates(keys)
    split = sold.groupby("variant_id")["warehouse_id"].nunique()
    split = split[split >= 2].index
    # Pairs without a sale are left out too: nothing to forecast there.
    pairs = sold[sold["variant_id"].isin(split)][keys]
    frame = frame.merge(pairs, on=keys)
    frame[keys] = frame[keys].astype("int64")
    return frame[WAREHOUSE_COLUMNS].reset_index(drop=True)


def _merge(ledger: pd.DataFrame, imported: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Ledger rows first, so on a (series, day) both have the ledger's row is kept."""
    if imported.empty:
        return ledger
    if ledger.empty:
        return imported
    both = pd.concat([ledger, imported], ignore_index=True)
    both = both.drop_duplicates([*keys, "date"], keep="first")
    return both.sort_values([*keys, "date"], kind="stable").reset_index(drop=True)


def _imported(ids, start: date, end: date, *, by_warehouse: bool) -> pd.DataFrame:
    """Imported demand per day (per warehouse, or summed per variant), read with COPY: the
    bulk of a new company's history can be millions of rows."""
    keys = ["variant_id", "warehouse_id"] if by_warehouse else ["variant_id"]
    table = DemandHistory._meta.db_table
    where = ["date >= %s", "date <= %s"]
    params: list = [start, end]
    if by_warehouse:
        where.append("warehouse_id IS NOT NULL")
    if ids is not None:
        if not ids:
            return pd.DataFrame(columns=[*keys, "date", "quantity", "stockout"])
        where.append("variant_id = ANY(%s)")
        params.append(ids)
    # A plain scan streamed out (no GROUP BY): the database's sort-and-merge of millions of
    # rows cost far more than summing the few days imported both with and without a
    # warehouse in pandas.
    sql = (
        f"COPY (SELECT {', '.join(keys)}, date - %s AS day, quantity, stockout "
        f"FROM {table} WHERE {' AND '.join(where)}) TO STDOUT"
    )
    text = copy_out(sql, [start, *params])
    names = [*keys, "day", "quantity", "stockout"]
    if not text:
        return pd.DataFrame(columns=[*keys, "date", "quantity", "stockout"])
    rows = pd.read_csv(
        io.BytesIO(text),
        sep="\t",
        header=None,
        names=names,
        dtype={"quantity": float},
        true_values=["t"],
        false_values=["f"],
    )
    rows["stockout"] = rows["stockout"].astype(bool)
    if rows.duplicated([*keys, "day"]).any():
        rows = rows.groupby([*keys, "day"], as_index=False, sort=False).agg(
            quantity=("quantity", "sum"), stockout=("stockout", "all")
        )
    rows["date"] = pd.Timestamp(start) + pd.to_timedelta(rows.pop("day"), unit="D")
    return rows[[*keys, "date", "quantity", "stockout"]]


def _ledger(ids, start: date, end: date, keys: list[str]) -> pd.DataFrame:
    """Ledger demand per series (``keys``: the variant, or variant and warehouse) and day,
    from its first day with stock or a sale; two queries."""
    columns = [*keys, "date", "quantity", "stockout"]
    fields = {"variant_id": "variant_id", "warehouse_id": "location__warehouse_id"}
    moves = StockMove.objects.order_by()
    if ids is not None:
        moves = moves.filter(variant_id__in=ids)
    zero = Value(0, output_field=DecimalField(max_digits=14, decimal_places=3))
    group = {k: F(fields[k]) for k in keys if fields[k] != k}
    daily = (
        moves.filter(created_at__date__gte=start, created_at__date__lte=end)
        .annotate(day=TruncDate("created_at"), **group)
        .values(*keys, "day")
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
        list(daily.values_list(*keys, "day", "shipped", "returned", "net")),
        columns=[*keys, "day", "shipped", "returned", "net"],
    )
    if rows.empty:
        return pd.DataFrame(columns=columns)
    for key in ("shipped", "returned", "net"):
        rows[key] = rows[key].astype(float)
    selling = rows.groupby(keys)["shipped"].sum()
    selling = selling[selling > 0]
    if selling.empty:
        return pd.DataFrame(columns=columns)
    series = selling.index.to_frame(index=False)  # sorted keys, one row per series
    series["row"] = np.arange(len(series))
    rows = rows.merge(series, on=keys)
    opening = pd.DataFrame.from_records(
        list(
            moves.filter(
                variant_id__in=series["variant_id"].unique().tolist(), created_at__date__lt=start
            )
            .annotate(**group)
            .values(*keys)
            .annotate(total=Sum("quantity"))
            .values_list(*keys, "total")
        ),
        columns=[*keys, "total"],
    )
    balance = series.merge(opening, on=keys, how="left")["total"].fillna(0).astype(float)
    dates = pd.date_range(start, end, freq="D")
    r = rows["row"].to_numpy()
    c = (pd.to_datetime(rows["day"]) - pd.Timestamp(start)).dt.days.to_numpy()
    shape = (len(series), len(dates))
    shipped, returned, net = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    shipped[r, c] = rows["shipped"].to_numpy()
    returned[r, c] = rows["returned"].to_numpy()
    net[r, c] = rows["net"].to_numpy()
    open_balance = balance.to_numpy()
    end_of_day = open_balance[:, None] + np.cumsum(net, axis=1)
    start_of_day = np.concatenate([open_balance[:, None], end_of_day[:, :-1]], axis=1)
    stockout = (start_of_day <= 0) & (end_of_day <= 0) & (shipped <= 0)
    quantity = np.maximum(shipped - returned, 0.0)
    # A series starts on its first day with stock or a sale (not years of empty shelf).
    started = np.cumsum((start_of_day > 0) | (end_of_day > 0) | (shipped > 0), axis=1) > 0
    keep = started.ravel()
    out = {k: np.repeat(series[k].to_numpy(), len(dates))[keep] for k in keys}
    out.update(
        {
            "date": np.tile(dates, len(series))[keep],
            "quantity": quantity.ravel()[keep],
            "stockout": stockout.ravel()[keep],
        }
    )
    return pd.DataFrame(out)
