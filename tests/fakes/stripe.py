"""A fake Stripe API: Bearer secret-key auth, ``/v1/account``, ``/v1/webhook_endpoints``
(form-encoded, returns the ``whsec_`` signing secret once), and signed event deliveries
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
