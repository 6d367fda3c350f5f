"""Shopify (GraphQL Admin API): OAuth connect, products in, available stock out, webhooks.

- Connect: OAuth 2.0 authorization-code grant with a ``state`` nonce kept in the session and
  the callback's ``hmac`` checked with the app secret; the access token is stored encrypted.
- Products: ``products`` pages of 50 (cursor saved after every page; incremental by
  ``updated_at``), variants matched by SKU (``catalog_sync``).
- Stock: ``inventorySetQuantities`` with ``changeFromQuantity`` = the quantity we just read,
  so a sale on Shopify between our read and write is never overwritten blindly: a
  ``CHANGE_FROM_QUANTITY_STALE`` error makes us read again and retry.
- Rate limits: GraphQL cost throttling (``THROTTLED`` + ``extensions.cost.throttleStatus``)
  waits until enough points are restored; HTTP 429 is handled by ``ApiClient``.
- Refunds: ``refunds/create`` becomes a sales return of the imported order
  (``returns_import``), once per refund.
- Customers: ``customers`` pages (incremental by ``updated_at``) into sales customers,
  mapped by id (``customers_import``); hourly with products and orders.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from decimal import Decimal
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.integrations.catalog_sync import RemoteVariant, variant_upsert
from apps.integrations.customers_import import RemoteCustomer, customer_upsert
from apps.integrations.errors import ApiError, AuthFailed, IntegrationError
from apps.integrations.http_client import ApiClient
from apps.integrations.models import Connection, ExternalId, InboxEvent, Provider
from apps.integrations.orders import (
    RemoteLine,
    RemoteOrder,
    decimal_or_none,
    order_cancel,
    order_import,
)
from apps.integrations.returns_import import RemoteRefund, RemoteRefundLine, refund_import
from apps.integrations.services import (
    connection_create,
    connection_credentials_update,
    connection_disconnect,
    connection_reconnect,
    credentials_of,
    sync_run_start,
    sync_state_set,
)
from apps.integrations.signatures import verify_shopify
from apps.integrations.stock import available_by_warehouse, mapped_variants, pushed_set

SCOPES = "read_products,read_inventory,write_inventory,read_locations,read_orders,read_customers"
PAGE_SIZE = 50
REFRESH_MARGIN = dt.timedelta(minutes=5)  # refresh an expiring token this long before
STALE_CODES = {"CHANGE_FROM_QUANTITY_STALE", "COMPARE_QUANTITY_STALE"}
MAX_THROTTLE_RETRIES = 6
_SHOP_RE = re.compile(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$")

PRODUCTS_QUERY = """
query Products($first: Int!, $after: String, $query: String) {
  products(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id title updatedAt vendor productType tags
      metafields(first: 50) { nodes { namespace key value } }
      variants(first: 100) {
        nodes {
          id sku price barcode selectedOptions { name value } inventoryItem { id }
          metafields(first: 50) { nodes { namespace key value } }
        }
      }
    }
  }
}
"""
ORDERS_QUERY = """
query Orders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id name email currencyCode cancelledAt
      customer { id firstName lastName email }
      shippingAddress { name company address1 address2 city zip provinceCode country }
      lineItems(first: 100) {
        nodes {
          sku quantity title
          variant { id }
          originalUnitPriceSet { shopMoney { amount } }
        }
      }
    }
  }
}
"""
CUSTOMERS_QUERY = """
query Customers($first: Int!, $after: String, $query: String) {
  customers(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes { id firstName lastName email phone }
  }
}
"""
LOCATIONS_QUERY = """
query Locations { locations(first: 50) { nodes { id name isActive } } }
"""
SHOP_QUERY = """
query Shop { shop { name myshopifyDomain currencyCode } }
"""
LEVELS_QUERY = """
query InventoryLevels($ids: [ID!]!, $locationId: ID!) {
  nodes(ids: $ids) {
    ... on InventoryItem {
      id
      inventoryLevel(locationId: $locationId) { quantities(names: ["available"]) { name quantity } }
    }
  }
}
"""
SUBSCRIBE_MUTATION = """
mutation WebhookSubscribe(
  $topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!
) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id topic }
    userErrors { field message }
  }
}
"""
WEBHOOK_TOPICS = (
    "PRODUCTS_CREATE",
    "PRODUCTS_UPDATE",
    "APP_UNINSTALLED",
    "ORDERS_CREATE",
    "ORDERS_UPDATED",
    "ORDERS_CANCELLED",
    "REFUNDS_CREATE",
)
SET_MUTATION = """
mutation InventorySet($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) {
    inventoryAdjustmentGroup { id }
    userErrors { field message code }
  }
}
"""


# --- connecting ---------------------------------------------------------------------------


def shop_url_clean(value: str) -> str:
    """ "acme", "acme.myshopify.com" or "https://acme.myshopify.com/" → https://acme.myshopify.com.

    Plain-http and local addresses are for development and tests only (the fake store)."""
    value = (value or "").strip().rstrip("/").lower()
    if not value:
        raise IntegrationError("Enter your store's address, e.g. acme.myshopify.com.", field="shop")
    if value.startswith("http://") or value.startswith("https://"):
        parts = urlsplit(value)
        host = parts.hostname or ""
        if settings.WEBHOOK_ALLOW_PRIVATE and host in ("127.0.0.1", "localhost"):
            return f"{parts.scheme}://{parts.netloc}"
        value = parts.netloc
    if "." not in value:
        value = f"{value}.myshopify.com"
    if not _SHOP_RE.match(value):
        raise IntegrationError(
            "That is not a Shopify store address: it looks like acme.myshopify.com.", field="shop"
        )
    return f"https://{value}"


def _app_credentials() -> tuple[str, str]:
    if not (settings.SHOPIFY_CLIENT_ID and settings.SHOPIFY_CLIENT_SECRET):
        raise IntegrationError(
            "Shopify is not set up on this server (SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET)."
        )
    return settings.SHOPIFY_CLIENT_ID, settings.SHOPIFY_CLIENT_SECRET


def oauth_authorize_url(*, shop_url: str, redirect_uri: str, state: str) -> str:
    client_id, _ = _app_credentials()
    query = urlencode(
        {"client_id": client_id, "scope": SCOPES, "redirect_uri": redirect_uri, "state": state}
    )
    return f"{shop_url}/admin/oauth/authorize?{query}"


def oauth_state() -> str:
    return secrets.token_urlsafe(24)


def oauth_callback_verify(params: dict[str, str], *, expected_state: str | None) -> None:
    """The callback came from Shopify (hmac of the other parameters) for the flow we started."""
    _, secret = _app_credentials()
    if not expected_state or not hmac.compare_digest(params.get("state", ""), expected_state):
        raise IntegrationError(
            "This Shopify sign-in link expired or was not started here. Connect again."
        )
    given = params.get("hmac", "")
    message = "&".join(
        f"{k}={v}" for k, v in sorted(params.items()) if k not in ("hmac", "signature")
    )
    expected = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    if not given or not hmac.compare_digest(given, expected):
        raise IntegrationError("Shopify's answer could not be verified. Connect again.")


def _token_credentials(data: dict) -> dict:
    """The token answer as we store it: expiring offline tokens carry a refresh token."""
    if not data.get("access_token"):
        raise ApiError("Shopify did not hand out an access token. Connect again.")
    credentials = {"access_token": data["access_token"]}
    if data.get("expires_in"):
        expires = timezone.now() + dt.timedelta(seconds=int(data["expires_in"]))
        credentials.update(
            refresh_token=data.get("refresh_token", ""), expires_at=expires.isoformat()
        )
    return credentials


def oauth_exchange(*, shop_url: str, code: str) -> dict:
    """Code → access token. Asks for an expiring offline token (refreshed before expiry)."""
    client_id, secret = _app_credentials()
    with ApiClient(base_url=shop_url, label="Shopify") as client:
        response = client.post(
            "/admin/oauth/access_token",
            json={"client_id": client_id, "client_secret": secret, "code": code, "expiring": 1},
        )
    return _token_credentials(response.json())


def token_refresh_if_due(connection: Connection) -> dict:
    """The credentials, with the access token refreshed when it expires within the margin.

    The connection row is locked while refreshing (a refresh token is used once), and a
    token another job refreshed meanwhile is taken as is."""
    credentials = credentials_of(connection)
    expires_at = credentials.get("expires_at")
    if not expires_at or dt.datetime.fromisoformat(expires_at) - timezone.now() > REFRESH_MARGIN:
        return credentials
    client_id, secret = _app_credentials()
    with transaction.atomic():
        locked = Connection.objects.select_for_update().get(pk=connection.pk)
        credentials = credentials_of(locked)
        if dt.datetime.fromisoformat(credentials["expires_at"]) - timezone.now() > REFRESH_MARGIN:
            return credentials
        try:
            with ApiClient(base_url=connection.base_url, label="Shopify") as client:
                response = client.post(
                    "/admin/oauth/access_token",
                    json={
                        "client_id": client_id,
                        "client_secret": secret,
                        "grant_type": "refresh_token",
                        "refresh_token": credentials.get("refresh_token", ""),
                    },
                )
        except ApiError as exc:
            if exc.status is None or exc.status >= 500:
                raise
            raise AuthFailed(
                "Shopify no longer accepts the saved authorization. Connect the store again.",
                status=exc.status,
            ) from exc
        fresh = _token_credentials(response.json())
        connection_credentials_update(connection=locked, credentials=fresh)
    connection.credentials_encrypted = locked.credentials_encrypted
    return {**credentials, **fresh}


def connection_connect(*, shop_url: str, code: str, name: str = "", hook_base: str) -> Connection:
    """Finish the OAuth flow: exchange the code, check the token, remember the shop, and
    subscribe to the webhooks we handle."""
    token_credentials = oauth_exchange(shop_url=shop_url, code=code)
    with _client(shop_url, token_credentials["access_token"]) as client:
        shop = graphql(client, SHOP_QUERY)["shop"]
        locations = graphql(client, LOCATIONS_QUERY)["locations"]["nodes"]
        _, secret = _app_credentials()
        credentials = {**token_credentials, "webhook_secret": secret}
        settings_ = {
            "shop_name": shop.get("name", ""),
            "currency": shop.get("currencyCode", ""),
            "locations_available": [
                {"id": loc["id"], "name": loc["name"]}
                for loc in locations
                if loc.get("isActive", True)
            ],
        }
        existing = Connection.objects.filter(provider=Provider.SHOPIFY, base_url=shop_url).first()
        if existing:  # reconnecting the same store keeps its mappings and history
            connection = connection_reconnect(
                connection=existing, credentials=credentials, settings=settings_
            )
        else:
            connection = connection_create(
                provider=Provider.SHOPIFY,
                name=name or shop.get("name") or urlsplit(shop_url).netloc,
                base_url=shop_url,
                credentials=credentials,
                settings={
                    **settings_,
                    "locations": _default_location_map(settings_["locations_available"]),
                },
            )
        _subscribe(client, f"{hook_base.rstrip('/')}/{connection.pk}/")
    return connection


def _subscribe(client: ApiClient, url: str) -> None:
    for topic in WEBHOOK_TOPICS:
        result = graphql(
            client,
            SUBSCRIBE_MUTATION,
            {"topic": topic, "webhookSubscription": {"uri": url, "format": "JSON"}},
        )["webhookSubscriptionCreate"]
        errors = [
            e for e in result.get("userErrors") or [] if "already been taken" not in e["message"]
        ]
        if errors:
            raise ApiError("Shopify refused a webhook subscription: " + errors[0]["message"])


def _default_location_map(locations: list[dict]) -> list[dict]:
    """The company's first warehouse feeds the store's first location (changeable later)."""
    from apps.inventory.models import Warehouse

    warehouse = Warehouse.objects.filter(is_active=True).order_by("code").first()
    if warehouse is None or not locations:
        return []
    return [{"warehouse_id": warehouse.pk, "location_id": locations[0]["id"]}]


# --- talking to the API ---------------------------------------------------------------------


def _client(shop_url: str, token: str) -> ApiClient:
    return ApiClient(base_url=shop_url, headers={"X-Shopify-Access-Token": token}, label="Shopify")


def client_for(connection: Connection) -> ApiClient:
    return _client(connection.base_url, token_refresh_if_due(connection).get("access_token", ""))


def graphql(client: ApiClient, query: str, variables: dict | None = None) -> dict:
    """POST one GraphQL document; waits out cost throttling; raises on GraphQL errors."""
    path = f"/admin/api/{settings.INTEGRATIONS_SHOPIFY_API_VERSION}/graphql.json"
    for _ in range(MAX_THROTTLE_RETRIES):
        body = client.post(path, json={"query": query, "variables": variables or {}}).json()
        errors = body.get("errors") or []
        if any((e.get("extensions") or {}).get("code") == "THROTTLED" for e in errors):
            client._wait(_throttle_wait(body))
            continue
        if errors:
            raise ApiError("Shopify: " + "; ".join(e.get("message", "error") for e in errors))
        return body.get("data") or {}
    raise ApiError("Shopify kept throttling our requests; the sync will try again later.")


def _throttle_wait(body: dict) -> float:
    cost = (body.get("extensions") or {}).get("cost") or {}
    status = cost.get("throttleStatus") or {}
    needed = float(cost.get("requestedQueryCost") or 0) - float(
        status.get("currentlyAvailable") or 0
    )
    rate = float(status.get("restoreRate") or 50)
    return max(0.0, needed / rate) if rate > 0 else 1.0


# --- products in ----------------------------------------------------------------------------


def _remote(product: dict, variant: dict) -> RemoteVariant:
    return RemoteVariant(
        product_id=product["id"],
        product_title=product.get("title", ""),
        variant_id=variant["id"],
        sku=variant.get("sku") or "",
        price=variant.get("price"),
        options={
            o["name"]: o["value"]
            for o in variant.get("selectedOptions") or []
            if o.get("name") != "Title"
        },
        data={"inventory_item_id": (variant.get("inventoryItem") or {}).get("id", "")},
        fields=_mappable(product, variant),
    )


def _metafields(owner: dict) -> dict[str, str]:
    nodes = owner.get("metafields") or []
    if isinstance(nodes, dict):  # GraphQL connection; a webhook payload sends a plain list
        nodes = nodes.get("nodes") or []
    return {f"metafield:{m['namespace']}.{m['key']}": m.get("value") for m in nodes if m}


def _mappable(product: dict, variant: dict) -> dict:
    """The channel fields a connection's field mapping can use (apps/integrations/field_map.py):
    a variant's metafield wins over the product's of the same name."""
    tags = product.get("tags") or []
    return {
        "vendor": product.get("vendor"),
        "product_type": product.get("productType"),
        "tags": tags.split(",") if isinstance(tags, str) else tags,
        "barcode": variant.get("barcode"),
        **_metafields(product),
        **_metafields(variant),
    }


def _updated_since(since: str | None) -> str | None:
    return f"updated_at:>'{since}'" if since else None


def _import_pages(connection: Connection, recorder, *, entity: str, query: str, search, handle):
    """The shape every Shopify import shares: pages of ``entity`` (the query's root field) by
    cursor, the cursor saved after each page so a run that dies resumes on that page, and at
    the end ``updated_since`` moved to when this run started (what changed during the run is
    read again next time; the id map makes that a no-op). ``search(state)`` gives the query's
    search string; ``handle(node)`` imports one node."""
    state, run_started = sync_run_start(connection=connection, entity=entity)
    search_text = search(state)
    cursor, pages = state.get("cursor"), 0
    with client_for(connection) as client:
        while True:
            data = graphql(
                client, query, {"first": PAGE_SIZE, "after": cursor, "query": search_text}
            )[entity]
            for node in data["nodes"]:
                handle(node)
            pages += 1
            cursor = data["pageInfo"]["endCursor"]
            if not data["pageInfo"]["hasNextPage"]:
                break
            sync_state_set(connection=connection, entity=entity, cursor=cursor)
            recorder.progress(min(95, pages * 10), f"Imported {pages} page(s) of {entity}…")
    sync_state_set(
        connection=connection,
        entity=entity,
        cursor=None,
        updated_since=run_started,
        run_started=None,
        last_sync=timezone.now().isoformat(),
    )
    return f"{pages} page(s) read"


def sync_products(connection: Connection, recorder) -> str:
    """Import products changed since the last run, resuming from a saved cursor."""

    def handle(product: dict) -> None:
        for variant in product["variants"]["nodes"]:
            variant_upsert(connection, recorder, _remote(product, variant))

    return _import_pages(
        connection,
        recorder,
        entity="products",
        query=PRODUCTS_QUERY,
        search=lambda state: _updated_since(state.get("updated_since")),
        handle=handle,
    )


# --- orders in (a pull that catches what webhooks missed) -----------------------------------


def _remote_order_from_graphql(node: dict) -> RemoteOrder:
    customer = node.get("customer") or {}
    return RemoteOrder(
        order_id=node["id"],
        number=node.get("name") or node["id"],
        currency=node.get("currencyCode", ""),
        customer_id=customer.get("id", ""),
        customer_name=" ".join(filter(None, [customer.get("firstName"), customer.get("lastName")])),
        email=node.get("email") or customer.get("email") or "",
        shipping_address=_address(node.get("shippingAddress")),
        lines=[
            RemoteLine(
                variant_id=(item.get("variant") or {}).get("id", ""),
                sku=item.get("sku") or "",
                quantity=decimal_or_none(item.get("quantity")) or Decimal(0),
                unit_price=decimal_or_none(
                    ((item.get("originalUnitPriceSet") or {}).get("shopMoney") or {}).get("amount")
                ),
                title=item.get("title") or "",
            )
            for item in (node.get("lineItems") or {}).get("nodes") or []
            if (decimal_or_none(item.get("quantity")) or 0) > 0
        ],
    )


def sync_orders(connection: Connection, recorder) -> str:
    """Orders changed since the last run: new ones imported, cancelled ones cancelled; the
    id map makes orders that came by webhook count as skipped."""

    def handle(node: dict) -> None:
        remote = _remote_order_from_graphql(node)
        if node.get("cancelledAt"):
            order_cancel(
                connection,
                recorder,
                order_id=remote.order_id,
                number=remote.number,
                reason="Cancelled in Shopify.",
            )
        else:
            order_import(connection, recorder, remote)

    # The first run looks back a week, not at the store's whole history.
    week_ago = (timezone.now() - dt.timedelta(days=7)).isoformat()
    return _import_pages(
        connection,
        recorder,
        entity="orders",
        query=ORDERS_QUERY,
        search=lambda state: _updated_since(state.get("updated_since") or week_ago),
        handle=handle,
    )


# --- stock out ------------------------------------------------------------------------------


def _read_levels(client: ApiClient, items: list[str], location_id: str) -> dict[str, int | None]:
    data = graphql(client, LEVELS_QUERY, {"ids": items, "locationId": location_id})
    result = {}
    for node in data.get("nodes") or []:
        if not node:
            continue
        level = node.get("inventoryLevel")
        if level is None:
            result[node["id"]] = None
            continue
        quantities = {q["name"]: q["quantity"] for q in level.get("quantities") or []}
        result[node["id"]] = quantities.get("available")
    return result


def _push_batch(client, recorder, rows: list[tuple[ExternalId, int]], location_id: str) -> None:
    """rows: (variant link, desired). Compare-and-set; read again when Shopify says stale."""
    pending = {
        link.data["inventory_item_id"]: (_label(link), desired, link) for link, desired in rows
    }
    for _ in range(3):
        current = _read_levels(client, list(pending), location_id)
        changes = []
        for item, (label, desired, link) in list(pending.items()):
            if item not in current or current[item] is None:
                recorder.fail(
                    label,
                    "Not stocked at this Shopify location: turn on inventory "
                    "tracking for it there.",
                )
                del pending[item]
            elif current[item] == desired:
                recorder.count("skipped")
                pushed_set(link, location_id, desired)
                del pending[item]
            else:
                changes.append(
                    {
                        "inventoryItemId": item,
                        "locationId": location_id,
                        "quantity": desired,
                        "changeFromQuantity": current[item],
                    }
                )
        if not changes:
            return
        result = graphql(
            client,
            SET_MUTATION,
            {
                "input": {
                    "name": "available",
                    "reason": "correction",
                    "referenceDocumentUri": "stockroom://stock-push",
                    "quantities": changes,
                }
            },
        )["inventorySetQuantities"]
        errors = result.get("userErrors") or []
        if not errors:
            recorder.count("updated", len(changes))
            for change in changes:
                pushed_set(pending[change["inventoryItemId"]][2], location_id, change["quantity"])
            return
        if not any(e.get("code") in STALE_CODES for e in errors):
            for error in errors:
                index = _error_index(error)
                item = changes[index]["inventoryItemId"] if index is not None else None
                label = pending.pop(item)[0] if item in pending else "stock push"
                recorder.fail(label, error.get("message", "rejected"))
            if all(_error_index(e) is None for e in errors):
                return
        # Stale: someone changed the quantity on Shopify after we read it. Read again.
    for label, _, _ in pending.values():
        recorder.fail(label, "Shopify's quantity kept changing while we pushed; will retry.")


def _label(link: ExternalId) -> str:
    return f"variant {link.local_id} ({link.external_id})"


def _error_index(error: dict) -> int | None:
    field = error.get("field") or []
    for part in field:
        if str(part).isdigit():
            return int(part)
    return None


def sync_stock(connection: Connection, recorder) -> str:
    """Push available per mapped location for the variants changed since the last push."""
    mapping = [m for m in connection.settings.get("locations") or [] if m.get("location_id")]
    if not mapping:
        raise IntegrationError(
            "Choose which warehouse feeds which Shopify location in the connection's settings."
        )
    state = connection.sync_state.get("stock") or {}
    since = state.get("pushed_until")
    started = timezone.now()
    warehouses = [int(m["warehouse_id"]) for m in mapping]
    since_dt = timezone.datetime.fromisoformat(since) if since else None
    links = mapped_variants(connection, warehouses, since_dt)
    available = available_by_warehouse([link.local_id for link in links], warehouses)
    with client_for(connection) as client:
        for m in mapping:
            rows = [
                (link, available.get((link.local_id, int(m["warehouse_id"])), 0))
                for link in links
                if link.data.get("inventory_item_id")
            ]
            for start in range(0, len(rows), 50):
                _push_batch(client, recorder, rows[start : start + 50], m["location_id"])
    sync_state_set(
        connection=connection,
        entity="stock",
        pushed_until=started.isoformat(),
        last_sync=timezone.now().isoformat(),
    )
    return f"{len(links)} variant(s) checked"


# --- webhooks -------------------------------------------------------------------------------


def webhook_verify(connection: Connection, request) -> tuple[str, str]:
    verify_shopify(
        secret=credentials_of(connection).get("webhook_secret", ""),
        body=request.body,
        header=request.headers.get("X-Shopify-Hmac-Sha256"),
    )
    event_id = request.headers.get("X-Shopify-Event-Id") or request.headers.get(
        "X-Shopify-Webhook-Id", ""
    )
    return event_id, request.headers.get("X-Shopify-Topic", "")


def _gid(kind: str, value) -> str:
    return value if str(value).startswith("gid://") else f"gid://shopify/{kind}/{value}"


def webhook_handle(connection: Connection, event: InboxEvent, recorder) -> str:
    payload = json.loads(event.body)
    if event.topic == "app/uninstalled":
        connection_disconnect(connection=connection, reason="The app was uninstalled in Shopify.")
        return "disconnected"
    if event.topic in ("products/update", "products/create"):
        product = {
            "id": payload.get("admin_graphql_api_id") or _gid("Product", payload["id"]),
            "title": payload.get("title", ""),
            "vendor": payload.get("vendor"),
            "productType": payload.get("product_type"),
            "tags": payload.get("tags") or "",
            "metafields": payload.get("metafields") or [],
        }
        for v in payload.get("variants") or []:
            variant = {
                "id": v.get("admin_graphql_api_id") or _gid("ProductVariant", v["id"]),
                "sku": v.get("sku"),
                "price": v.get("price"),
                "inventoryItem": {"id": _gid("InventoryItem", v.get("inventory_item_id"))}
                if v.get("inventory_item_id")
                else {},
                "selectedOptions": [],
                "barcode": v.get("barcode"),
                "metafields": v.get("metafields") or [],
            }
            variant_upsert(connection, recorder, _remote(product, variant))
        return "product updated"
    if event.topic in ("orders/create", "orders/updated", "orders/cancelled"):
        return _order_event(connection, event.topic, payload, recorder)
    if event.topic == "refunds/create":
        return refund_import(connection, recorder, remote_refund(payload))
    return "ignored"


# Refunded line items that went back to stock in Shopify; "no_restock" did not come back
# (scrap here); "cancel" was refunded before it shipped (not a return).
RESTOCK_TYPES = ("return", "legacy_restock")


def remote_refund(payload: dict) -> RemoteRefund:
    """refunds/create as Shopify sends it (REST shape) → what refund_import needs."""
    paid_back = [
        decimal_or_none(t.get("amount")) or Decimal(0)
        for t in payload.get("transactions") or []
        if t.get("kind") == "refund" and t.get("status", "success") == "success"
    ]
    lines = []
    for row in payload.get("refund_line_items") or []:
        if row.get("restock_type") == "cancel":
            continue
        item = row.get("line_item") or {}
        lines.append(
            RemoteRefundLine(
                variant_id=_gid("ProductVariant", item["variant_id"])
                if item.get("variant_id")
                else "",
                sku=item.get("sku") or "",
                quantity=decimal_or_none(row.get("quantity")) or Decimal(0),
                restock=row.get("restock_type") in RESTOCK_TYPES,
            )
        )
    order_id = payload.get("order_id")
    return RemoteRefund(
        refund_id=payload.get("admin_graphql_api_id") or _gid("Refund", payload["id"]),
        order_id=_gid("Order", order_id) if order_id else "",
        order_number=str(order_id or ""),
        amount=sum(paid_back, Decimal(0)) if paid_back else None,
        note=(payload.get("note") or "")[:100],
        lines=lines,
    )


# --- customers in ---------------------------------------------------------------------------


def sync_customers(connection: Connection, recorder) -> str:
    """Customers changed since the last run (all of them the first time), cursor per page."""
    currency = (connection.settings.get("currency") or "USD").upper()

    def handle(node: dict) -> None:
        customer_upsert(
            connection,
            recorder,
            RemoteCustomer(
                customer_id=node["id"],
                name=" ".join(filter(None, [node.get("firstName"), node.get("lastName")])),
                email=node.get("email") or "",
                phone=node.get("phone") or "",
                currency=currency,
            ),
        )

    return _import_pages(
        connection,
        recorder,
        entity="customers",
        query=CUSTOMERS_QUERY,
        search=lambda state: _updated_since(state.get("updated_since")),
        handle=handle,
    )


def _address(data: dict | None) -> str:
    if not data:
        return ""
    parts = [
        data.get("name") or " ".join(filter(None, [data.get("first_name"), data.get("last_name")])),
        data.get("company"),
        data.get("address1"),
        data.get("address2"),
        " ".join(
            filter(
                None,
                [
                    data.get("zip"),
                    data.get("city"),
                    data.get("province_code") or data.get("provinceCode"),
                ],
            )
        ),
        data.get("country"),
    ]
    return "\n".join(p for p in parts if p)


def remote_order(payload: dict) -> RemoteOrder:
    """orders/create as Shopify sends it (REST shape) → what order_import needs."""
    customer = payload.get("customer") or {}
    name = " ".join(filter(None, [customer.get("first_name"), customer.get("last_name")]))
    return RemoteOrder(
        order_id=payload.get("admin_graphql_api_id") or _gid("Order", payload["id"]),
        number=str(payload.get("name") or payload.get("order_number") or payload["id"]),
        currency=payload.get("currency", ""),
        customer_id=_gid("Customer", customer["id"]) if customer.get("id") else "",
        customer_name=name,
        email=payload.get("email") or customer.get("email") or "",
        shipping_address=_address(payload.get("shipping_address")),
        lines=[
            RemoteLine(
                variant_id=_gid("ProductVariant", item["variant_id"])
                if item.get("variant_id")
                else "",
                sku=item.get("sku") or "",
                quantity=decimal_or_none(item.get("quantity")) or Decimal(0),
                unit_price=decimal_or_none(item.get("price")),
                title=item.get("name") or item.get("title") or "",
            )
            for item in payload.get("line_items") or []
            if (decimal_or_none(item.get("quantity")) or 0) > 0
        ],
    )


def _order_event(connection: Connection, topic: str, payload: dict, recorder) -> str:
    remote = remote_order(payload)
    if topic == "orders/cancelled" or payload.get("cancelled_at"):
        order_cancel(
            connection,
            recorder,
            order_id=remote.order_id,
            number=remote.number,
            reason=f"Cancelled in Shopify ({payload.get('cancel_reason') or 'no reason given'}).",
        )
        return "order cancelled"
    # orders/updated of an order we have: the channel's later edits are not applied.
    order_import(connection, recorder, remote)
    return "order imported"
