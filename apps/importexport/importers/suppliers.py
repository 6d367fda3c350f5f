"""Suppliers: created or updated by name (ignoring case)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower

from apps.catalog.models import Supplier
from apps.catalog.services import supplier_create
from apps.importexport.importers import catalog_writes
from apps.importexport.importers.base import Column, Importer, Row, RowPlan, diff, shown

COLUMNS = (
    Column(
        "name",
        "Supplier name: the key. An existing name is updated, a new one created.",
        "Acme Wholesale",
        required=True,
        aliases=("supplier", "supplier_name"),
    ),
    Column("contact_name", "Contact person.", "Dana Reyes", aliases=("contact",)),
    Column("email", "Email address.", "orders@acme.example"),
    Column("phone", "Phone number.", "+1 555 0100"),
    Column("address", "Postal address.", "1 Dock Road, Springfield"),
    Column("currency", "Three-letter currency code.", "USD"),
    Column("payment_terms_days", "Payment terms in days.", "30", aliases=("payment_terms",)),
    Column(
        "default_lead_time_days",
        "Usual lead time in days.",
        "14",
        aliases=("lead_time_days", "lead_time"),
    ),
    Column("active", "yes or no.", "yes", aliases=("is_active",)),
)
FIELDS = (
    "contact_name",
    "email",
    "phone",
    "address",
    "currency",
    "payment_terms_days",
    "default_lead_time_days",
    "is_active",
)


class SupplierImporter(Importer):
    kind = "suppliers"
    label = "Suppliers"
    description = "Create or update suppliers by name."
    capability = "catalog.edit"
    columns = COLUMNS

    def prepare(self, rows: list[Row]) -> None:
        names = {(r.get("name") or "").lower() for r in rows} - {""}
        self.existing = {
            s.name.lower(): s
            for s in Supplier.objects.annotate(key=Lower("name")).filter(key__in=names)
        }
        self.seen: dict[str, int] = {}

    def plan(self, row: Row) -> RowPlan:
        name = row.text("name", max_length=200)
        if not name and not row.errors:
            row.error("name", "Enter the supplier's name.")
        elif name and name.lower() in self.seen:
            row.error(
                "name",
                f"“{name}” appears twice in the file (first on row {self.seen[name.lower()]}).",
            )
        email = row.text("email", max_length=254)
        if email:
            try:
                validate_email(email)
            except ValidationError:
                row.error("email", f"“{email}” is not an email address.")
        currency = row.get("currency")
        if currency is not None:
            currency = currency.upper()
            if len(currency) != 3 or not currency.isalpha():
                row.error(
                    "currency",
                    f"“{row.get('currency')}” is not a three-letter currency code like USD.",
                )
        values = {
            "contact_name": row.text("contact_name", max_length=120),
            "email": email,
            "phone": row.text("phone", max_length=40),
            "address": row.get("address"),
            "currency": currency,
            "payment_terms_days": row.integer("payment_terms_days", maximum=3650),
            "default_lead_time_days": row.integer("default_lead_time_days", maximum=3650),
            "is_active": row.boolean("active"),
        }
        if name:
            self.seen.setdefault(name.lower(), row.number)
        if row.errors:
            return RowPlan(row.number, "error", key=name or "", errors=row.errors)
        values = {k: v for k, v in values.items() if v is not None}
        supplier = self.existing.get(name.lower())
        if supplier is None:
            changes = [[k, "", shown(v)] for k, v in values.items()]
            return RowPlan(
                row.number,
                "create",
                key=name,
                changes=changes,
                data={"name": name, "values": values},
            )
        changes: list[list[str]] = []
        for field in FIELDS:
            diff(changes, field, getattr(supplier, field), values.get(field))
        return RowPlan(
            row.number,
            "update" if changes else "unchanged",
            key=supplier.name,
            changes=changes,
            data={"supplier": supplier, "values": values},
        )

    def apply(self, plan: RowPlan) -> None:
        values = dict(plan.data["values"])
        if plan.action == "create":
            active = values.pop("is_active", True)
            supplier = supplier_create(name=plan.data["name"], **values)
            if not active:
                catalog_writes.fields_update(supplier, {"is_active": False})
        else:
            catalog_writes.fields_update(plan.data["supplier"], values)


def supplier_rows():
    for s in Supplier.objects.order_by("name").iterator(chunk_size=1000):
        yield [
            s.name,
            s.contact_name,
            s.email,
            s.phone,
            s.address,
            s.currency,
            s.payment_terms_days,
            s.default_lead_time_days,
            "yes" if s.is_active else "no",
        ]
