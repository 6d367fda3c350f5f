"""Products from a channel into the catalog, matched by SKU, mapped by external id.

Rules (docs/integrations.md): a channel variant already mapped updates its local variant's
price and product name when they differ (else it is skipped); an unmapped one is linked to
the local variant with the same SKU, or created through the catalog services. Variants
without a SKU are skipped: Stockroom counts stock by SKU. Stock quantities are never imported:
Stockroom owns them. The connection's field mapping (custom fields → barcode, brand, tag,
attributes…) is applied to every imported variant, new or already mapped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from apps.catalog.models import Product, Variant
from apps.catalog.services import CatalogError, product_create, variant_create
from apps.integrations import ids
from apps.integrations.field_map import mapped_values, variant_apply
from apps.integrations.models import Connection
from apps.integrations.sync import Recorder


@dataclass
class RemoteVariant:
    product_id: str
    product_title: str
    variant_id: str
    sku: str
    price: str | None = None
    options: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)  # what pushing stock needs later
    fields: dict = field(default_factory=dict)  # channel fields a field mapping can use

    @property
    def record(self) -> str:
        return f"{self.sku or '(no SKU)'} · {self.product_title} ({self.variant_id})"


def _price(value) -> Decimal | None:
    try:
        price = Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None
    return price if price is None or price >= 0 else None


def variant_upsert(connection: Connection, recorder: Recorder, remote: RemoteVariant) -> None:
    sku = (remote.sku or "").strip().upper()
    if not sku:
        recorder.count("skipped")
        return
    try:
        with transaction.atomic():
            outcome = _upsert(connection, remote, sku)
    except (CatalogError, IntegrityError) as exc:
        message = exc.message if isinstance(exc, CatalogError) else "Conflicts with another record."
        recorder.fail(remote.record, message)
        return
    recorder.count(outcome)


def _apply_field_map(connection: Connection, variant: Variant, remote: RemoteVariant) -> bool:
    """The connection's field mapping (apps/integrations/field_map.py) on this variant."""
    rules = connection.settings.get("field_map") or []
    if not rules:
        return False
    variant = Variant.objects.select_related("product").get(pk=variant.pk)
    return variant_apply(variant, mapped_values(rules, remote.fields))


def _upsert(connection: Connection, remote: RemoteVariant, sku: str) -> str:
    price = _price(remote.price)
    mapped = ids.local_for(connection, "variant", remote.variant_id)
    if mapped:
        variant = Variant.objects.select_related("product").get(pk=mapped.local_id)
        changed = False
        if price is not None and variant.sale_price != price:
            variant.sale_price = price
            variant.save(update_fields=["sale_price"])
            changed = True
        title = remote.product_title.strip()[:200]
        if title and variant.product.name != title:
            Product.objects.filter(pk=variant.product_id).update(name=title)
            changed = True
        if _apply_field_map(connection, variant, remote):
            changed = True
        data = {**remote.data, "pushed": mapped.data.get("pushed") or {}}
        if mapped.data != data:
            mapped.data = data
            mapped.save(update_fields=["data", "updated_at"])
        return "updated" if changed else "skipped"
    variant = Variant.objects.filter(sku__iexact=sku).first()
    outcome = "updated"
    if variant is None:
        product_link = ids.local_for(connection, "product", remote.product_id)
        if product_link:
            variant = variant_create(
                product=Product.objects.get(pk=product_link.local_id),
                sku=sku,
                options=remote.options,
                sale_price=price or Decimal(0),
            )
        else:
            product = product_create(
                name=remote.product_title or sku,
                sku=sku,
                options=remote.options,
                sale_price=price or Decimal(0),
            )
            variant = product.variants.get()
        outcome = "created"
    _apply_field_map(connection, variant, remote)
    if not ids.external_for(connection, "product", variant.product_id) and not ids.local_for(
        connection, "product", remote.product_id
    ):
        ids.link(connection, "product", local_id=variant.product_id, external_id=remote.product_id)
    ids.link(
        connection,
        "variant",
        local_id=variant.pk,
        external_id=remote.variant_id,
        data=remote.data,
    )
    return outcome
