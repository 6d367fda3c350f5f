"""Demand history: units sold per SKU and day (optionally per warehouse) from before the
company used Stockroom, so forecasts start with years of history instead of none. Rows go
to ``apps.forecasting`` (``DemandHistory``) in one upsert at confirm; the forecast merges
them with the ledger's demand (the ledger wins on days it covers)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models.functions import Upper
from django.utils import timezone

from apps.catalog.models import Variant
from apps.forecasting.history import HistoryDay, demand_history_import
from apps.forecasting.models import DemandHistory
from apps.importexport.importers.base import Column, Importer, Row, RowPlan, shown
from apps.inventory.models import Warehouse

DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y", "%d.%m.%Y")
OLDEST = dt.date(2000, 1, 1)


def _parse(text: str) -> dt.date | None:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


class DemandHistoryImporter(Importer):
    kind = "demand_history"
    label = "Demand history"
    description = (
        "Units sold per SKU and day before you used Stockroom (optionally per warehouse), "
        "so forecasts start with your history. Importing a day again replaces it; days the "
        "stock ledger already covers are taken from the ledger."
    )
    capability = "forecasting.run"
    columns = (
        Column("sku", "The variant's SKU.", "SHOE-M-RED", required=True, aliases=("variant_sku",)),
        Column(
            "date",
            "The day, as 2025-03-31 (or 31/03/2025).",
            "2025-03-31",
            required=True,
            aliases=("day",),
        ),
        Column(
            "quantity",
            "Units sold that day, net of returns (0 or more).",
            "7",
            required=True,
            aliases=("qty", "units", "sold", "demand"),
        ),
        Column(
            "warehouse",
            "Warehouse code it shipped from; blank: not known.",
            "MAIN",
            aliases=("warehouse_code",),
        ),
        Column(
            "stockout",
            "yes if the item was sold out that day (the forecast reads it as lost sales).",
            "no",
            aliases=("stock_out", "sold_out"),
        ),
    )

    def prepare(self, rows: list[Row]) -> None:
        skus = {(r.get("sku") or "").upper() for r in rows} - {""}
        self.variants = {
            v.sku.upper(): v
            for v in Variant.objects.annotate(key=Upper("sku")).filter(key__in=skus).only("sku")
        }
        self.warehouses = {w.code.upper(): w for w in Warehouse.objects.all()}
        days = {_parse(r.get("date") or "") for r in rows} - {None}
        self.existing = {
            (h.variant_id, h.warehouse_id, h.date): h
            for h in DemandHistory.objects.filter(
                variant_id__in=[v.pk for v in self.variants.values()], date__in=days
            ).only("variant_id", "warehouse_id", "date", "quantity", "stockout")
        }
        self.seen: dict[tuple, int] = {}
        self.today = timezone.localdate()

    def _date(self, row: Row) -> dt.date | None:
        text = row.get("date")
        if text is None:
            row.error("date", "Enter the day, as 2025-03-31.")
            return None
        day = _parse(text)
        if day is None:
            row.error("date", f"“{text}” is not a date. Write it as 2025-03-31.")
            return None
        if day >= self.today:
            row.error("date", f"{day} is not in the past: history is for days already over.")
            return None
        if day < OLDEST:
            row.error("date", f"{day} is before {OLDEST}: too old to help a forecast.")
            return None
        return day

    def plan(self, row: Row) -> RowPlan:
        sku = (row.get("sku") or "").upper()
        variant = self.variants.get(sku)
        if not sku:
            row.error("sku", "Enter a SKU.")
        elif variant is None:
            row.error("sku", f"No variant has the SKU {sku}.")
        code = (row.get("warehouse") or "").upper()
        warehouse = self.warehouses.get(code) if code else None
        if code and warehouse is None:
            row.error("warehouse", f"No warehouse has the code {code}.")
        day = self._date(row)
        quantity = None
        if row.get("quantity") is None:
            row.error("quantity", "Enter the units sold (0 or more).")
        else:
            quantity = row.decimal("quantity", minimum=Decimal(0), places=3)
        stockout = row.boolean("stockout") or False
        key_text = f"{sku} @ {code or '-'} {day or row.get('date') or ''}"
        if row.errors:
            return RowPlan(row.number, "error", key=key_text, errors=row.errors)
        key = (variant.pk, warehouse.pk if warehouse else None, day)
        if key in self.seen:
            row.error("date", f"{sku} on {day} appears twice (first on row {self.seen[key]}).")
            return RowPlan(row.number, "error", key=key_text, errors=row.errors)
        self.seen[key] = row.number
        data = {"day": HistoryDay(key[0], key[1], day, quantity, stockout)}
        old = self.existing.get(key)
        if old is None:
            return RowPlan(row.number, "create", key=key_text, data=data)
        changes = []
        if old.quantity != quantity:
            changes.append(["quantity", shown(old.quantity), shown(quantity)])
        if old.stockout != stockout:
            changes.append(["stockout", shown(old.stockout), shown(stockout)])
        if not changes:
            return RowPlan(row.number, "unchanged", key=key_text)
        return RowPlan(row.number, "update", key=key_text, changes=changes, data=data)

    def apply_many(self, plans: list[RowPlan]) -> None:
        demand_history_import(
            days=[p.data["day"] for p in plans], batch_id=self.batch.pk if self.batch else None
        )
