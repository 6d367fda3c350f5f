"""Opening stock and stock adjustments: moves posted through the stock ledger service.

Before the first row is posted, every balance and cost the import touches is locked in
the ledger's global order, and rows are posted in (variant, location) order, so an
import never deadlocks against other stock documents.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.db.models.functions import Upper

from apps.catalog.models import Variant
from apps.importexport.errors import ImportExportError
from apps.importexport.importers.base import Column, Importer, Row, RowPlan, shown
from apps.inventory.models import Location, StockLevel, StockMove, VariantCost, Warehouse
from apps.inventory.services import MoveLine, stock_moves_post

ZERO = Decimal("0")
REASONS = {
    **{v: v for v in StockMove.Reason.values},
    **{str(label).lower(): v for v, label in StockMove.Reason.choices},
}

PLACE_COLUMNS = (
    Column("sku", "The variant's SKU.", "SHOE-M-RED", required=True, aliases=("variant_sku",)),
    Column("warehouse", "Warehouse code.", "MAIN", required=True, aliases=("warehouse_code",)),
    Column(
        "location",
        "Location (bin) code in that warehouse; blank means its receiving location.",
        "A-01",
        aliases=("location_code", "bin"),
    ),
)


class _StockImporter(Importer):
    capability = "inventory.adjust"
    action_labels = {"create": "Post"}

    def prepare(self, rows: list[Row]) -> None:
        skus = {(r.get("sku") or "").upper() for r in rows} - {""}
        self.variants = {
            v.sku.upper(): v
            for v in Variant.objects.annotate(key=Upper("sku"))
            .filter(key__in=skus)
            .only("id", "sku", "cost_price")
        }
        self.warehouses = {w.code.upper(): w for w in Warehouse.objects.all()}
        self.locations = {
            (loc.warehouse_id, loc.code.upper()): loc for loc in Location.objects.all()
        }
        self.receiving = {
            loc.warehouse_id: loc
            for loc in self.locations.values()
            if loc.kind == Location.Kind.RECEIVING
        }
        self.levels = {
            (lv.variant_id, lv.location_id): [lv.on_hand, lv.reserved]
            for lv in StockLevel.objects.filter(variant__in=[v.pk for v in self.variants.values()])
        }
        self.allow_negative = bool(
            getattr(getattr(connection, "tenant", None), "allow_negative_stock", False)
        )

    def _place(self, row: Row):
        """(variant, location, "SKU @ WH/LOC", blockers) with missing things recorded as errors.

        ``blockers`` are (column, message) pairs that stop a move being posted here
        (an archived place, an in-transit location) but not a row that changes nothing.
        """
        sku = (row.get("sku") or "").upper()
        variant = self.variants.get(sku)
        if not sku:
            row.error("sku", "Enter a SKU.")
        elif variant is None:
            row.error("sku", f"No variant has the SKU {sku}.")
        code = (row.get("warehouse") or "").upper()
        warehouse = self.warehouses.get(code)
        location = None
        blockers: list[tuple[str, str]] = []
        loc_code = (row.get("location") or "").upper()
        if not code:
            row.error("warehouse", "Enter a warehouse code.")
        elif warehouse is None:
            row.error("warehouse", f"No warehouse has the code {code}.")
        else:
            if loc_code:
                location = self.locations.get((warehouse.pk, loc_code))
            else:
                location = self.receiving.get(warehouse.pk)
            if location is None:
                row.error(
                    "location", f"Warehouse {code} has no location {loc_code or 'RECEIVING'}."
                )
            elif not warehouse.is_active:
                blockers.append(("warehouse", f"Warehouse {code} is archived."))
            elif location.kind == Location.Kind.TRANSIT:
                blockers.append(
                    ("location", "Stock in transit moves only with transfers: choose a bin.")
                )
            elif not location.is_active:
                blockers.append(("location", f"Location {code}/{location.code} is archived."))
        key = f"{sku} @ {code}/{location.code if location else loc_code}"
        return variant, location, key, blockers

    def before_apply(self, plans: list[RowPlan]) -> None:
        """Lock every balance and cost the rows touch, up front, in the ledger's global
        order (levels by variant and location, then costs by variant).

        Rows are posted one by one (each has its own reason and note), and a later row
        would otherwise lock a balance while an earlier one already holds its variant's
        cost — the reverse of what every other stock document does, so two could
        deadlock. Locking is a read: the ledger service still does every write.
        """
        variant_ids = sorted({p.data["variant_id"] for p in plans})
        list(
            StockLevel.objects.select_for_update()
            .filter(variant_id__in=variant_ids)
            .order_by("variant_id", "location_id")
            .values_list("pk", flat=True)
        )
        list(
            VariantCost.objects.select_for_update()
            .filter(variant_id__in=variant_ids)
            .order_by("variant_id")
            .values_list("pk", flat=True)
        )

    def apply_order(self, plans: list[RowPlan]) -> list[RowPlan]:
        return sorted(
            plans, key=lambda p: (p.data.get("variant_id", 0), p.data.get("location_id", 0))
        )

    def _reference(self):
        return ("import", self.batch.pk if self.batch else "")


class OpeningStockImporter(_StockImporter):
    kind = "opening_stock"
    label = "Opening stock"
    description = (
        "Set the starting quantity of each SKU at each location (kind: opening balance). "
        "A location that already holds the same quantity is left alone, so a file can be "
        "imported again safely; one with other stock history needs an adjustment instead."
    )
    columns = (
        *PLACE_COLUMNS,
        Column(
            "quantity",
            "Quantity on hand to start with.",
            "12",
            required=True,
            aliases=("qty", "on_hand"),
        ),
        Column(
            "unit_cost",
            "Cost per unit; blank means the variant's cost price.",
            "21.40",
            aliases=("cost",),
        ),
    )

    def prepare(self, rows: list[Row]) -> None:
        super().prepare(rows)
        self.seen: dict[tuple[int, int], int] = {}

    def plan(self, row: Row) -> RowPlan:
        variant, location, key, blockers = self._place(row)
        quantity = row.decimal("quantity", minimum=ZERO, places=3)
        if row.get("quantity") is None:
            row.error("quantity", "Enter the quantity on hand (0 or more).")
        unit_cost = row.decimal("unit_cost", minimum=ZERO, places=4)
        pair = (variant.pk, location.pk) if variant and location else None
        if pair and pair in self.seen:
            row.error("sku", f"{key} appears twice in the file (first on row {self.seen[pair]}).")
        if pair:
            self.seen.setdefault(pair, row.number)
        if row.errors:
            return RowPlan(row.number, "error", key=key, errors=row.errors)
        level = self.levels.get(pair)
        if level is not None:
            if level[0] == quantity:
                return RowPlan(row.number, "unchanged", key=key)
            row.error(
                "quantity",
                f"{key} already has stock history (on hand {shown(level[0])}). Opening stock is set once; import a stock adjustment to change it.",
            )
            return RowPlan(row.number, "error", key=key, errors=row.errors)
        if quantity == 0:
            return RowPlan(row.number, "unchanged", key=key)
        for column, message in blockers:
            row.error(column, message)
        if row.errors:
            return RowPlan(row.number, "error", key=key, errors=row.errors)
        cost = unit_cost if unit_cost is not None else variant.cost_price
        self.levels[pair] = [quantity, ZERO]
        return RowPlan(
            row.number,
            "create",
            key=key,
            changes=[["on hand", "0", shown(quantity)], ["unit cost", "", shown(cost)]],
            data={
                "variant_id": variant.pk,
                "location_id": location.pk,
                "quantity": quantity,
                "unit_cost": cost,
            },
        )

    def apply(self, plan: RowPlan) -> None:
        data = plan.data
        # Locked, in the ledger's order: someone may have moved stock here since the preview.
        level = (
            StockLevel.objects.select_for_update()
            .filter(variant_id=data["variant_id"], location_id=data["location_id"])
            .first()
        )
        if level is not None and level.on_hand != 0:
            raise ImportExportError(
                f"{plan.key} received other stock since the preview (on hand {shown(level.on_hand)})."
            )
        stock_moves_post(
            lines=[
                MoveLine(
                    data["variant_id"], data["location_id"], data["quantity"], data["unit_cost"]
                )
            ],
            kind=StockMove.Kind.OPENING,
            user=self.user,
            note=f"Opening stock import #{self.batch.pk if self.batch else ''}",
            reference=self._reference(),
        )


class AdjustmentImporter(_StockImporter):
    kind = "adjustments"
    label = "Stock adjustments"
    description = "Add or remove stock with a reason (damaged, lost, found, expired, theft, correction, other)."
    columns = (
        *PLACE_COLUMNS,
        Column(
            "quantity",
            "Signed quantity: positive adds stock, negative removes it.",
            "-2",
            required=True,
            aliases=("qty", "change"),
        ),
        Column(
            "reason",
            "damaged, lost, found, expired, theft, correction or other.",
            "damaged",
            required=True,
        ),
        Column("note", "A note kept with the move.", "Water damage in aisle 3"),
        Column(
            "unit_cost",
            "Cost per unit of stock added; blank means the current average.",
            "",
            aliases=("cost",),
        ),
    )

    def plan(self, row: Row) -> RowPlan:
        variant, location, key, blockers = self._place(row)
        for column, message in blockers:
            row.error(column, message)
        quantity = row.decimal("quantity", places=3)
        if row.get("quantity") is None:
            row.error("quantity", "Enter a quantity: positive to add, negative to remove.")
        elif quantity == 0:
            row.error("quantity", "A quantity of 0 changes nothing: leave the row out.")
        reason = None
        if row.get("reason") is None:
            row.error(
                "reason",
                "Enter a reason: damaged, lost, found, expired, theft, correction or other.",
            )
        else:
            reason = REASONS.get(row.get("reason").lower())
            if reason is None:
                row.error(
                    "reason",
                    f"“{row.get('reason')}” is not a reason: use damaged, lost, found, expired, theft, correction or other.",
                )
        note = row.text("note", max_length=255) or ""
        unit_cost = row.decimal("unit_cost", minimum=ZERO, places=4)
        if row.errors:
            return RowPlan(row.number, "error", key=key, errors=row.errors)
        pair = (variant.pk, location.pk)
        on_hand, reserved = self.levels.get(pair, [ZERO, ZERO])
        after = on_hand + quantity
        allowed = quantity > 0 or (
            (after >= reserved or (self.allow_negative and reserved == 0))
            and (self.allow_negative or after >= 0)
        )
        if not allowed:
            row.error(
                "quantity",
                f"Not enough stock at {key}: {shown(-quantity)} to remove, {shown(on_hand - reserved)} available (after the rows above).",
            )
            return RowPlan(row.number, "error", key=key, errors=row.errors)
        self.levels[pair] = [after, reserved]
        return RowPlan(
            row.number,
            "create",
            key=key,
            changes=[["on hand", shown(on_hand), shown(after)], ["reason", "", reason]]
            + ([["note", "", note]] if note else []),
            data={
                "variant_id": variant.pk,
                "location_id": location.pk,
                "quantity": quantity,
                "unit_cost": unit_cost,
                "reason": reason,
                "note": note,
            },
        )

    def apply(self, plan: RowPlan) -> None:
        data = plan.data
        stock_moves_post(
            lines=[
                MoveLine(
                    data["variant_id"], data["location_id"], data["quantity"], data["unit_cost"]
                )
            ],
            kind=StockMove.Kind.ADJUSTMENT,
            reason=data["reason"],
            note=data["note"],
            user=self.user,
            reference=self._reference(),
        )


STOCK_LEVEL_HEADER = ["sku", "product", "warehouse", "location", "on_hand", "reserved", "available"]


def stock_level_rows(levels):
    for lv in levels.iterator(chunk_size=2000):
        yield [
            lv.variant.sku,
            lv.variant.product.name,
            lv.location.warehouse.code,
            lv.location.code,
            lv.on_hand,
            lv.reserved,
            lv.available_qty,
        ]
