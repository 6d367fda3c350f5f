"""WooCommerce (REST API v3): key connection, products and variations in, stock out, webhooks.

- Connect: consumer key and secret (HTTP Basic over HTTPS), checked with one products call;
  webhooks for product and order topics are created through the API with a secret we
  generate, so deliveries can be verified (``X-WC-Webhook-Signature``).
- Products: ``/products`` pages (``orderby=modified``, ``modified_after`` for incremental
  runs, page number saved as the cursor after every page); variable products bring their
  ``/variations`` (their attributes become variant options). Matched by SKU like every
  channel. Categories fill in the product's catalog category by name path
  (``woocommerce_categories``).
- Customers: ``/customers`` pages into sales customers (``customers_import``: mapped by id,
  linked by email, else created). The customers endpoint has no ``modified_after``, so every
  run pages through all of them by id and hands on only those modified since the last run.
- Orders: ``/orders`` pages changed since the last run (``modified_after``, page number as
  the cursor, like products; the first run looks back a week), each through the same rules
  as the order webhooks, so an order that came by webhook is skipped; hourly with products.
- Stock: WooCommerce has one stock quantity per product or variation; one warehouse feeds it.
  Sent with the batch endpoints; the last value sent is remembered so an unchanged quantity
  is not sent again.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.integrations.addresses import base_url_clean
from apps.integrations.catalog_sync import RemoteVariant, variant_upsert
from apps.integrations.customers_import import RemoteCustomer, customer_upsert
from apps.integrations.errors import IntegrationError
from apps.integrations.http_client import ApiClient
from apps.integrations.models import Connection, InboxEvent, Provider
from apps.integrations.orders import (
    RemoteLine,
    RemoteOrder,
    decimal_or_none,
    order_cancel,
    order_import,
)
from apps.integrations.providers.woocommerce_categories import (
    CategoryTree,
    product_category_apply,
)
from apps.integrations.services import (
    connection_create,
    connection_credentials_update,
    credentials_of,
    sync_run_start,
    sync_state_set,
)
from apps.integrations.signatures import verify_woocommerce
from apps.integrations.stock import (
    available_by_warehouse,
    connection_warehouses,
    mapped_variants,
    pushed_get,
    pushed_set,
)

API = "/wp-json/wc/v3"
PAGE_SIZE = 50
TOPICS = ("product.created", "product.updated", "order.created", "order.updated")


def _client(url: str, key: str, secret: str) -> ApiClient:
    return ApiClient(base_url=url, auth=(key, secret), label="WooCommerce")


def client_for(connection: Connection) -> ApiClient:
    creds = credentials_of(connection)
    return _client(
        connection.base_url, creds.get("consumer_key", ""), creds.get("consumer_secret", "")
    )


def connection_connect(
    *, name: str, url: str, consumer_key: str, consumer_secret: str, warehouse, hook_base: str
) -> Connection:
    url = base_url_clean(url)
    key, secret = (consumer_key or "").strip(), (consumer_secret or "").strip()
    if not key.startswith("ck_") or not secret.startswith("cs_"):
        raise IntegrationError(
            "WooCommerce keys start with ck_ (consumer key) and cs_ (consumer secret): "
            "create them under WooCommerce → Settings → Advanced → REST API.",
            field="consumer_key",
        )
    webhook_secret = secrets.token_urlsafe(32)
    with _client(url, key, secret) as client:
        client.get(f"{API}/products", params={"per_page": 1})
        with transaction.atomic():
            connection = connection_create(
                provider=Provider.WOOCOMMERCE,
                name=name,
                base_url=url,
                credentials={
                    "consumer_key": key,
                    "consumer_secret": secret,
                    "webhook_secret": webhook_secret,
                },
                settings={"locations": [{"warehouse_id": warehouse.pk}] if warehouse else []},
            )
            delivery = f"{hook_base.rstrip('/')}/{connection.pk}/"
            hook_ids = []
            for topic in TOPICS:
                hook = client.post(
                    f"{API}/webhooks",
                    json={
                        "name": f"Stockroom {topic}",
                        "topic": topic,
                        "delivery_url": delivery,
                        "secret": webhook_secret,
                        "status": "active",
                    },
                ).json()
                hook_ids.append(hook.get("id"))
            connection_credentials_update(
                connection=connection, credentials={"webhook_ids": hook_ids}
            )
    return connection


# --- products in ----------------------------------------------------------------------------


def _remotes(client: ApiClient, product: dict) -> list[RemoteVariant]:
    pid = str(product["id"])
    if product.get("type") == "variable":
        variations = client.get(f"{API}/products/{pid}/variations", params={"per_page": 100}).json()
        return [
            RemoteVariant(
                product_id=pid,
                product_title=product.get("name", ""),
                variant_id=f"{pid}:{v['id']}",
                sku=v.get("sku") or "",
                price=v.get("regular_price") or v.get("price"),
                options={a["name"]: a["option"] for a in v.get("attributes") or []},
                data={"product_id": product["id"], "variation_id": v["id"]},
                fields=_mappable(product, v),
            )
            for v in variations
        ]
    return [
        RemoteVariant(
            product_id=pid,
            product_title=product.get("name", ""),
            variant_id=pid,
            sku=product.get("sku") or "",
            price=product.get("regular_price") or product.get("price"),
            data={"product_id": product["id"], "variation_id": None},
            fields=_mappable(product),
        )
    ]


def _custom(row: dict) -> dict:
    """``meta_data`` and attributes of a product or variation, as ``meta:<key>`` and
    ``attribute:<name>`` (a product attribute lists ``options``; a variation's has one
    ``option``)."""
    fields = {f"meta:{m['key']}": m.get("value") for m in row.get("meta_data") or [] if m}
    for a in row.get("attributes") or []:
        if a.get("name"):
            fields[f"attribute:{a['name']}"] = a["option"] if "option" in a else a.get("options")
    if row.get("global_unique_id"):
        fields["global_unique_id"] = row["global_unique_id"]
    return fields


def _mappable(product: dict, variation: dict | None = None) -> dict:
    """The channel fields a connection's field mapping can use (apps/integrations/field_map.py):
    the variation's own meta, attributes and GTIN win over the parent product's."""
    return {**_custom(product), **(_custom(variation) if variation else {})}


def sync_products(connection: Connection, recorder) -> str:
    state, run_started = sync_run_start(connection=connection, entity="products")
    page = int(state.get("cursor") or 1)
    params = {"per_page": PAGE_SIZE, "orderby": "modified", "order": "asc", "dates_are_gmt": "true"}
    if state.get("updated_since"):
        params["modified_after"] = state["updated_since"]
    with client_for(connection) as client:
        tree = CategoryTree(client)
        while True:
            response = client.get(f"{API}/products", params={**params, "page": page})
            total_pages = int(response.headers.get("X-WP-TotalPages") or 1)
            for product in response.json():
                for remote in _remotes(client, product):
                    variant_upsert(connection, recorder, remote)
                product_category_apply(connection, recorder, tree, product)
            if page >= total_pages:
                break
            page += 1
            sync_state_set(connection=connection, entity="products", cursor=page)
            recorder.progress(
                int(95 * (page - 1) / total_pages), f"Page {page - 1} of {total_pages}"
            )
    sync_state_set(
        connection=connection,
        entity="products",
        cursor=None,
        run_started=None,
        updated_since=run_started,
        last_sync=timezone.now().isoformat(),
    )
    return f"{page} page(s) read"


# --- customers in ---------------------------------------------------------------------------


def _remote_customer(row: dict, currency: str) -> RemoteCustomer:
    billing = row.get("billing") or {}
    name = " ".join(filter(None, [row.get("first_name"), row.get("last_name")])) or " ".join(
        filter(None, [billing.get("first_name"), billing.get("last_name")])
    )
    return RemoteCustomer(
        customer_id=str(row["id"]),
        name=name or billing.get("company") or "",
        email=row.get("email") or billing.get("email") or "",
        phone=billing.get("phone") or "",
        currency=currency,
    )


def _modified(row: dict) -> dt.datetime | None:
    value = row.get("date_modified_gmt") or row.get("date_created_gmt")
    try:
        return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC) if value else None
    except ValueError:
        return None


def sync_customers(connection: Connection, recorder) -> str:
    """All customers by id, page number as the cursor; those unchanged since the last run are
    skipped without a write (the endpoint cannot filter by modification date)."""
    state, run_started = sync_run_start(connection=connection, entity="customers")
    since = state.get("updated_since")
    since = dt.datetime.fromisoformat(since) if since else None
    currency = (connection.settings.get("currency") or "USD").upper()
    page = int(state.get("cursor") or 1)
    params = {"per_page": PAGE_SIZE, "orderby": "id", "order": "asc", "role": "all"}
    with client_for(connection) as client:
        while True:
            response = client.get(f"{API}/customers", params={**params, "page": page})
            total_pages = int(response.headers.get("X-WP-TotalPages") or 1)
            for row in response.json():
                modified = _modified(row)
                if since and modified and modified <= since:
                    recorder.count("skipped")
                    continue
                customer_upsert(connection, recorder, _remote_customer(row, currency))
            if page >= total_pages:
                break
            page += 1
            sync_state_set(connection=connection, entity="customers", cursor=page)
            recorder.progress(
                int(95 * (page - 1) / total_pages), f"Page {page - 1} of {total_pages}"
            )
    sync_state_set(
        connection=connection,
        entity="customers",
        cursor=None,
        run_started=None,
        updated_since=run_started,
        last_sync=timezone.now().isoformat(),
    )
    return f"{page} page(s) read"


# --- stock out ------------------------------------------------------------------------------


def sync_stock(connection: Connection, recorder) -> str:
    warehouses = connection_warehouses(connection)
    if not warehouses:
        raise IntegrationError("Choose the warehouse that feeds this store in its settings.")
    state = connection.sync_state.get("stock") or {}
    since = state.get("pushed_until")
    started = timezone.now()
    links = mapped_variants(
        connection, warehouses, timezone.datetime.fromisoformat(since) if since else None
    )
    available = available_by_warehouse([link.local_id for link in links], warehouses)
    simple, variations = [], {}
    for link in links:
        quantity = sum(available.get((link.local_id, w), 0) for w in warehouses)
        if pushed_get(link, "default") == quantity:
            recorder.count("skipped")
            continue
        if link.data.get("variation_id"):
            variations.setdefault(link.data["product_id"], []).append((link, quantity))
        else:
            simple.append((link, quantity))
    with client_for(connection) as client:
        for start in range(0, len(simple), 100):
            chunk = simple[start : start + 100]
            body = {
                "update": [
                    {"id": link.data["product_id"], "manage_stock": True, "stock_quantity": q}
                    for link, q in chunk
                ]
            }
            _batch(client, f"{API}/products/batch", body, chunk, recorder)
        for product_id, rows in variations.items():
            body = {
                "update": [
                    {"id": link.data["variation_id"], "manage_stock": True, "stock_quantity": q}
                    for link, q in rows
                ]
            }
            _batch(client, f"{API}/products/{product_id}/variations/batch", body, rows, recorder)
    sync_state_set(
        connection=connection,
        entity="stock",
        pushed_until=started.isoformat(),
        last_sync=timezone.now().isoformat(),
    )
    return f"{len(links)} variant(s) checked"


def _batch(client, path: str, body: dict, rows, recorder) -> None:
    result = client.post(path, json=body).json()
    by_id = {item.get("id"): item for item in result.get("update") or []}
    for link, quantity in rows:
        wid = link.data.get("variation_id") or link.data["product_id"]
        item = by_id.get(wid) or {}
        if "error" in item or not item:
            message = (item.get("error") or {}).get("message", "not updated")
            recorder.fail(f"{link.external_id}", f"WooCommerce: {message}")
            continue
        pushed_set(link, "default", quantity)
        recorder.count("updated")


# --- webhooks -------------------------------------------------------------------------------


def webhook_verify(connection: Connection, request) -> tuple[str, str]:
    signature = request.headers.get("X-WC-Webhook-Signature")
    if not signature and request.body.startswith(b"webhook_id="):
        return "", "ping"
    verify_woocommerce(
        secret=credentials_of(connection).get("webhook_secret", ""),
        body=request.body,
        header=signature,
    )
    return (
        request.headers.get("X-WC-Webhook-Delivery-ID", ""),
        request.headers.get("X-WC-Webhook-Topic", ""),
    )


def webhook_handle(connection: Connection, event: InboxEvent, recorder) -> str:
    if event.topic in ("product.created", "product.updated"):
        product = json.loads(event.body)
        with client_for(connection) as client:
            for remote in _remotes(client, product):
                variant_upsert(connection, recorder, remote)
            product_category_apply(connection, recorder, CategoryTree(client), product)
        return "product updated"
    if event.topic in ("order.created", "order.updated"):
        return _order_event(connection, json.loads(event.body), recorder)
    return "ignored"


# Orders in these states are paid (or being handled): imported. "pending" waits for payment.
IMPORT_STATES = ("processing", "on-hold", "completed")


def _address(data: dict | None) -> str:
    if not data:
        return ""
    parts = [
        " ".join(filter(None, [data.get("first_name"), data.get("last_name")])),
        data.get("company"),
        data.get("address_1"),
        data.get("address_2"),
        " ".join(filter(None, [data.get("postcode"), data.get("city"), data.get("state")])),
        data.get("country"),
    ]
    return "\n".join(p for p in parts if p)


def remote_order(payload: dict) -> RemoteOrder:
    billing = payload.get("billing") or {}
    return RemoteOrder(
        order_id=str(payload["id"]),
        number=f"#{payload.get('number') or payload['id']}",
        currency=payload.get("currency", ""),
        customer_id=str(payload["customer_id"]) if payload.get("customer_id") else "",
        customer_name=" ".join(filter(None, [billing.get("first_name"), billing.get("last_name")])),
        email=billing.get("email") or "",
        shipping_address=_address(payload.get("shipping")),
        lines=[
            RemoteLine(
                variant_id=f"{item['product_id']}:{item['variation_id']}"
                if item.get("variation_id")
                else str(item.get("product_id") or ""),
                sku=item.get("sku") or "",
                quantity=decimal_or_none(item.get("quantity")) or Decimal(0),
                unit_price=decimal_or_none(item.get("price")),
                title=item.get("name") or "",
            )
            for item in payload.get("line_items") or []
            if (decimal_or_none(item.get("quantity")) or 0) > 0
        ],
    )


def sync_orders(connection: Connection, recorder) -> str:
    """Orders changed since the last run: catches deliveries the store never made."""
    state, run_started = sync_run_start(connection=connection, entity="orders")
    since = state.get("updated_since") or (timezone.now() - dt.timedelta(days=7)).isoformat()
    page = int(state.get("cursor") or 1)
    params = {
        "per_page": PAGE_SIZE,
        "orderby": "modified",
        "order": "asc",
        "dates_are_gmt": "true",
        "modified_after": since,
    }
    with client_for(connection) as client:
        while True:
            response = client.get(f"{API}/orders", params={**params, "page": page})
            total_pages = int(response.headers.get("X-WP-TotalPages") or 1)
            for payload in response.json():
                _order_event(connection, payload, recorder)
            if page >= total_pages:
                break
            page += 1
            sync_state_set(connection=connection, entity="orders", cursor=page)
            recorder.progress(
                int(95 * (page - 1) / total_pages), f"Page {page - 1} of {total_pages}"
            )
    sync_state_set(
        connection=connection,
        entity="orders",
        cursor=None,
        run_started=None,
        updated_since=run_started,
        last_sync=timezone.now().isoformat(),
    )
    return f"{page} page(s) read"


def _order_event(connection: Connection, payload: dict, recorder) -> str:
    remote = remote_order(payload)
    status = payload.get("status", "")
    if status in ("cancelled", "refunded", "failed"):
        order_cancel(
            connection,
            recorder,
            order_id=remote.order_id,
            number=remote.number,
            reason=f"Order {status} in WooCommerce.",
        )
        return f"order {status}"
    if status not in IMPORT_STATES:
        recorder.count("skipped")
        return f"order {status}: waits for payment"
    order_import(connection, recorder, remote)
    return "order imported"
