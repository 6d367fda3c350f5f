"""Integrations pages: connections with their health, connect flows, sync log, retry."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.permissions import capability_required
from apps.core.htmx import render_page_or_partial
from apps.core.models import JobProgress
from apps.core.pagination import paginate
from apps.integrations import inbox, selectors, services, sync
from apps.integrations.errors import IntegrationError
from apps.integrations.field_map import providers_with_mapping
from apps.integrations.forms import (
    FieldMapForm,
    LocationMapForm,
    ShopifyConnectForm,
    StripeConnectForm,
    WooCommerceConnectForm,
)
from apps.integrations.models import Connection, InboxEvent, Provider, SyncRun
from apps.integrations.providers import shopify, stripe, woocommerce

SESSION_KEY = "shopify_oauth"
MANAGE = "integrations.manage"


@require_GET
@capability_required(MANAGE)
def index(request):
    return render(
        request,
        "integrations/index.html",
        {
            "connections": list(selectors.connections_with_health()),
            "webhooks": selectors.outbound_webhooks_with_health(),
            "providers": Provider,
        },
    )


def _start_first_import(request, connection: Connection):
    try:
        sync.sync_run_start(connection=connection, entity="products", trigger="connect")
    except IntegrationError as exc:
        messages.error(request, exc.message)
    return redirect("integrations:detail", connection.pk)


# --- Shopify (OAuth) -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@capability_required(MANAGE)
def shopify_connect(request):
    form = ShopifyConnectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            shop_url = shopify.shop_url_clean(form.cleaned_data["shop"])
            state = shopify.oauth_state()
            url = shopify.oauth_authorize_url(
                shop_url=shop_url,
                redirect_uri=request.build_absolute_uri(reverse("integrations:shopify_callback")),
                state=state,
            )
        except IntegrationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            request.session[SESSION_KEY] = {
                "state": state,
                "shop_url": shop_url,
                "name": form.cleaned_data["name"],
            }
            return redirect(url)
    return render(
        request, "integrations/connect.html", {"form": form, "provider": "Shopify", "oauth": True}
    )


@require_GET
@capability_required(MANAGE)
def shopify_callback(request):
    pending = request.session.pop(SESSION_KEY, None) or {}
    params = {k: v for k, v in request.GET.items()}
    try:
        shopify.oauth_callback_verify(params, expected_state=pending.get("state"))
        connection = shopify.connection_connect(
            shop_url=pending["shop_url"],
            code=params.get("code", ""),
            name=pending.get("name", ""),
            hook_base=request.build_absolute_uri("/hooks/shopify/"),
        )
    except IntegrationError as exc:
        messages.error(request, exc.message)
        return redirect("integrations:shopify_connect")
    messages.success(request, f"{connection.name} is connected. The first import has started.")
    return _start_first_import(request, connection)


# --- API-key providers ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@capability_required(MANAGE)
def woocommerce_connect(request):
    form = WooCommerceConnectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            connection = woocommerce.connection_connect(
                name=data["name"],
                url=data["url"],
                consumer_key=data["consumer_key"],
                consumer_secret=data["consumer_secret"],
                warehouse=data["warehouse"],
                hook_base=request.build_absolute_uri("/hooks/woocommerce/"),
            )
        except IntegrationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request, f"{connection.name} is connected. The first import has started."
            )
            return _start_first_import(request, connection)
    return render(request, "integrations/connect.html", {"form": form, "provider": "WooCommerce"})


@require_http_methods(["GET", "POST"])
@capability_required(MANAGE)
def stripe_connect(request):
    form = StripeConnectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            connection = stripe.connection_connect(
                name=form.cleaned_data["name"],
                secret_key=form.cleaned_data["secret_key"],
                hook_base=request.build_absolute_uri("/hooks/stripe/"),
            )
        except IntegrationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"{connection.name} is connected.")
            return redirect("integrations:detail", connection.pk)
    return render(request, "integrations/connect.html", {"form": form, "provider": "Stripe"})


# --- one connection -------------------------------------------------------------------------


@require_GET
@capability_required(MANAGE)
def detail(request, pk: int):
    connection = get_object_or_404(Connection, pk=pk)
    return _detail(request, connection)


def _detail(request, connection: Connection, *, field_map_form=None, status: int = 200):
    running = selectors.run_in_progress(connection=connection)
    job = (
        JobProgress.objects.filter(pk=running.job_id).first()
        if running and running.job_id
        else None
    )
    state = request.GET.get("state", "")
    entities = sync.entities_for(connection.provider)
    context = {
        "connection": connection,
        "page": paginate(request, selectors.sync_runs(connection=connection, state=state)),
        "state": state,
        "states": SyncRun.State.choices,
        "running": running,
        "job": job,
        "inbox": selectors.inbox_recent(connection=connection),
        "map_form": LocationMapForm(connection=connection)
        if connection.provider in ("shopify", "woocommerce", "amazon")
        else None,
        "field_map_form": field_map_form
        or (
            FieldMapForm(connection=connection)
            if connection.provider in providers_with_mapping()
            else None
        ),
        "hook_url": request.build_absolute_uri(
            reverse("hooks:receive", args=[connection.provider, connection.pk])
        ),
        "entities": entities,
        "last_syncs": [
            (label, parse_datetime(connection.last_sync(entity) or ""))
            for entity, label in entities.items()
        ],
    }
    return render_page_or_partial(
        request, "integrations/detail.html", "run-table", context, status=status
    )


@require_POST
@capability_required(MANAGE)
def field_map_save(request, pk: int):
    connection = get_object_or_404(Connection, pk=pk)
    if connection.provider not in providers_with_mapping():
        raise Http404("This channel has no field mapping.")
    form = FieldMapForm(request.POST, connection=connection)
    if form.is_valid():
        try:
            rules = services.connection_field_map_save(
                connection=connection, text=form.cleaned_data["field_map"]
            )
        except IntegrationError as exc:
            form.add_error("field_map", exc.message)
        else:
            messages.success(
                request,
                f"Field mapping saved ({len(rules)} line{'s' if len(rules) != 1 else ''}). "
                "It applies from the next product import.",
            )
            return redirect("integrations:detail", pk)
    return _detail(request, connection, field_map_form=form, status=422)


@require_POST
@capability_required(MANAGE)
def locations_save(request, pk: int):
    connection = get_object_or_404(Connection, pk=pk)
    form = LocationMapForm(request.POST, connection=connection)
    if form.is_valid():
        services.connection_settings_save(
            connection=connection, settings={"locations": form.mapping()}
        )
        messages.success(request, "Warehouse mapping saved.")
    else:
        messages.error(request, "Choose a warehouse from the list for each location.")
    return redirect("integrations:detail", pk)


@require_POST
@capability_required(MANAGE)
def sync_start(request, pk: int, entity: str):
    connection = get_object_or_404(Connection, pk=pk)
    try:
        sync.sync_run_start(connection=connection, entity=entity)
    except IntegrationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{sync.ENTITIES[entity]} started.")
    return redirect("integrations:detail", pk)


@require_POST
@capability_required(MANAGE)
def run_retry(request, pk: int, run_id: int):
    run = get_object_or_404(
        SyncRun.objects.select_related("connection"), pk=run_id, connection_id=pk
    )
    try:
        sync.sync_run_retry(run=run)
    except IntegrationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Retry started: it resumes where the failed run stopped.")
    return redirect("integrations:detail", pk)


@require_POST
@capability_required(MANAGE)
def inbox_retry(request, pk: int, event_id: int):
    event = get_object_or_404(InboxEvent, pk=event_id, connection_id=pk)
    try:
        inbox.inbox_retry(event=event)
    except IntegrationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The webhook will be processed again.")
    return redirect("integrations:detail", pk)


@require_http_methods(["GET", "POST"])
@capability_required(MANAGE)
def status_change(request, pk: int, action: str):
    connection = get_object_or_404(Connection, pk=pk)
    if action not in ("pause", "resume", "disconnect"):
        raise PermissionDenied("Unknown action.")
    if request.method == "GET":  # the confirmation
        return render(
            request, "integrations/confirm.html", {"connection": connection, "action": action}
        )
    try:
        if action == "pause":
            services.connection_pause(connection=connection)
        elif action == "resume":
            services.connection_resume(connection=connection)
        else:
            services.connection_disconnect(
                connection=connection, reason="Disconnected by a person."
            )
    except IntegrationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{connection.name}: {connection.get_status_display().lower()}.")
    return redirect("integrations:detail", pk)
