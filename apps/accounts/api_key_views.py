"""The owner's page for API keys: create (shown once), rotate, revoke, see use."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.db.models import Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.models import ApiKey
from apps.accounts.permissions import capability_required
from apps.accounts.services.api_keys import api_key_create, api_key_revoke, api_key_rotate
from apps.accounts.services.errors import AccountError
from apps.api.models import ApiUsage

SCOPE_CHOICES = [
    (f"{area}:{mode}", f"{area.title()}: {'read and write' if mode == 'write' else 'read only'}")
    for area in ApiKey.AREAS
    for mode in ("read", "write")
]


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What uses it, e.g. “Warehouse scanner app”.")
    scopes = forms.MultipleChoiceField(
        choices=SCOPE_CHOICES, widget=forms.CheckboxSelectMultiple, label="Scopes"
    )
    expires_on = forms.DateField(
        required=False,
        label="Expires on",
        help_text="Leave empty for a key that does not expire.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def _expiry(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time.max))


@require_http_methods(["GET", "POST"])
@capability_required("api_keys.manage")
def api_keys(request):
    form = ApiKeyForm(request.POST or None)
    new_raw = None
    if request.method == "POST" and form.is_valid():
        try:
            key, new_raw = api_key_create(
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                created_by=request.user,
                expires_at=_expiry(form.cleaned_data["expires_on"]),
            )
        except AccountError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            form = ApiKeyForm()
    context = {"form": form, "keys": _keys_with_use(), "new_raw": new_raw, "now": timezone.now()}
    return render(request, "accounts/api_keys.html", context, status=422 if form.errors else 200)


def _keys_with_use():
    since = timezone.now().date() - dt.timedelta(days=6)
    recent = Q(usage__day__gte=since)
    return (
        ApiKey.objects.select_related("created_by")
        .annotate(
            week_requests=Sum("usage__requests", filter=recent),
            week_errors=Sum("usage__errors", filter=recent),
        )
        .order_by("revoked_at", "-created_at")
    )


USAGE_DAYS = 30


@require_GET
@capability_required("api_keys.manage")
def api_key_usage(request, pk: int):
    """Requests and errors of one key per day over the last 30 days (days without use too)."""
    key = get_object_or_404(ApiKey.objects.select_related("created_by"), pk=pk)
    today = timezone.now().date()
    since = today - dt.timedelta(days=USAGE_DAYS - 1)
    counted = {
        row.day: row
        for row in ApiUsage.objects.filter(api_key=key, day__gte=since).only(
            "day", "requests", "errors"
        )
    }
    days = []
    for offset in range(USAGE_DAYS):
        day = today - dt.timedelta(days=offset)
        row = counted.get(day)
        days.append(
            {
                "day": day,
                "requests": row.requests if row else 0,
                "errors": row.errors if row else 0,
            }
        )
    totals = {
        "requests": sum(d["requests"] for d in days),
        "errors": sum(d["errors"] for d in days),
    }
    context = {"key": key, "days": days, "totals": totals, "usage_days": USAGE_DAYS}
    return render(request, "accounts/api_key_usage.html", context)


@require_POST
@capability_required("api_keys.manage")
def api_key_action(request, pk: int, action: str):
    key = get_object_or_404(ApiKey, pk=pk)
    if action == "revoke":
        api_key_revoke(key=key)
        messages.success(request, f"Key “{key.name}” revoked. Anything using it stops working now.")
        return redirect("accounts:api_keys")
    try:
        _, raw = api_key_rotate(key=key, by=request.user)
    except AccountError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:api_keys")
    context = {
        "form": ApiKeyForm(),
        "keys": _keys_with_use(),
        "new_raw": raw,
        "now": timezone.now(),
    }
    return render(request, "accounts/api_keys.html", context)
