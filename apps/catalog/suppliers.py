"""Writes on suppliers and supplier items (what a supplier sells us, per variant)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from apps.catalog.errors import CatalogError
from apps.catalog.models import Supplier, SupplierItem, Variant
from apps.tenants.services.currencies import CURRENCY_CODES

SUPPLIER_FIELDS = (
    "name",
    "contact_name",
    "email",
    "phone",
    "address",
    "currency",
    "payment_terms_days",
    "default_lead_time_days",
    "is_active",
)
ITEM_FIELDS = (
    "supplier_sku",
    "cost",
    "minimum_order_quantity",
    "pack_size",
    "lead_time_days",
    "is_preferred",
)


def _clean_supplier(values: dict, *, exclude_pk: int | None) -> dict:
    unknown = set(values) - set(SUPPLIER_FIELDS)
    if unknown:
        raise TypeError(f"unexpected supplier fields {sorted(unknown)}")
    cleaned = dict(values)
    if "name" in cleaned:
        name = (cleaned["name"] or "").strip()
        if not name:
            raise CatalogError("Enter the supplier's name.", field="name")
        if len(name) > 200:
            raise CatalogError("A supplier name has at most 200 characters.", field="name")
        if Supplier.objects.filter(name__iexact=name).exclude(pk=exclude_pk).exists():
            raise CatalogError(f"There is already a supplier called {name}.", field="name")
        cleaned["name"] = name
    if "email" in cleaned:
        email = (cleaned["email"] or "").strip()
        if email:
            try:
                validate_email(email)
            except ValidationError as exc:
                raise CatalogError(f"{email} is not an email address.", field="email") from exc
        cleaned["email"] = email
    if "currency" in cleaned:
        currency = (cleaned["currency"] or "").strip().upper()
        if currency not in CURRENCY_CODES:
            raise CatalogError(
                f"{currency or 'That'} is not a currency we know; use an ISO code like USD or EUR.",
                field="currency",
            )
        cleaned["currency"] = currency
    for field, label in (
        ("payment_terms_days", "Payment terms"),
        ("default_lead_time_days", "Lead time"),
    ):
        if field in cleaned:
            days = cleaned[field]
            if not isinstance(days, int) or not 0 <= days <= 365:
                raise CatalogError(f"{label} is a whole number of days (0–365).", field=field)
    for field in ("contact_name", "phone", "address"):
        if field in cleaned:
            cleaned[field] = (cleaned[field] or "").strip()
    return cleaned


def supplier_create(
    *,
    name: str,
    email: str = "",
    phone: str = "",
    contact_name: str = "",
    currency: str = "USD",
    payment_terms_days: int = 30,
    default_lead_time_days: int = 14,
    address: str = "",
    is_active: bool = True,
) -> Supplier:
    values = _clean_supplier(
        {
            "name": name,
            "email": email,
            "phone": phone,
            "contact_name": contact_name,
            "currency": currency,
            "payment_terms_days": payment_terms_days,
            "default_lead_time_days": default_lead_time_days,
            "address": address,
            "is_active": bool(is_active),
        },
        exclude_pk=None,
    )
    try:
        with transaction.atomic():
            return Supplier.objects.create(**values)
    except IntegrityError as exc:
        raise CatalogError(
            f"There is already a supplier called {values['name']}.", field="name"
        ) from exc


def supplier_update(*, supplier: Supplier, **changes) -> Supplier:
    values = _clean_supplier(changes, exclude_pk=supplier.pk)
    try:
        with transaction.atomic():
            Supplier.objects.filter(pk=supplier.pk).update(**values)
    except IntegrityError as exc:
        raise CatalogError("There is already a supplier with that name.", field="name") from exc
    supplier.refresh_from_db()
    return supplier


def supplier_archive(*, supplier: Supplier) -> Supplier:
    """Archived suppliers drop out of purchase-order pickers; their orders and items stay."""
    return supplier_update(supplier=supplier, is_active=False)


def supplier_unarchive(*, supplier: Supplier) -> Supplier:
    return supplier_update(supplier=supplier, is_active=True)


# --- supplier items -----------------------------------------------------------------


def _clean_item(values: dict) -> dict:
    unknown = set(values) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"unexpected supplier item fields {sorted(unknown)}")
    cleaned = dict(values)
    if "supplier_sku" in cleaned:
        cleaned["supplier_sku"] = (cleaned["supplier_sku"] or "").strip()[:64]
    for field, label, minimum in (
        ("cost", "Cost", Decimal(0)),
        ("minimum_order_quantity", "Minimum order quantity", Decimal("0.001")),
        ("pack_size", "Pack size", Decimal("0.001")),
    ):
        if field in cleaned:
            try:
                value = Decimal(str(cleaned[field]))
            except ArithmeticError as exc:
                raise CatalogError(f"{label} must be a number.", field=field) from exc
            if not value.is_finite() or value < minimum:
                raise CatalogError(
                    f"{label} must be {'0 or more' if minimum == 0 else 'more than 0'}.",
                    field=field,
                )
            if value > Decimal("9999999999"):
                raise CatalogError(f"{label} is too large.", field=field)
            cleaned[field] = value
    if "lead_time_days" in cleaned and cleaned["lead_time_days"] not in (None, ""):
        days = cleaned["lead_time_days"]
        if not isinstance(days, int) or not 0 <= days <= 365:
            raise CatalogError(
                "Lead time is a whole number of days (0–365).", field="lead_time_days"
            )
    elif "lead_time_days" in cleaned:
        cleaned["lead_time_days"] = None
    if "is_preferred" in cleaned:
        cleaned["is_preferred"] = bool(cleaned["is_preferred"])
    return cleaned


def _lock_variant(variant_id: int) -> None:
    # Serialises preferred-flag changes of one variant (one preferred supplier each).
    list(Variant.objects.select_for_update().filter(pk=variant_id).values_list("pk"))


def supplier_item_create(*, supplier: Supplier, variant: Variant, **values) -> SupplierItem:
    """Record that ``supplier`` sells ``variant``. The first supplier of a variant becomes its
    preferred one; marking another preferred unmarks the previous one."""
    values = _clean_item(values)
    with transaction.atomic():
        _lock_variant(variant.pk)
        if SupplierItem.objects.filter(supplier=supplier, variant=variant).exists():
            raise CatalogError(
                f"{supplier.name} already has an item for {variant.sku}; edit that one.",
                field="variant",
            )
        has_preferred = SupplierItem.objects.filter(variant=variant, is_preferred=True).exists()
        preferred = values.pop("is_preferred", not has_preferred)
        if preferred:
            SupplierItem.objects.filter(variant=variant, is_preferred=True).update(
                is_preferred=False
            )
        return SupplierItem.objects.create(
            supplier=supplier, variant=variant, is_preferred=preferred, **values
        )


def supplier_item_update(*, item: SupplierItem, **changes) -> SupplierItem:
    values = _clean_item(changes)
    with transaction.atomic():
        _lock_variant(item.variant_id)
        if values.get("is_preferred"):
            SupplierItem.objects.filter(variant_id=item.variant_id, is_preferred=True).exclude(
                pk=item.pk
            ).update(is_preferred=False)
        SupplierItem.objects.filter(pk=item.pk).update(**values)
    item.refresh_from_db()
    return item


def supplier_item_delete(*, item: SupplierItem) -> None:
    """Remove an item; if it was preferred, the cheapest remaining supplier takes over."""
    with transaction.atomic():
        _lock_variant(item.variant_id)
        was_preferred = item.is_preferred
        variant_id = item.variant_id
        item.delete()
        if was_preferred:
            successor = (
                SupplierItem.objects.filter(variant_id=variant_id).order_by("cost", "pk").first()
            )
            if successor is not None:
                SupplierItem.objects.filter(pk=successor.pk).update(is_preferred=True)
