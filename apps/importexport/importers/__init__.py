"""The importers, by kind. Each knows its columns, its capability and how to plan and apply a row."""

from __future__ import annotations

from apps.importexport.importers.base import Importer
from apps.importexport.importers.customers import CustomerImporter
from apps.importexport.importers.demand_history import DemandHistoryImporter
from apps.importexport.importers.products import ProductImporter
from apps.importexport.importers.stock import AdjustmentImporter, OpeningStockImporter
from apps.importexport.importers.suppliers import SupplierImporter

IMPORTERS: dict[str, type[Importer]] = {
    cls.kind: cls
    for cls in (
        ProductImporter,
        SupplierImporter,
        OpeningStockImporter,
        AdjustmentImporter,
        CustomerImporter,
        DemandHistoryImporter,
    )
}


def importer_for(kind: str) -> type[Importer] | None:
    return IMPORTERS.get(kind)
