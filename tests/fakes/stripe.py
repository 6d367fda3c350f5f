"""A fake Stripe API: Bearer secret-key auth, ``/v1/account``, ``/v1/webhook_endpoints``
(form-encoded, returns the ``whsec_`` signing secret once), ``/v1/prices`` (inline
``product_data``), ``/v1/payment_links`` (create; ``active=false`` to deactivate),
``/v1/refunds`` (against a PaymentIntent in ``payment_intents``, never more than is left),
``Idempotency-Key`` (same key: same answer, nothing done twice), and signed event deliveries
(``Stripe-Signature: t=…,v1=…``)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from urllib.parse import parse_qs

from tests.fakes.base import FakeServer


class FakeStripe(FakeServer):
    def __init__(self):
        super().__init__()
        self.secret_key = "sk_test_" + secrets.token_hex(12)
        self.endpoints: dict[str, dict] = {}
        self.prices: dict[str, dict] = {}
        self.payment_links: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        # Known PaymentIntents: id → {"amount", "currency", "charge", "refunded"}.
        self.payment_intents: dict[str, dict] = {}
        self._idempotent: dict[str, tuple] = {}

    def _error(self, status: int, message: str, code: str = "invalid_request_error"):
        return status, {}, {"error": {"type": code, "message": message}}

    def _create(self, path: str, form: dict) -> tuple:
        one = {k: v[-1] for k, v in form.items()}
        if path == "/v1/prices":
            price = {
                "id": "price_" + secrets.token_hex(8), "object": "price",
                "currency": one["currency"], "unit_amount": int(one["unit_amount"]),
                "product": "prod_" + secrets.token_hex(6),
                "product_name": one.get("product_data[name]", ""),
            }  # fmt: skip
            self.prices[price["id"]] = price
            return 200, {}, price
        if path == "/v1/payment_links":
            price = self.prices.get(one.get("line_items[0][price]", ""))
            if price is None:
                return self._error(400, "No such price")
            link = {
                "id": "plink_" + secrets.token_hex(8), "object": "payment_link", "active": True,
                "url": "https://buy.stripe.com/test_" + secrets.token_hex(8),
                "line_items": [{"price": price["id"],
                                "quantity": int(one.get("line_items[0][quantity]", 1))}],
                "metadata": {k[9:-1]: v for k, v in one.items() if k.startswith("metadata[")},
                "payment_intent_data": {"metadata": {
                    k[len("payment_intent_data[metadata]["):-1]: v for k, v in one.items()
                    if k.startswith("payment_intent_data[metadata][")}},
            }  # fmt: skip
            self.payment_links[link["id"]] = link
            return 200, {}, link
        if path.startswith("/v1/payment_links/"):
            link = self.payment_links.get(path.rsplit("/", 1)[1])
            if link is None:
                return self._error(404, "No such payment link")
            if "active" in one:
                link["active"] = one["active"] == "true"
            return 200, {}, link
        if path == "/v1/refunds":
            intent = self.payment_intents.get(one.get("payment_intent", ""))
            if intent is None:
                return self._error(404, f"No such payment_intent: '{one.get('payment_intent')}'")
            amount = int(one.get("amount") or intent["amount"] - intent["refunded"])
            if amount > intent["amount"] - intent["refunded"]:
                return self._error(
                    400,
                    f"Refund amount ({amount}) is greater than unrefunded amount on charge "
                    f"({intent['amount'] - intent['refunded']})",
                )
            intent["refunded"] += amount
            refund = {
                "id": "re_" + secrets.token_hex(8), "object": "refund", "amount": amount,
                "currency": intent["currency"], "charge": intent["charge"],
                "payment_intent": one["payment_intent"], "status": "succeeded",
                "metadata": {k[9:-1]: v for k, v in one.items() if k.startswith("metadata[")},
            }  # fmt: skip
            self.refunds[refund["id"]] = refund
            return 200, {}, refund
        return None

    def handle(self, method, path, query, headers, body):
        auth = headers.get("Authorization", "")
        if auth != f"Bearer {self.secret_key}":
            return (
                401,
                {},
                {
                    "error": {
                        "type": "invalid_request_error",
                        "message": "Invalid API Key provided: sk_test_****",
                    }
                },
            )
        if path == "/v1/account" and method == "GET":
            return 200, {}, {"id": "acct_fake123", "object": "account", "country": "US"}
        if path == "/v1/webhook_endpoints" and method == "POST":
            form = parse_qs(body.decode())
            endpoint = {
                "id": "we_" + secrets.token_hex(8),
                "object": "webhook_endpoint",
                "url": form["url"][0],
                "enabled_events": form.get("enabled_events[]", []),
                "secret": "whsec_" + secrets.token_hex(16),
                "status": "enabled",
            }
            self.endpoints[endpoint["id"]] = endpoint
            return 200, {}, endpoint
        if method == "POST":
            key = headers.get("Idempotency-Key")
            if key and key in self._idempotent:
                return self._idempotent[key]
            answer = self._create(path, parse_qs(body.decode()))
            if answer is not None:
                if key and answer[0] == 200:
                    self._idempotent[key] = answer
                return answer
        return (
            404,
            {},
            {"error": {"type": "invalid_request_error", "message": "Unrecognized request URL"}},
        )

    def event(
        self, type_: str, obj: dict, *, timestamp: int | None = None, secret: str | None = None
    ):
        """(body, headers) of an event delivery to the (only) endpoint, signed like Stripe."""
        endpoint = next(iter(self.endpoints.values()))
        event = {
            "id": "evt_" + secrets.token_hex(10),
            "object": "event",
            "type": type_,
            "created": int(time.time()),
            "data": {"object": obj},
        }
        body = json.dumps(event).encode()
        ts = timestamp or int(time.time())
        sig = hmac.new(
            (secret or endpoint["secret"]).encode(), f"{ts}.".encode() + body, hashlib.sha256
        ).hexdigest()
        return body, {"Stripe-Signature": f"t={ts},v1={sig}"}
