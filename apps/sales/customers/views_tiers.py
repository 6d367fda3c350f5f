"""Price tier settings (managers and owners: the same people who set prices)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from apps.accounts.permissions import capability_required
from apps.sales.customers import selectors
from apps.sales.customers.errors import CustomerError
from apps.sales.customers.forms import PriceTierForm
from apps.sales.customers.tiers import price_tier_delete, price_tier_save
from apps.sales.models import PriceTier

CAPABILITY = "catalog.edit"


@require_http_methods(["GET", "POST"])
@capability_required(CAPABILITY)
def tiers(request, pk: int | None = None):
    """The tier list with a form: a new tier, or the one being edited (``pk``)."""
    tier = get_object_or_404(PriceTier, pk=pk) if pk else None
    initial = (
        {
            "name": tier.name,
            "discount_percent": tier.discount_percent,
            "is_default": tier.is_default,
        }
        if tier
        else {"discount_percent": 0}
    )
    form = PriceTierForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = price_tier_save(tier=tier, **form.cleaned_data)
            except CustomerError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"Price tier {saved.name} saved.")
                return redirect("sales:customers:tiers")
        status = 422
    context = {"form": form, "tier": tier, "tiers": selectors.price_tiers()}
    return render(request, "sales/customers/tiers.html", context, status=status)


@require_http_methods(["GET", "POST"])
@capability_required(CAPABILITY)
def tier_delete(request, pk: int):
    tier = get_object_or_404(selectors.price_tiers(), pk=pk)
    if request.method == "GET":
        return render(request, "sales/customers/tier_delete.html", {"tier": tier})
    affected = price_tier_delete(tier=tier)
    note = (
        f" {affected} customer{'s' if affected != 1 else ''} now pay the selling price."
        if affected
        else ""
    )
    messages.success(request, f"Price tier {tier.name} deleted.{note}")
    return redirect("sales:customers:tiers")
