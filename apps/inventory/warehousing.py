"""Writes on warehouses and their locations (not on stock: that is services.py)."""

from __future__ import annotations

import re

from django.db import transaction

from apps.inventory.models import Location, Warehouse
from apps.inventory.services import InventoryError

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_.-]{0,39}$")


def _code(value: str, what: str) -> str:
    code = (value or "").strip().upper()
    if not _CODE.match(code):
        raise InventoryError(f"A {what} code is 1–40 letters, digits, dots, dashes or underscores.")
    return code


def warehouse_create(*, code: str, name: str, address: str = "") -> Warehouse:
    """A warehouse with its receiving and in-transit locations."""
    code = _code(code, "warehouse")
    if not (name or "").strip():
        raise InventoryError("Enter the warehouse's name.")
    if Warehouse.objects.filter(code=code).exists():
        raise InventoryError(f"There is already a warehouse with the code {code}.")
    with transaction.atomic():
        warehouse = Warehouse.objects.create(code=code, name=name.strip(), address=address)
        Location.objects.create(
            warehouse=warehouse, code="RECEIVING", name="Receiving", kind=Location.Kind.RECEIVING
        )
        Location.objects.create(
            warehouse=warehouse, code="TRANSIT", name="In transit", kind=Location.Kind.TRANSIT
        )
    return warehouse


def location_create(
    *,
    warehouse: Warehouse,
    code: str,
    kind: str = Location.Kind.BIN,
    parent: Location | None = None,
    name: str = "",
) -> Location:
    code = _code(code, "location")
    if kind in (Location.Kind.RECEIVING, Location.Kind.TRANSIT):
        raise InventoryError("Each warehouse already has its receiving and in-transit locations.")
    if kind not in Location.Kind.values:
        raise InventoryError("Choose what kind of location this is.")
    if parent is not None and parent.warehouse_id != warehouse.pk:
        raise InventoryError("A location's parent must be in the same warehouse.")
    if Location.objects.filter(warehouse=warehouse, code=code).exists():
        raise InventoryError(f"{warehouse.code} already has a location {code}.")
    return Location.objects.create(
        warehouse=warehouse, code=code, kind=kind, parent=parent, name=name
    )
