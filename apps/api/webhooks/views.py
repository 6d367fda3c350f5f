"""Developers → Webhooks: endpoints, their secret, the delivery log, redeliver, test event."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.permissions import capability_required
from apps.api.models import WebhookDelivery, WebhookEndpoint
from apps.api.webhooks import services
from apps.api.webhooks.events import EVENTS
from apps.core.htmx import render_page_or_partial
from apps.core.pagination import paginate, query_without


class EndpointForm(forms.Form):
    url = forms.URLField(max_length=500, label="Address (URL)", assume_scheme="https")
    description = forms.CharField(max_length=200, required=False)
    events = forms.MultipleChoiceField(
        choices=[(code, f"{code} — {label}") for code, label in EVENTS.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(required=False, initial=True, label="On")


def _save(form, endpoint=None):
    data = form.cleaned_data
    try:
        if endpoint is None:
            return services.webhook_endpoint_create(
                url=data["url"], events=data["events"], description=data["description"]
            )
        return services.webhook_endpoint_update(
            endpoint=endpoint,
            url=data["url"],
            events=data["events"],
            description=data["description"],
            is_active=data["is_active"],
        )
    except services.WebhookError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None


@require_http_methods(["GET", "POST"])
@capability_required("api_keys.manage")
def endpoints(request):
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        endpoint = _save(form)
        if endpoint:
            messages.success(request, "Webhook added. Copy its signing secret from its page.")
            return redirect("developers:webhook", endpoint.pk)
    context = {"form": form, "endpoints": WebhookEndpoint.objects.all()}
    return render(request, "api/webhooks.html", context, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@capability_required("api_keys.manage")
def endpoint_detail(request, pk: int):
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    initial = {
        "url": endpoint.url,
        "description": endpoint.description,
        "events": endpoint.events,
        "is_active": endpoint.is_active,
    }
    form = EndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and _save(form, endpoint):
        messages.success(request, "Webhook saved.")
        return redirect("developers:webhook", endpoint.pk)
    deliveries = endpoint.deliveries.all()
    state = request.GET.get("state", "")
    if state in WebhookDelivery.State.values:
        deliveries = deliveries.filter(state=state)
    context = {
        "endpoint": endpoint,
        "form": form,
        "page": paginate(request, deliveries),
        "state": state,
        "states": WebhookDelivery.State.choices,
        "base": "?" + query_without(request, "page"),
    }
    return render_page_or_partial(
        request,
        "api/webhook_detail.html",
        "delivery-table",
        context,
        status=422 if form.errors else 200,
    )


@require_GET
@capability_required("api_keys.manage")
def endpoint_secret(request, pk: int):
    """The signing secret, revealed on request (HTMX swaps it into the page)."""
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    return render(request, "api/webhook_secret.html", {"endpoint": endpoint})


@require_POST
@capability_required("api_keys.manage")
def endpoint_test(request, pk: int):
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    count = services.webhook_endpoint_test(endpoint=endpoint)
    messages.success(
        request,
        "Test event queued; it appears in the log within seconds."
        if count
        else "This webhook is off; turn it on to send.",
    )
    return redirect("developers:webhook", endpoint.pk)


@require_POST
@capability_required("api_keys.manage")
def delivery_redeliver(request, pk: int):
    delivery = get_object_or_404(WebhookDelivery, pk=pk)
    services.webhook_redeliver(delivery=delivery)
    messages.success(request, f"Delivery {delivery.pk} queued again.")
    return redirect("developers:webhook", delivery.endpoint_id)


@require_POST
@capability_required("api_keys.manage")
def endpoint_delete(request, pk: int):
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    services.webhook_endpoint_delete(endpoint=endpoint)
    messages.success(request, f"Webhook to {endpoint.url} deleted with its delivery log.")
    return redirect("developers:webhooks")
