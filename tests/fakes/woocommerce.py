"""A fake WooCommerce store: REST API v3 with HTTP Basic consumer keys.

Implements ``GET /products``, ``GET /orders`` and ``GET /customers`` (``page``/``per_page`` with ``X-WP-Total``/``X-WP-TotalPages``,
``orderby=modified``, ``modified_after``; customers, like the real store, take neither: they
come ordered by ``orderby=id`` and carry ``date_modified_gmt``), ``GET /products/categories``
(id, name, parent), ``GET /products/<id>/variations``, the batch
endpoints ``POST /products/batch`` and ``POST /products/<id>/variations/batch`` (per-item
errors), ``POST /webhooks``, and signed deliveries (``X-WC-Webhook-Signature``: base64
HMAC-SHA256 of the body with the webhook's secret).
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

from tests.fakes.base import FakeServer

API = "/wp-json/wc/v3"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


class FakeWooCommerce(FakeServer):
    def __init__(self):
        super().__init__()
        self.consumer_key = "ck_" + secrets.token_hex(20)
        self.consumer_secret = "cs_" + secrets.token_hex(20)
        self.products: dict[int, dict] = {}
        self.variations: dict[int, dict[int, dict]] = {}
        self.webhooks: dict[int, dict] = {}
        self.orders: dict[int, dict] = {}
        self.customers: dict[int, dict] = {}
        self.categories: dict[int, dict] = {}
        self.max_per_page = 100  # the store's cap on per_page (WooCommerce: 100)
        self.batches: list[tuple[str, dict]] = []
        self._ids = itertools.count(100)

    def add_simple(self, name: str, sku: str, price: str = "10.00", stock: int = 0) -> dict:
        pid = next(self._ids)
        self.products[pid] = {
            "id": pid, "name": name, "type": "simple", "sku": sku, "price": price,
            "regular_price": price, "manage_stock": True, "stock_quantity": stock,
            "date_modified_gmt": _now(), "variations": [], "categories": [],
            "attributes": [], "meta_data": [], "global_unique_id": "",
        }  # fmt: skip
        time.sleep(0.002)
        return self.products[pid]

    def add_variable(self, name: str, variations: list[tuple[str, str, str]]) -> dict:
        """variations: (sku, price, size)."""
        pid = next(self._ids)
        self.variations[pid] = {}
        for sku, price, size in variations:
            vid = next(self._ids)
            self.variations[pid][vid] = {
                "id": vid, "sku": sku, "price": price, "regular_price": price,
                "manage_stock": True, "stock_quantity": 0,
                "attributes": [{"id": 1, "name": "Size", "option": size}],
                "meta_data": [], "global_unique_id": "",
            }  # fmt: skip
        self.products[pid] = {
            "id": pid, "name": name, "type": "variable", "sku": "", "price": "",
            "regular_price": "", "date_modified_gmt": _now(),
            "variations": list(self.variations[pid]), "categories": [],
            "attributes": [
                {"id": 1, "name": "Size", "position": 0, "visible": True, "variation": True,
                 "options": [size for _, _, size in variations]},
            ],
            "meta_data": [], "global_unique_id": "",
        }  # fmt: skip
        time.sleep(0.002)
        return self.products[pid]

    def add_category(self, name: str, parent: dict | None = None) -> dict:
        cid = next(self._ids)
        slug = name.lower().replace(" ", "-")
        self.categories[cid] = {
            "id": cid, "name": name, "slug": slug, "parent": parent["id"] if parent else 0,
            "description": "", "display": "default", "image": None, "menu_order": 0, "count": 0,
        }  # fmt: skip
        return self.categories[cid]

    def categorize(self, product: dict, *categories: dict) -> None:
        """Put a product in categories (the product shows only id, name and slug of each)."""
        self.touch(
            product,
            categories=[{k: c[k] for k in ("id", "name", "slug")} for c in categories],
        )

    def add_customer(self, first: str, last: str, email: str, phone: str = "") -> dict:
        cid = next(self._ids)
        self.customers[cid] = {
            "id": cid, "date_created_gmt": _now(), "date_modified_gmt": _now(),
            "email": email, "first_name": first, "last_name": last, "role": "customer",
            "username": email.split("@")[0],
            "billing": {"first_name": first, "last_name": last, "company": "", "email": email,
                        "phone": phone, "address_1": "", "city": "", "postcode": "",
                        "country": ""},
            "shipping": {"first_name": first, "last_name": last, "address_1": "", "city": ""},
            "is_paying_customer": False, "avatar_url": "",
        }  # fmt: skip
        time.sleep(0.002)
        return self.customers[cid]

    def touch_customer(self, customer: dict, **changes) -> None:
        billing = changes.pop("billing", None)
        customer.update(changes)
        if billing:
            customer["billing"].update(billing)
        customer["date_modified_gmt"] = _now()
        time.sleep(0.002)

    def add_order(self, status: str, lines: list[tuple[str, int, str]], **extra) -> dict:
        """lines: (sku, quantity, price) of simple products added with ``add_simple``."""
        oid = next(self._ids)
        by_sku = {p["sku"]: p for p in self.products.values()}
        self.orders[oid] = {
            "id": oid, "number": str(oid), "status": status, "currency": "USD",
            "customer_id": 0, "date_modified_gmt": _now(),
            "billing": {"first_name": "Ada", "last_name": "Buyer", "email": f"ada{oid}@example.com"},
            "shipping": {"first_name": "Ada", "address_1": "1 Main St", "city": "Springfield"},
            "line_items": [
                {"id": oid * 10 + i, "name": sku, "product_id": by_sku[sku]["id"],
                 "variation_id": 0, "quantity": qty, "price": price, "sku": sku}
                for i, (sku, qty, price) in enumerate(lines)
            ],
            **extra,
        }  # fmt: skip
        time.sleep(0.002)
        return self.orders[oid]

    def add_meta(self, row: dict, key: str, value) -> None:
        """A custom field, shaped as the REST API returns ``meta_data``: ``{id, key, value}``."""
        row["meta_data"].append({"id": next(self._ids), "key": key, "value": value})

    def add_attribute(self, product: dict, name: str, options: list[str]) -> None:
        """A product attribute that is not used for variations (e.g. Brand)."""
        product["attributes"].append(
            {"id": 0, "name": name, "position": len(product["attributes"]), "visible": True,
             "variation": False, "options": options}
        )  # fmt: skip

    def touch(self, product: dict, **changes) -> None:
        product.update(changes)
        product["date_modified_gmt"] = _now()
        time.sleep(0.002)

    def stock_of(self, sku: str) -> int | None:
        for p in self.products.values():
            if p["sku"] == sku:
                return p["stock_quantity"]
        for rows in self.variations.values():
            for v in rows.values():
                if v["sku"] == sku:
                    return v["stock_quantity"]
        raise KeyError(sku)

    def delivery(self, topic: str, payload: dict, *, secret: str | None = None, delivery_id=None):
        hook = next(h for h in self.webhooks.values() if h["topic"] == topic)
        body = json.dumps(payload).encode()
        digest = hmac.new((secret or hook["secret"]).encode(), body, hashlib.sha256).digest()
        resource, _, event = topic.partition(".")
        return body, {
            "X-WC-Webhook-Source": "https://shop.example.com/",
            "X-WC-Webhook-Topic": topic,
            "X-WC-Webhook-Resource": resource,
            "X-WC-Webhook-Event": event,
            "X-WC-Webhook-Signature": base64.b64encode(digest).decode(),
            "X-WC-Webhook-ID": str(hook["id"]),
            "X-WC-Webhook-Delivery-ID": delivery_id or secrets.token_hex(6),
        }

    # --- HTTP
    def route_key(self, method, path, query, headers, body):
        return f"{method} {re.sub(r'/[0-9]+', '/<id>', path)}"

    def _authorized(self, headers) -> bool:
        expected = base64.b64encode(f"{self.consumer_key}:{self.consumer_secret}".encode()).decode()
        return headers.get("Authorization") == f"Basic {expected}"

    def handle(self, method, path, query, headers, body):
        if not path.startswith(API):
            return 404, {}, {"code": "rest_no_route", "message": "No route was found."}
        if not self._authorized(headers):
            return (
                401,
                {},
                {
                    "code": "woocommerce_rest_cannot_view",
                    "message": "Sorry, you cannot list resources.",
                    "data": {"status": 401},
                },
            )
        rest = path[len(API) :]
        data = json.loads(body) if body else {}
        with self.lock:
            if rest == "/products" and method == "GET":
                return self._list(query)
            if rest == "/orders" and method == "GET":
                return self._list(query, self.orders)
            if rest == "/customers" and method == "GET":
                return self._list_by_id(query, self.customers)
            if rest == "/products/categories" and method == "GET":
                return self._list_by_id(query, self.categories)
            if m := re.fullmatch(r"/products/(\d+)/variations", rest):
                rows = list(self.variations.get(int(m.group(1)), {}).values())
                return 200, {"X-WP-Total": str(len(rows)), "X-WP-TotalPages": "1"}, rows
            if rest == "/products/batch" and method == "POST":
                self.batches.append((rest, data))
                return 200, {}, {"update": [self._update(self.products, u) for u in data["update"]]}
            if (m := re.fullmatch(r"/products/(\d+)/variations/batch", rest)) and method == "POST":
                self.batches.append((rest, data))
                rows = self.variations.get(int(m.group(1)), {})
                return 200, {}, {"update": [self._update(rows, u) for u in data["update"]]}
            if rest == "/webhooks" and method == "POST":
                hid = next(self._ids)
                self.webhooks[hid] = {"id": hid, **data}
                return 201, {}, self.webhooks[hid]
        return 404, {}, {"code": "rest_no_route", "message": "No route was found."}

    def _list(self, query, rows=None):
        rows = self.products if rows is None else rows
        items = sorted(rows.values(), key=lambda p: (p["date_modified_gmt"], p["id"]))
        if query.get("modified_after"):
            since = datetime.fromisoformat(query["modified_after"].replace("Z", "+00:00"))
            if since.tzinfo:  # dates_are_gmt: compare as naive GMT, like the store does
                since = since.astimezone(UTC).replace(tzinfo=None)
            items = [p for p in items if datetime.fromisoformat(p["date_modified_gmt"]) > since]
        per_page = min(int(query.get("per_page", 10)), self.max_per_page)
        page = int(query.get("page", 1))
        total_pages = max(1, -(-len(items) // per_page))
        rows = items[(page - 1) * per_page : page * per_page]
        return 200, {"X-WP-Total": str(len(items)), "X-WP-TotalPages": str(total_pages)}, rows

    def _list_by_id(self, query, rows: dict):
        """Customers and categories: no modified filter, ordered by id (``order`` asc/desc)."""
        items = sorted(rows.values(), key=lambda r: r["id"], reverse=query.get("order") == "desc")
        return self._page(query, items)

    def _page(self, query, items):
        per_page = min(int(query.get("per_page", 10)), self.max_per_page)
        page = int(query.get("page", 1))
        total_pages = max(1, -(-len(items) // per_page))
        rows = items[(page - 1) * per_page : page * per_page]
        return 200, {"X-WP-Total": str(len(items)), "X-WP-TotalPages": str(total_pages)}, rows

    def _update(self, rows: dict, change: dict) -> dict:
        row = rows.get(int(change["id"]))
        if row is None:
            return {
                "id": change["id"],
                "error": {"code": "woocommerce_rest_product_invalid_id", "message": "Invalid ID.",
                          "data": {"status": 400}},
            }  # fmt: skip
        row.update({k: v for k, v in change.items() if k != "id"})
        return row
