"""A fake Selling Partner API: Login with Amazon token exchange (refresh token → access token
for an hour), ``x-amz-access-token`` checks, marketplace participations, Orders API v0
(``getOrders`` with CreatedAfter/LastUpdatedAfter and ``NextToken`` pages, ``getOrderItems``),
FBA inventory summaries (``nextToken``), Listings Items search and PATCH. A scripted 429 answers
like Amazon: ``x-amzn-RateLimit-Limit`` and no ``Retry-After``."""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from decimal import Decimal
from urllib.parse import parse_qs, unquote

from tests.fakes.base import FakeServer

US = "ATVPDKIKX0DER"


def _iso(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _error(status: int, code: str, message: str):
    return status, {}, {"errors": [{"code": code, "message": message, "details": ""}]}


class FakeAmazon(FakeServer):
    rate_limit = "2"  # requests per second in x-amzn-RateLimit-Limit (→ a 1-second wait)

    def __init__(self):
        super().__init__()
        self.client_id = "amzn1.application-oa2-client." + secrets.token_hex(8)
        self.client_secret = "amzn1.oa2-cs.v1." + secrets.token_hex(16)
        self.refresh_token = "Atzr|" + secrets.token_hex(20)
        self.seller_id = "A2SELLER" + secrets.token_hex(3).upper()
        self.tokens: set[str] = set()
        self.orders: list[dict] = []
        self.items: dict[str, list[dict]] = {}
        self.fba: dict[str, int] = {}
        self.listings: dict[
            str, dict
        ] = {}  # sku -> {"channel": "DEFAULT"|"AMAZON_NA", "quantity": n}
        self.page_size = 2
        self._pages: dict[str, tuple[str, list, int]] = {}

    def start(self) -> FakeAmazon:
        super().start()
        handler = self._server.RequestHandlerClass
        handler.do_PATCH = handler._serve  # the base fake serves GET/POST/PUT/DELETE
        return self

    def route_key(self, method, path, query, headers, body):
        if path == "/auth/o2/token":
            return "token"
        if path.endswith("/orderItems"):
            return "items"
        if path == "/orders/v0/orders":
            return "orders"
        if path.startswith("/fba/inventory"):
            return "summaries"
        if path.startswith("/listings/"):
            return "patch" if method == "PATCH" else "listings"
        return path

    def dispatch(self, method, path, query, headers, body):
        status, out_headers, payload = super().dispatch(method, path, query, headers, body)
        if status == 429:
            out_headers = {"x-amzn-RateLimit-Limit": self.rate_limit}
            payload = {
                "errors": [
                    {
                        "code": "QuotaExceeded",
                        "message": "You exceeded your quota for the requested resource.",
                    }
                ]
            }
        return status, out_headers, payload

    # --- data helpers used by tests
    def add_order(
        self, order_id: str, *, status="Unshipped", channel="MFN", lines=(("SKU-1", 2, "20.00"),)
    ):
        now = _iso(dt.datetime.now(dt.UTC))
        order = {
            "AmazonOrderId": order_id,
            "PurchaseDate": now,
            "LastUpdateDate": now,
            "OrderStatus": status,
            "FulfillmentChannel": channel,
            "MarketplaceId": US,
            "OrderTotal": {"CurrencyCode": "USD", "Amount": "0"},
        }
        self.orders = [o for o in self.orders if o["AmazonOrderId"] != order_id] + [order]
        self.items[order_id] = [
            {
                "ASIN": "B0" + secrets.token_hex(4).upper(),
                "OrderItemId": secrets.token_hex(6),
                "SellerSKU": sku,
                "Title": f"Item {sku}",
                "QuantityOrdered": qty,
                "ItemPrice": {"CurrencyCode": "USD", "Amount": str(Decimal(price) * qty)},
            }
            for sku, qty, price in lines
        ]
        return order

    def set_status(self, order_id: str, status: str) -> None:
        for order in self.orders:
            if order["AmazonOrderId"] == order_id:
                order["OrderStatus"] = status
                order["LastUpdateDate"] = _iso(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))

    # --- the API
    def _page(self, kind: str, rows: list, token: str | None):
        if token:
            if token not in self._pages:
                return None
            kind, rows, offset = self._pages.pop(token)
        else:
            offset = 0
        page = rows[offset : offset + self.page_size]
        next_token = None
        if offset + self.page_size < len(rows):
            next_token = secrets.token_urlsafe(12)
            self._pages[next_token] = (kind, rows, offset + self.page_size)
        return page, next_token

    def handle(self, method, path, query, headers, body):
        if path == "/auth/o2/token" and method == "POST":
            form = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
            if form.get("grant_type") != "refresh_token":
                return 400, {}, {"error": "unsupported_grant_type"}
            if (form.get("client_id"), form.get("client_secret")) != (
                self.client_id,
                self.client_secret,
            ):
                return (
                    401,
                    {},
                    {
                        "error": "invalid_client",
                        "error_description": "Client authentication failed",
                    },
                )
            if form.get("refresh_token") != self.refresh_token:
                return (
                    400,
                    {},
                    {
                        "error": "invalid_grant",
                        "error_description": "The request has an invalid grant parameter : refresh_token",
                    },
                )
            token = "Atza|" + secrets.token_hex(20)
            self.tokens.add(token)
            return (
                200,
                {},
                {
                    "access_token": token,
                    "refresh_token": self.refresh_token,
                    "token_type": "bearer",
                    "expires_in": 3600,
                },
            )
        if headers.get("x-amz-access-token") not in self.tokens:
            return _error(403, "Unauthorized", "Access to requested resource is denied.")
        if path == "/sellers/v1/marketplaceParticipations":
            return (
                200,
                {},
                {
                    "payload": [
                        {
                            "marketplace": {"id": US, "countryCode": "US", "name": "Amazon.com"},
                            "participation": {"isParticipating": True},
                        }
                    ]
                },
            )
        if path == "/orders/v0/orders":
            if not query.get("MarketplaceIds"):
                return _error(400, "InvalidInput", "MarketplaceIds is required.")
            token = query.get("NextToken")
            payload = {}
            if token:
                paged = self._page("orders", [], token)
                if paged is None:
                    return _error(400, "InvalidInput", "Invalid NextToken.")
            else:
                if "LastUpdatedAfter" in query:
                    rows = [
                        o for o in self.orders if o["LastUpdateDate"] >= query["LastUpdatedAfter"]
                    ]
                    payload["LastUpdatedBefore"] = _iso(
                        dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
                    )
                elif "CreatedAfter" in query:
                    rows = [o for o in self.orders if o["PurchaseDate"] >= query["CreatedAfter"]]
                    payload["CreatedBefore"] = _iso(
                        dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
                    )
                else:
                    return _error(
                        400,
                        "InvalidInput",
                        "Either CreatedAfter or LastUpdatedAfter must be specified.",
                    )
                paged = self._page("orders", rows, None)
            rows, next_token = paged
            payload["Orders"] = rows
            if next_token:
                payload["NextToken"] = next_token
            return 200, {}, {"payload": payload}
        m = re.match(r"^/orders/v0/orders/([^/]+)/orderItems$", path)
        if m:
            if m.group(1) not in self.items:
                return _error(404, "NotFound", "Order not found.")
            return (
                200,
                {},
                {"payload": {"AmazonOrderId": m.group(1), "OrderItems": self.items[m.group(1)]}},
            )
        if path == "/fba/inventory/v1/summaries":
            rows = [
                {"sellerSku": sku, "fnSku": "X00" + sku, "asin": "B0" + sku, "condition": "NewItem",
                 "inventoryDetails": {"fulfillableQuantity": qty}, "totalQuantity": qty}
                for sku, qty in sorted(self.fba.items())
            ]  # fmt: skip
            paged = self._page("fba", rows, query.get("nextToken"))
            if paged is None:
                return _error(400, "InvalidInput", "Invalid nextToken.")
            rows, next_token = paged
            answer = {
                "payload": {
                    "granularity": {"granularityType": "Marketplace", "granularityId": US},
                    "inventorySummaries": rows,
                }
            }
            if next_token:
                answer["pagination"] = {"nextToken": next_token}
            return 200, {}, answer
        m = re.match(r"^/listings/2021-08-01/items/([^/]+)(?:/([^/]+))?$", path)
        if m:
            if unquote(m.group(1)) != self.seller_id:
                return _error(403, "Unauthorized", "The seller id does not match.")
            if method == "GET" and not m.group(2):
                rows = [
                    {"sku": sku, "summaries": [{"marketplaceId": US, "productType": "SHIRT", "asin": "B0" + sku}],
                     "fulfillmentAvailability": [{"fulfillmentChannelCode": v["channel"], "quantity": v["quantity"]}]}
                    for sku, v in sorted(self.listings.items())
                ]  # fmt: skip
                paged = self._page("listings", rows, query.get("pageToken"))
                rows, next_token = paged
                answer = {"numberOfResults": len(self.listings), "items": rows}
                if next_token:
                    answer["pagination"] = {"nextToken": next_token}
                return 200, {}, answer
            if method == "PATCH" and m.group(2):
                sku = unquote(m.group(2))
                if sku not in self.listings:
                    return _error(404, "NOT_FOUND", f"SKU {sku} not found.")
                patch = json.loads(body)["patches"][0]
                assert patch["path"] == "/attributes/fulfillment_availability"
                self.listings[sku]["quantity"] = patch["value"][0]["quantity"]
                return (
                    200,
                    {},
                    {
                        "sku": sku,
                        "status": "ACCEPTED",
                        "submissionId": secrets.token_hex(8),
                        "issues": [],
                    },
                )
        return _error(404, "NotFound", "Resource not found.")
