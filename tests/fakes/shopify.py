"""A fake Shopify store speaking the GraphQL Admin API we call, plus OAuth and webhooks.

Implements, with Shopify's request/response shapes: OAuth authorize (auto-approves and
redirects with ``code``, ``state``, ``shop``, ``timestamp`` and ``hmac``), the access-token
exchange, ``X-Shopify-Access-Token`` auth (401 otherwise), and these operations (recognised by
operation name): ``Shop``, ``Locations``, ``Products`` (cursor pagination, ``updated_at:>``
search, ``sortKey: UPDATED_AT``), ``InventoryLevels`` (``nodes`` of InventoryItem with
``inventoryLevel.quantities``) and ``InventorySet`` (``inventorySetQuantities`` with
``changeFromQuantity``/``compareQuantity`` compare-and-set, all or nothing, and the
``CHANGE_FROM_QUANTITY_STALE`` user error). Every GraphQL answer carries
``extensions.cost``; ``throttle_next`` answers THROTTLED that many times.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import re
import secrets
import time
from datetime import UTC, datetime
from urllib.parse import urlencode

from tests.fakes.base import FakeServer

API_PATH = re.compile(r"^/admin/api/[0-9-]+/graphql\.json$")
OP_NAME = re.compile(r"\b(query|mutation)\s+(\w+)")
COST = {"Products": 52, "InventoryLevels": 12, "InventorySet": 10}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class FakeShopify(FakeServer):
    def __init__(self, *, client_id="fake-client-id", client_secret="fake-client-secret"):
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.shop_domain = "fake-store.myshopify.com"
        self.tokens: dict[str, float] = {}  # access token -> expires (epoch seconds)
        self.refresh_tokens: dict[str, str] = {}  # refresh token -> its access token
        self.token_ttl = 3600
        self.refreshes = 0
        self.codes: dict[str, bool] = {}
        self.products: list[dict] = []
        self.locations = [
            {"id": "gid://shopify/Location/1", "name": "Main store", "isActive": True}
        ]
        self.levels: dict[tuple[str, str], int] = {}  # (inventory item, location) -> available
        self.sets: list[dict] = []  # every accepted inventorySetQuantities input
        self.subscriptions: dict[str, str] = {}  # topic -> uri
        self.orders: list[dict] = []  # GraphQL shape, for the Orders query
        self.customers: list[dict] = []  # GraphQL shape, for the Customers query
        self.throttle_next = 0
        self.before_set = None  # callable run before a set is applied (simulates a sale)
        self._ids = itertools.count(1001)

    # --- catalog helpers for tests
    def add_product(self, title: str, variants: list[tuple[str, str]], stock: int = 0) -> dict:
        pid = next(self._ids)
        product = {
            "id": f"gid://shopify/Product/{pid}", "title": title, "updatedAt": _now(),
            "vendor": "", "productType": "", "tags": [], "metafields": [],
        }  # fmt: skip
        product["variants"] = []
        for sku, price in variants:
            vid, iid = next(self._ids), next(self._ids)
            item = f"gid://shopify/InventoryItem/{iid}"
            product["variants"].append(
                {
                    "id": f"gid://shopify/ProductVariant/{vid}",
                    "sku": sku,
                    "price": price,
                    "selectedOptions": [{"name": "Title", "value": "Default Title"}],
                    "inventoryItem": {"id": item},
                    "barcode": None,
                    "metafields": [],
                }
            )
            for loc in self.locations:
                self.levels[(item, loc["id"])] = stock
        self.products.append(product)
        time.sleep(0.002)  # distinct updatedAt values
        return product

    def set_metafield(self, owner: dict, namespace: str, key: str, value: str) -> None:
        """A metafield on a product or variant (``{namespace, key, value, type}``)."""
        owner["metafields"] = [
            m for m in owner["metafields"] if (m["namespace"], m["key"]) != (namespace, key)
        ] + [{"namespace": namespace, "key": key, "value": value, "type": "single_line_text_field"}]

    def touch(self, product: dict, **changes) -> None:
        product.update(changes)
        product["updatedAt"] = _now()
        time.sleep(0.002)

    def item_of(self, sku: str) -> str:
        for p in self.products:
            for v in p["variants"]:
                if v["sku"] == sku:
                    return v["inventoryItem"]["id"]
        raise KeyError(sku)

    def available(self, sku: str, location: str = "gid://shopify/Location/1") -> int | None:
        return self.levels.get((self.item_of(sku), location))

    # --- webhooks
    def webhook(self, topic: str, payload: dict, *, secret: str | None = None, event_id=None):
        """(body, headers) of a delivery signed as Shopify signs it."""
        body = json.dumps(payload).encode()
        digest = hmac.new((secret or self.client_secret).encode(), body, hashlib.sha256).digest()
        headers = {
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode(),
            "X-Shopify-Shop-Domain": self.shop_domain,
            "X-Shopify-Event-Id": event_id or secrets.token_hex(8),
            "X-Shopify-Webhook-Id": secrets.token_hex(8),
            "X-Shopify-API-Version": "2025-07",
        }
        return body, headers

    def product_webhook_payload(self, product: dict) -> dict:
        """products/update as Shopify sends it (REST shape, numeric ids)."""

        def num(gid):
            return int(gid.rsplit("/", 1)[1])

        return {
            "id": num(product["id"]),
            "admin_graphql_api_id": product["id"],
            "title": product["title"],
            "updated_at": product["updatedAt"],
            "variants": [
                {
                    "id": num(v["id"]),
                    "admin_graphql_api_id": v["id"],
                    "sku": v["sku"],
                    "price": v["price"],
                    "inventory_item_id": num(v["inventoryItem"]["id"]),
                }
                for v in product["variants"]
            ],
        }

    def create_order(self, lines: list[tuple[str, int]], *, email="ann@example.com") -> dict:
        """A checkout: Shopify takes the quantities off its own available and sends
        orders/create with this payload (REST shape)."""
        oid, cid = next(self._ids), 7001
        items = []
        for sku, qty in lines:
            product, variant = next(
                (p, v) for p in self.products for v in p["variants"] if v["sku"] == sku
            )
            key = (variant["inventoryItem"]["id"], self.locations[0]["id"])
            self.levels[key] = self.levels.get(key, 0) - qty
            items.append({
                "id": next(self._ids), "variant_id": int(variant["id"].rsplit("/", 1)[1]),
                "product_id": int(product["id"].rsplit("/", 1)[1]), "sku": sku,
                "quantity": qty, "price": variant["price"], "name": product["title"],
            })  # fmt: skip
        self.orders.append({
            "id": f"gid://shopify/Order/{oid}", "name": f"#{oid}", "email": email,
            "currencyCode": "USD", "cancelledAt": None, "updatedAt": _now(),
            "customer": {"id": f"gid://shopify/Customer/{cid}", "firstName": "Ann",
                         "lastName": "Lee", "email": email},
            "shippingAddress": {"name": "Ann Lee", "address1": "1 Main St",
                                "city": "Springfield", "zip": "12345", "country": "United States"},
            "lineItems": {"nodes": [
                {"sku": i["sku"], "quantity": i["quantity"], "title": i["name"],
                 "variant": {"id": f"gid://shopify/ProductVariant/{i['variant_id']}"},
                 "originalUnitPriceSet": {"shopMoney": {"amount": i["price"]}}}
                for i in items]},
        })  # fmt: skip
        time.sleep(0.002)
        return {
            "id": oid, "admin_graphql_api_id": f"gid://shopify/Order/{oid}",
            "name": f"#{oid}", "email": email, "currency": "USD",
            "cancelled_at": None,
            "customer": {"id": cid, "email": email, "first_name": "Ann", "last_name": "Lee"},
            "shipping_address": {"first_name": "Ann", "last_name": "Lee", "address1": "1 Main St",
                                 "city": "Springfield", "zip": "12345", "country": "United States"},
            "line_items": items,
        }  # fmt: skip

    def add_customer(self, first: str, last: str, email: str, phone: str = "") -> dict:
        cid = next(self._ids)
        customer = {
            "id": f"gid://shopify/Customer/{cid}", "firstName": first, "lastName": last,
            "email": email, "phone": phone or None, "updatedAt": _now(),
        }  # fmt: skip
        self.customers.append(customer)
        time.sleep(0.002)
        return customer

    def touch_customer(self, customer: dict, **changes) -> None:
        customer.update(changes)
        customer["updatedAt"] = _now()
        time.sleep(0.002)

    def refund_payload(
        self, order: dict, lines: list[tuple[str, int, str]], amount: str | None
    ) -> dict:
        """refunds/create (REST shape) for ``order`` (a ``create_order`` payload);
        lines: (sku, quantity, restock_type)."""
        rid = next(self._ids)
        by_sku = {i["sku"]: i for i in order["line_items"]}
        return {
            "id": rid, "admin_graphql_api_id": f"gid://shopify/Refund/{rid}",
            "order_id": order["id"], "note": "Damaged in transit", "restock": True,
            "refund_line_items": [
                {"id": next(self._ids), "quantity": qty, "line_item_id": by_sku[sku]["id"],
                 "restock_type": restock, "line_item": by_sku[sku]}
                for sku, qty, restock in lines
            ],
            "transactions": [
                {"id": next(self._ids), "kind": "refund", "status": "success",
                 "amount": amount, "currency": "USD"}
            ] if amount else [],
        }  # fmt: skip

    # --- HTTP
    def route_key(self, method, path, query, headers, body):
        if API_PATH.match(path):
            try:
                match = OP_NAME.search(json.loads(body or b"{}").get("query", ""))
            except ValueError:
                match = None
            return match.group(2) if match else "graphql"
        return path

    def handle(self, method, path, query, headers, body):
        if path == "/admin/oauth/authorize":
            return self._authorize(query)
        if path == "/admin/oauth/access_token" and method == "POST":
            return self._token(json.loads(body or b"{}"))
        if API_PATH.match(path) and method == "POST":
            if self.tokens.get(headers.get("X-Shopify-Access-Token"), 0) < time.time():
                return (
                    401,
                    {},
                    {
                        "errors": "[API] Invalid API key or access token (unrecognized login or "
                        "wrong password)"
                    },
                )
            return self._graphql(json.loads(body or b"{}"))
        return 404, {}, {"errors": "Not Found"}

    def _authorize(self, query):
        if query.get("client_id") != self.client_id:
            return 400, {}, {"error": "invalid client_id"}
        code = secrets.token_hex(8)
        self.codes[code] = False
        params = {
            "code": code,
            "host": base64.b64encode(b"admin.shopify.com/store/fake-store").decode(),
            "shop": self.shop_domain,
            "state": query.get("state", ""),
            "timestamp": str(int(time.time())),
        }
        message = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
        params["hmac"] = hmac.new(
            self.client_secret.encode(), message.encode(), hashlib.sha256
        ).hexdigest()
        location = f"{query.get('redirect_uri')}?{urlencode(params)}"
        return 302, {"Location": location}, b""

    def _issue(self, expiring: bool) -> dict:
        token = "shpat_" + secrets.token_hex(16)
        answer = {"access_token": token, "scope": "read_products,write_inventory"}
        if expiring:
            self.tokens[token] = time.time() + self.token_ttl
            refresh = "shprt_" + secrets.token_hex(16)
            self.refresh_tokens[refresh] = token
            answer.update(expires_in=self.token_ttl, refresh_token=refresh,
                          refresh_token_expires_in=7776000)  # fmt: skip
        else:
            self.tokens[token] = float("inf")
        return answer

    def _token(self, data):
        if data.get("grant_type") == "refresh_token":
            if (data.get("client_id"), data.get("client_secret")) != (
                self.client_id,
                self.client_secret,
            ) or data.get("refresh_token") not in self.refresh_tokens:
                return 400, {}, {"error": "invalid_grant"}
            old = self.refresh_tokens.pop(data["refresh_token"])  # single use
            self.tokens.pop(old, None)  # the old access token stops working
            self.refreshes += 1
            return 200, {}, self._issue(expiring=True)
        code = data.get("code")
        if (
            data.get("client_id") != self.client_id
            or data.get("client_secret") != self.client_secret
            or code not in self.codes
            or self.codes[code]
        ):
            return (
                400,
                {},
                {
                    "error": "invalid_request",
                    "error_description": "The authorization code was not found or was already used",
                },
            )
        self.codes[code] = True
        return 200, {}, self._issue(expiring=bool(data.get("expiring")))

    def _cost(self, op: str, available: float = 1000.0) -> dict:
        requested = COST.get(op, 1)
        return {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": requested,
                "throttleStatus": {
                    "maximumAvailable": 2000.0,
                    "currentlyAvailable": available,
                    "restoreRate": 100.0,
                },
            }
        }

    def _graphql(self, request):
        query, variables = request.get("query", ""), request.get("variables") or {}
        match = OP_NAME.search(query)
        op = match.group(2) if match else ""
        with self.lock:
            if self.throttle_next > 0:
                self.throttle_next -= 1
                requested = COST.get(op, 1)
                return (
                    200,
                    {},
                    {
                        "errors": [
                            {
                                "message": "Throttled",
                                "extensions": {
                                    "code": "THROTTLED",
                                    "documentation": "https://shopify.dev/api/usage/rate-limits",
                                },
                            }
                        ],
                        # 20 points short at 100/s: the client should wait 0.2 s.
                        "extensions": self._cost(op, available=requested - 20),
                    },
                )
            handler = getattr(self, f"_op_{op}", None)
            if handler is None:
                return 200, {}, {"errors": [{"message": f"Unknown operation {op!r}"}]}
            # Products answers only the fields the query selects (metafields).
            data = handler(variables, query) if op == "Products" else handler(variables)
        return 200, {}, {"data": data, "extensions": self._cost(op)}

    def _op_Shop(self, v):
        return {
            "shop": {
                "name": "Fake Store",
                "myshopifyDomain": self.shop_domain,
                "currencyCode": "USD",
            }
        }

    def _op_Locations(self, v):
        return {"locations": {"nodes": self.locations}}

    def cancel_order(self, order_gid: str) -> None:
        order = next(o for o in self.orders if o["id"] == order_gid)
        order["cancelledAt"] = _now()
        order["updatedAt"] = _now()
        time.sleep(0.002)

    def _page(self, rows: list[dict], v: dict) -> tuple[list[dict], dict]:
        """Sort by (updatedAt, id), filter ``updated_at:>'…'``, page after the cursor."""
        items = sorted(rows, key=lambda p: (p["updatedAt"], p["id"]))
        m = re.search(r"updated_at:>'([^']+)'", v.get("query") or "")
        if m:
            since = datetime.fromisoformat(m.group(1).replace("Z", "+00:00"))
            items = [
                p for p in items
                if datetime.fromisoformat(p["updatedAt"].replace("Z", "+00:00")) > since
            ]  # fmt: skip
        if v.get("after"):
            after = json.loads(base64.b64decode(v["after"]))
            items = [p for p in items if (p["updatedAt"], p["id"]) > tuple(after)]
        first = int(v.get("first") or 50)
        page, more = items[:first], len(items) > first
        end = (
            base64.b64encode(json.dumps([page[-1]["updatedAt"], page[-1]["id"]]).encode()).decode()
            if page
            else None
        )
        return page, {"hasNextPage": more, "endCursor": end}

    def _op_Orders(self, v):
        page, info = self._page(self.orders, v)
        nodes = [{k: val for k, val in o.items() if k != "updatedAt"} for o in page]
        return {"orders": {"pageInfo": info, "nodes": nodes}}

    def _op_Customers(self, v):
        page, info = self._page(self.customers, v)
        nodes = [{k: val for k, val in c.items() if k != "updatedAt"} for c in page]
        return {"customers": {"pageInfo": info, "nodes": nodes}}

    def _op_Products(self, v, query: str = ""):
        items = sorted(self.products, key=lambda p: (p["updatedAt"], p["id"]))
        search = v.get("query") or ""
        m = re.search(r"updated_at:>'([^']+)'", search)
        if m:
            since = datetime.fromisoformat(m.group(1).replace("Z", "+00:00"))
            items = [
                p
                for p in items
                if datetime.fromisoformat(p["updatedAt"].replace("Z", "+00:00")) > since
            ]
        if v.get("after"):
            after = json.loads(base64.b64decode(v["after"]))
            items = [p for p in items if (p["updatedAt"], p["id"]) > tuple(after)]
        first = int(v.get("first") or 50)
        page, more = items[:first], len(items) > first
        end = (
            base64.b64encode(json.dumps([page[-1]["updatedAt"], page[-1]["id"]]).encode()).decode()
            if page
            else None
        )
        nodes = [self._product_node(p, query) for p in page]
        return {"products": {"pageInfo": {"hasNextPage": more, "endCursor": end}, "nodes": nodes}}

    @staticmethod
    def _product_node(product: dict, query: str) -> dict:
        """A Product node as GraphQL answers it: metafields are a connection (``nodes``) and
        only there when the query selects them."""
        asks_metafields = "metafields" in query

        def shaped(owner: dict, skip: tuple) -> dict:
            node = {k: v for k, v in owner.items() if k not in skip and k != "metafields"}
            if asks_metafields:
                node["metafields"] = {"nodes": [
                    {k: m[k] for k in ("namespace", "key", "value")} for m in owner["metafields"]
                ]}  # fmt: skip
            return node

        node = shaped(product, ("variants",))
        node["variants"] = {"nodes": [shaped(v, ()) for v in product["variants"]]}
        return node

    def _op_WebhookSubscribe(self, v):
        topic, sub = v["topic"], v["webhookSubscription"]
        uri = sub.get("uri") or sub.get("callbackUrl")
        if self.subscriptions.get(topic) == uri:
            return {"webhookSubscriptionCreate": {"webhookSubscription": None, "userErrors": [
                {"field": ["webhookSubscription", "uri"],
                 "message": "Address for this topic has already been taken"}]}}  # fmt: skip
        self.subscriptions[topic] = uri
        return {"webhookSubscriptionCreate": {
            "webhookSubscription": {"id": f"gid://shopify/WebhookSubscription/{next(self._ids)}",
                                    "topic": topic}, "userErrors": []}}  # fmt: skip

    def _op_InventoryLevels(self, v):
        location = v["locationId"]
        nodes = []
        for item in v["ids"]:
            known = any(i == item for i, _ in self.levels)
            if not known:
                nodes.append(None)
                continue
            qty = self.levels.get((item, location))
            level = (
                None if qty is None else {"quantities": [{"name": "available", "quantity": qty}]}
            )
            nodes.append({"id": item, "inventoryLevel": level})
        return {"nodes": nodes}

    def _op_InventorySet(self, v):
        if self.before_set:
            hook, self.before_set = self.before_set, None
            hook(self)
        data = v["input"]
        errors = []
        for i, q in enumerate(data.get("quantities") or []):
            key = (q["inventoryItemId"], q["locationId"])
            if key not in self.levels:
                errors.append(
                    {
                        "field": ["input", "quantities", str(i), "locationId"],
                        "message": "The specified inventory item is not stocked at the location.",
                        "code": "ITEM_NOT_STOCKED_AT_LOCATION",
                    }
                )
                continue
            compare = q.get("changeFromQuantity", q.get("compareQuantity"))
            if compare is not None and compare != self.levels[key]:
                errors.append(
                    {
                        "field": ["input", "quantities", str(i), "changeFromQuantity"],
                        "message": "The specified compare quantity is stale.",
                        "code": "CHANGE_FROM_QUANTITY_STALE",
                    }
                )
        if errors:
            return {
                "inventorySetQuantities": {"inventoryAdjustmentGroup": None, "userErrors": errors}
            }
        for q in data["quantities"]:
            self.levels[(q["inventoryItemId"], q["locationId"])] = int(q["quantity"])
        self.sets.append(data)
        return {
            "inventorySetQuantities": {
                "inventoryAdjustmentGroup": {
                    "id": f"gid://shopify/InventoryAdjustmentGroup/{next(self._ids)}"
                },
                "userErrors": [],
            }
        }
