"""Writes on price tiers: a name and a discount off the selling price; at most one default
(given to new customers without a tier)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction

from apps.sales.customers.errors import CustomerError
from apps.sales.models import PriceTier


def price_tier_save(
    *,
    tier: PriceTier | None = None,
    name: str,
    discount_percent: Decimal | str,
    is_default: bool = False,
) -> PriceTier:
    name = " ".join((name or "").split())
    if not name:
        raise CustomerError("Enter the tier's name.", field="name")
    if len(name) > 60:
        raise CustomerError("The name is too long: at most 60 characters.", field="name")
    try:
        discount = Decimal(str(discount_percent))
    except InvalidOperation:
        raise CustomerError(
            f"“{discount_percent}” is not a number.", field="discount_percent"
        ) from None
    if not discount.is_finite() or not Decimal("0") <= discount <= Decimal("100"):
        raise CustomerError("The discount must be between 0 and 100 %.", field="discount_percent")
    if discount != discount.quantize(Decimal("0.01")):
        raise CustomerError(
            "The discount takes at most two decimal places.", field="discount_percent"
        )
    taken = PriceTier.objects.filter(name__iexact=name)
    if tier is not None:
        taken = taken.exclude(pk=tier.pk)
    if taken.exists():
        raise CustomerError(f"There is already a price tier called {name}.", field="name")
    with transaction.atomic():
        if is_default:
            others = PriceTier.objects.select_for_update().filter(is_default=True)
            if tier is not None:
                others = others.exclude(pk=tier.pk)
            others.update(is_default=False)
        tier = tier or PriceTier()
        tier.name = name
        tier.discount_percent = discount
        tier.is_default = is_default
        tier.save()
    return tier


def price_tier_delete(*, tier: PriceTier) -> int:
    """Delete a tier; its customers keep their other details and get no tier (they pay the
    selling price). Returns how many customers that affected."""
    with transaction.atomic():
        affected = tier.customers.count()
        tier.delete()
    return affected
