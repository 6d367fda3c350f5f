"""Exchange rates (managers and owners: the same people who set prices and price tiers)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.permissions import capability_required
from apps.sales.currency import company_currency, exchange_rate_delete, exchange_rate_set
from apps.sales.errors import SalesError
from apps.sales.models import Customer, ExchangeRate

CAPABILITY = "catalog.edit"


class ExchangeRateForm(forms.Form):
    currency = forms.CharField(max_length=3, label="Currency", help_text="e.g. EUR")
    rate = forms.CharField(max_length=30, label="Rate", help_text="How much one unit is worth.")


@require_http_methods(["GET", "POST"])
@capability_required(CAPABILITY)
def exchange_rates(request):
    home = company_currency()
    chosen = ExchangeRate.objects.filter(currency=request.GET.get("currency", "")).first()
    initial = (
        {"currency": chosen.currency, "rate": f"{chosen.rate.normalize():f}"} if chosen else {}
    )
    form = ExchangeRateForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                row = exchange_rate_set(
                    currency=form.cleaned_data["currency"],
                    rate=form.cleaned_data["rate"],
                    user=request.user,
                )
            except SalesError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"1 {row.currency} = {row.rate.normalize():f} {home}.")
                return redirect("sales:exchange_rates")
        status = 422
    rates = list(ExchangeRate.objects.select_related("updated_by"))
    known = {r.currency for r in rates} | {home}
    # Currencies customers are billed in that have no rate yet: their orders are refused.
    missing = sorted(
        set(Customer.objects.order_by().values_list("currency", flat=True).distinct()) - known
    )
    context = {"form": form, "rates": rates, "home": home, "missing": missing}
    return render(request, "sales/exchange_rates.html", context, status=status)


@require_POST
@capability_required(CAPABILITY)
def exchange_rate_remove(request, currency: str):
    row = get_object_or_404(ExchangeRate, currency=currency.strip().upper())
    exchange_rate_delete(currency=row.currency)
    messages.success(request, f"The rate of {currency.upper()} was removed.")
    return redirect("sales:exchange_rates")
