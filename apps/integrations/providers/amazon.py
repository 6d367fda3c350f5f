"""Amazon Selling Partner API: orders in, FBA stock mirrored, merchant-fulfilled stock out.

- Connect: the LWA app's client id and secret, the seller's refresh token (from authorising the
  app in Seller Central), the seller id and a marketplace (US, CA, MX, UK, DE, FR, IT, ES, JP).
  Checked with ``GET /sellers/v1/marketplaceParticipations``. Creates (or reuses) the warehouse
  ``AMZ-FBA-<code>`` "Amazon FBA" that mirrors Amazon's fulfillment centres.
- Tokens: ``POST https://api.amazon.com/auth/o2/token`` (grant ``refresh_token``) gives an access
  token for an hour; it is cached (encrypted) until five minutes before it expires and sent as
  ``x-amz-access-token``.
- Orders (``sync_orders``, Orders API v0): ``getOrders`` by ``LastUpdatedAfter`` (the first run
  ``CreatedAfter`` = 30 days back), ``NextToken`` pages; the token is saved after each page, so a
  run that dies resumes on that page; the cursor moves to the answer's ``LastUpdatedBefore`` at
  the end. Merchant-fulfilled (MFN) orders that are Unshipped/PartiallyShipped/Shipped become
  confirmed sales orders with stock reserved (``apps/integrations/orders.py``: once, all or
  nothing); Pending ones wait for payment; Canceled ones cancel ours. FBA (AFN) orders are
  Amazon's to ship and count: their effect arrives with the FBA inventory.
- FBA inventory (``sync_inventory``): ``getInventorySummaries`` pages; each SKU's
  ``fulfillableQuantity`` becomes the on-hand of the FBA warehouse through an inventory
  ``sync`` move of the difference (none when equal). Read-only: Amazon's count wins there.
- Merchant-fulfilled stock (``sync_stock``): ``searchListingsItems`` maps the seller's SKUs to
  variants; for each MFN listing whose available quantity in the mapped warehouse changed, a
  Listings Items ``PATCH`` of ``/attributes/fulfillment_availability``.
- Rate limits: a 429 carries ``x-amzn-RateLimit-Limit`` (requests per second) and no
  ``Retry-After``: we wait one token's time (1 / limit) before trying again.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote, urlsplit

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.core.errors import DomainError
from apps.integrations import ids
from apps.integrations.errors import ApiError, IntegrationError
from apps.integrations.http_client import ApiClient
from apps.integrations.models import Connection, Provider
from apps.integrations.services import (
    connection_create,
    connection_credentials_update,
    credentials_of,
    sync_state_set,
)


@dataclass(frozen=True)
class Marketplace:
    code: str
    id: str
    region: str  # na / eu / fe: which endpoint


MARKETPLACES = {
    m.code: m
    for m in (
        Marketplace("US", "ATVPDKIKX0DER", "na"),
        Marketplace("CA", "A2EUQ1WTGCTBG2", "na"),
        Marketplace("MX", "A1AM78C64UM0Y8", "na"),
        Marketplace("UK", "A1F83G8C2ARO7P", "eu"),
        Marketplace("DE", "A1PA6795UKMFR9", "eu"),
        Marketplace("FR", "A13V1IB3VIYZZH", "eu"),
        Marketplace("IT", "APJ6JRA9NG5V4", "eu"),
        Marketplace("ES", "A1RKKUPIHCS9HS", "eu"),
        Marketplace("JP", "A1VC38T7YXB528", "fe"),
    )
}
ENDPOINTS = {
    "na": "https://sellingpartnerapi-na.amazon.com",
    "eu": "https://sellingpartnerapi-eu.amazon.com",
    "fe": "https://sellingpartnerapi-fe.amazon.com",
}
LWA_URL = "https://api.amazon.com/auth/o2/token"
TOKEN_MARGIN = dt.timedelta(minutes=5)
FIRST_IMPORT_DAYS = 30
IMPORTED_STATUSES = {"Unshipped", "PartiallyShipped", "Shipped"}
LISTINGS_VERSION = "2021-08-01"


def _now() -> dt.datetime:
    return timezone.now()


def marketplace_of(connection: Connection) -> Marketplace:
    return MARKETPLACES[connection.settings["marketplace"]]


def _endpoint(region: str) -> str:
    return getattr(settings, "INTEGRATIONS_AMAZON_API_BASE", "") or ENDPOINTS[region]


def _lwa_url() -> str:
    return getattr(settings, "INTEGRATIONS_AMAZON_LWA_URL", "") or LWA_URL


def _rate_limit_wait(response: httpx.Response) -> None:
    """Amazon answers 429 without Retry-After: derive it from x-amzn-RateLimit-Limit."""
    if response.status_code == 429 and "Retry-After" not in response.headers:
        try:
            limit = float(response.headers.get("x-amzn-RateLimit-Limit", ""))
        except ValueError:
            return
        if limit > 0:
            response.headers["Retry-After"] = str(math.ceil(1 / limit))


def _lwa_token(creds: dict) -> dict:
    url = urlsplit(_lwa_url())
    with ApiClient(base_url=f"{url.scheme}://{url.netloc}", label="Amazon login") as lwa:
        try:
            answer = lwa.post(
                url.path,
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": creds["refresh_token"],
                    "client_id": creds["client_id"],
                    "client_secret": creds["client_secret"],
                },
            ).json()
        except ApiError as exc:
            if exc.status == 400:  # invalid_grant / invalid_client
                raise IntegrationError(
                    "Amazon refused the app's credentials or the refresh token: authorise the "
                    "app again in Seller Central and reconnect."
                ) from None
            raise
    return {
        "access_token": answer["access_token"],
        "access_expires_at": (_now() + dt.timedelta(seconds=int(answer["expires_in"]))).isoformat(),
    }


def access_token(connection: Connection) -> str:
    """The cached access token, exchanged again when it expires within five minutes."""
    creds = credentials_of(connection)
    expires = creds.get("access_expires_at")
    if (
        creds.get("access_token")
        and expires
        and dt.datetime.fromisoformat(expires) - TOKEN_MARGIN > _now()
    ):
        return creds["access_token"]
    fresh = _lwa_token(creds)
    connection_credentials_update(connection=connection, credentials=fresh)
    return fresh["access_token"]


def _api(connection: Connection, token: str | None = None) -> ApiClient:
    client = ApiClient(
        base_url=_endpoint(marketplace_of(connection).region),
        headers={"x-amz-access-token": token or access_token(connection)},
        label="Amazon",
    )
    # ApiClient wraps an httpx client: the hook runs before its 429 handling reads the header.
    client._client.event_hooks["response"].append(_rate_limit_wait)
    return client


# --- connect -------------------------------------------------------------------------------


def _fba_warehouse(marketplace: Marketplace):
    from apps.inventory.models import Location, Warehouse
    from apps.inventory.warehousing import location_create, warehouse_create

    code = f"AMZ-FBA-{marketplace.code}"
    warehouse = Warehouse.objects.filter(code=code).first() or warehouse_create(
        code=code, name=f"Amazon FBA ({marketplace.code})", address="Amazon fulfillment centres"
    )
    if not Location.objects.filter(warehouse=warehouse, code="FBA").exists():
        location_create(warehouse=warehouse, code="FBA", name="At Amazon")
    return warehouse


def connection_connect(
    *,
    name: str,
    client_id: str,
    client_secret: str,
    refresh_token: str,
    seller_id: str,
    marketplace: str,
    warehouse=None,
) -> Connection:
    if marketplace not in MARKETPLACES:
        raise IntegrationError("Choose a marketplace from the list.", field="marketplace")
    values = {
        "client_id": client_id,
        "client_secret": client_secret,
        "refresh_token": refresh_token,
        "seller_id": seller_id,
    }
    for field, value in values.items():
        if not (value or "").strip():
            raise IntegrationError("This field is required.", field=field)
    creds = {k: v.strip() for k, v in values.items() if k != "seller_id"}
    token = _lwa_token(creds)
    market = MARKETPLACES[marketplace]
    with ApiClient(
        base_url=_endpoint(market.region),
        headers={"x-amz-access-token": token["access_token"]},
        label="Amazon",
    ) as api:
        parts = api.get("/sellers/v1/marketplaceParticipations").json().get("payload") or []
    if market.id not in {(p.get("marketplace") or {}).get("id") for p in parts}:
        raise IntegrationError(
            f"This seller account does not sell on Amazon {market.code}.", field="marketplace"
        )
    with transaction.atomic():
        fba = _fba_warehouse(market)
        return connection_create(
            provider=Provider.AMAZON,
            name=name or f"Amazon {market.code}",
            credentials={**creds, **token},
            settings={
                "marketplace": market.code,
                "seller_id": seller_id.strip(),
                "fba_warehouse_id": fba.pk,
                "locations": [{"warehouse_id": warehouse.pk}] if warehouse else [],
            },
        )


# --- orders --------------------------------------------------------------------------------


def _money(value: dict | None) -> Decimal | None:
    return (
        Decimal(str(value["Amount"])) if value and value.get("Amount") not in (None, "") else None
    )


def _remote_order(connection, api, order: dict):
    from apps.integrations.orders import RemoteLine, RemoteOrder

    market = marketplace_of(connection)
    items = api.get(f"/orders/v0/orders/{order['AmazonOrderId']}/orderItems").json()["payload"]
    lines = []
    for item in items.get("OrderItems") or []:
        quantity = Decimal(item.get("QuantityOrdered") or 0)
        if not quantity:
            continue
        total = _money(item.get("ItemPrice"))  # the line's total, not the unit price
        lines.append(
            RemoteLine(
                variant_id="",
                sku=item.get("SellerSKU", ""),
                quantity=quantity,
                unit_price=(total / quantity).quantize(Decimal("0.01"))
                if total is not None
                else None,
                title=item.get("Title", ""),
            )
        )
    return RemoteOrder(
        order_id=order["AmazonOrderId"],
        number=order["AmazonOrderId"],
        currency=(order.get("OrderTotal") or {}).get("CurrencyCode", ""),
        customer_id=f"marketplace:{market.id}",
        customer_name=f"Amazon {market.code} customers",
        email="",
        lines=lines,
    )


def sync_orders(connection: Connection, recorder) -> str:
    from apps.integrations.orders import order_cancel, order_import

    market = marketplace_of(connection)
    state = connection.sync_state.get("orders") or {}
    seen = 0
    with _api(connection) as api:
        next_token = state.get("next_token")
        while True:
            params = {"MarketplaceIds": market.id}
            if next_token:
                params["NextToken"] = next_token
            elif state.get("updated_after"):
                params["LastUpdatedAfter"] = state["updated_after"]
            else:
                since = _now() - dt.timedelta(days=FIRST_IMPORT_DAYS)
                params["CreatedAfter"] = since.strftime("%Y-%m-%dT%H:%M:%SZ")
            payload = api.get("/orders/v0/orders", params=params).json()["payload"]
            for order in payload.get("Orders") or []:
                seen += 1
                status = order.get("OrderStatus")
                if order.get("FulfillmentChannel") == "AFN" or status == "Pending":
                    recorder.count("skipped")
                elif status == "Canceled":
                    order_cancel(
                        connection,
                        recorder,
                        order_id=order["AmazonOrderId"],
                        number=order["AmazonOrderId"],
                        reason="Cancelled on Amazon.",
                    )
                elif status in IMPORTED_STATUSES:
                    order_import(connection, recorder, _remote_order(connection, api, order))
                else:
                    recorder.count("skipped")
            next_token = payload.get("NextToken")
            if payload.get("LastUpdatedBefore") or payload.get("CreatedBefore"):
                state["window_end"] = payload.get("LastUpdatedBefore") or payload.get(
                    "CreatedBefore"
                )
            # Saved after every page: a run that dies resumes here, not from the start.
            sync_state_set(
                connection=connection,
                entity="orders",
                next_token=next_token,
                window_end=state.get("window_end"),
            )
            recorder.progress(50, f"{seen} Amazon orders read")
            if not next_token:
                break
    end = state.get("window_end") or (_now() - dt.timedelta(minutes=2)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    sync_state_set(
        connection=connection,
        entity="orders",
        updated_after=end,
        next_token=None,
        window_end=None,
        last_sync=_now().isoformat(),
    )
    return f"{seen} Amazon order(s) read"


# --- FBA inventory -------------------------------------------------------------------------


def _fba_location(connection: Connection):
    from apps.inventory.models import Location

    return Location.objects.get(warehouse_id=connection.settings["fba_warehouse_id"], code="FBA")


def sync_inventory(connection: Connection, recorder) -> str:
    from apps.catalog.models import Variant
    from apps.inventory.models import StockLevel, StockMove
    from apps.inventory.services import MoveLine, stock_moves_post

    market = marketplace_of(connection)
    location = _fba_location(connection)
    unknown: list[str] = []
    state = connection.sync_state.get("inventory") or {}
    with _api(connection) as api:
        next_token = state.get("next_token")
        while True:
            params = {
                "details": "true",
                "granularityType": "Marketplace",
                "granularityId": market.id,
                "marketplaceIds": market.id,
            }
            if next_token:
                params["nextToken"] = next_token
            answer = api.get("/fba/inventory/v1/summaries", params=params).json()
            summaries = (answer.get("payload") or {}).get("inventorySummaries") or []
            skus = [s.get("sellerSku", "") for s in summaries]
            variants = {v.sku.lower(): v for v in Variant.objects.filter(sku__in=skus)}
            levels = dict(
                StockLevel.objects.filter(
                    location=location, variant__in=variants.values()
                ).values_list("variant_id", "on_hand")
            )
            for summary in summaries:
                sku = summary.get("sellerSku", "")
                variant = variants.get(sku.lower())
                if variant is None:
                    unknown.append(sku)
                    recorder.count("skipped")
                    continue
                target = Decimal(
                    (summary.get("inventoryDetails") or {}).get("fulfillableQuantity") or 0
                )
                delta = target - Decimal(levels.get(variant.pk, 0))
                if not delta:
                    recorder.count("skipped")
                    continue
                try:
                    stock_moves_post(
                        lines=[
                            MoveLine(variant_id=variant.pk, location_id=location.pk, quantity=delta)
                        ],
                        kind=StockMove.Kind.SYNC,
                        note=f"Amazon FBA {market.code}: {target.normalize():f} fulfillable",
                        reference=("amazon", connection.pk),
                    )
                except DomainError as exc:  # e.g. stock reserved there by hand
                    recorder.fail(f"SKU {sku}", exc.message)
                    continue
                recorder.count("updated")
            next_token = (answer.get("pagination") or {}).get("nextToken")
            sync_state_set(connection=connection, entity="inventory", next_token=next_token)
            if not next_token:
                break
    sync_state_set(
        connection=connection, entity="inventory", next_token=None, last_sync=_now().isoformat()
    )
    message = "FBA inventory in sync"
    if unknown:
        message += f"; SKUs not in Stockroom: {', '.join(sorted(set(unknown))[:10])}"
    return message


# --- merchant-fulfilled quantities ---------------------------------------------------------


def _listings(connection: Connection, api: ApiClient) -> list[dict]:
    seller = quote(connection.settings["seller_id"], safe="")
    market = marketplace_of(connection)
    rows, page_token = [], None
    while True:
        params = {
            "marketplaceIds": market.id,
            "includedData": "summaries,fulfillmentAvailability",
            "pageSize": 20,
        }
        if page_token:
            params["pageToken"] = page_token
        answer = api.get(f"/listings/{LISTINGS_VERSION}/items/{seller}", params=params).json()
        rows += answer.get("items") or []
        page_token = (answer.get("pagination") or {}).get("nextToken")
        if not page_token:
            return rows


def sync_stock(connection: Connection, recorder) -> str:
    from apps.catalog.models import Variant
    from apps.integrations.stock import available_by_warehouse, pushed_get, pushed_set

    warehouses = [int(m["warehouse_id"]) for m in connection.settings.get("locations") or []]
    if not warehouses:
        raise IntegrationError(
            "Choose the warehouse that fulfils Amazon orders (merchant-fulfilled) first."
        )
    market = marketplace_of(connection)
    seller = quote(connection.settings["seller_id"], safe="")
    pushed = 0
    with _api(connection) as api:
        listings = _listings(connection, api)
        mfn = [
            item
            for item in listings
            if any(
                f.get("fulfillmentChannelCode") == "DEFAULT"
                for f in item.get("fulfillmentAvailability") or []
            )
        ]
        variants = {
            v.sku.lower(): v for v in Variant.objects.filter(sku__in=[i["sku"] for i in mfn])
        }
        available = available_by_warehouse([v.pk for v in variants.values()], warehouses)
        for item in mfn:
            variant = variants.get(item["sku"].lower())
            if variant is None:
                recorder.count("skipped")
                continue
            link = ids.external_for(connection, "listing", variant.pk)
            if link is None or link.external_id != item["sku"]:
                link, _ = ids.link(
                    connection, "listing", local_id=variant.pk, external_id=item["sku"]
                )
            quantity = sum(available.get((variant.pk, w), 0) for w in warehouses)
            if pushed_get(link, "default") == quantity:
                recorder.count("skipped")
                continue
            product_type = ((item.get("summaries") or [{}])[0]).get("productType", "PRODUCT")
            try:
                answer = api.request(
                    "PATCH",
                    f"/listings/{LISTINGS_VERSION}/items/{seller}/{quote(item['sku'], safe='')}",
                    params={"marketplaceIds": market.id},
                    json={
                        "productType": product_type,
                        "patches": [
                            {
                                "op": "replace",
                                "path": "/attributes/fulfillment_availability",
                                "value": [
                                    {"fulfillment_channel_code": "DEFAULT", "quantity": quantity}
                                ],
                            }
                        ],
                    },
                ).json()
            except ApiError as exc:
                if exc.status is None or exc.status == 429:
                    raise
                recorder.fail(f"SKU {item['sku']}", exc.message)
                continue
            if answer.get("status") != "ACCEPTED":
                issue = (answer.get("issues") or [{}])[0].get("message", "not accepted")
                recorder.fail(f"SKU {item['sku']}", f"Amazon did not accept the quantity: {issue}")
                continue
            pushed_set(link, "default", quantity)
            pushed += 1
            recorder.count("updated")
    sync_state_set(connection=connection, entity="stock", last_sync=_now().isoformat())
    return f"{pushed} merchant-fulfilled quantit{'y' if pushed == 1 else 'ies'} pushed"


# --- schedule ------------------------------------------------------------------------------


def polling_due() -> int:
    """Every 15 minutes per company (SP-API notifications are SQS-based: we poll instead):
    orders and FBA inventory of each connected Amazon account."""
    from apps.integrations.sync import sync_run_start

    started = 0
    for connection in Connection.objects.filter(
        provider=Provider.AMAZON, status__in=("connected", "error")
    ):
        for entity in ("orders", "inventory", "stock"):
            try:
                sync_run_start(connection=connection, entity=entity, trigger="schedule")
                started += 1
            except IntegrationError:
                pass
    return started
