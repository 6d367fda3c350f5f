"""A fake Slack incoming-webhook endpoint: ``POST /services/T…/B…/<secret>`` with a JSON
message answers ``200 ok``; unknown hooks ``404 no_service``, bad JSON ``400 invalid_payload``,
an archived channel ``410 channel_is_archived`` (Slack's documented plain-text answers)."""

from __future__ import annotations

import json
import secrets

from tests.fakes.base import FakeServer


class FakeSlack(FakeServer):
    def __init__(self):
        super().__init__()
        self.path = f"/services/T{secrets.token_hex(4).upper()}/B{secrets.token_hex(4).upper()}/{secrets.token_hex(12)}"
        self.messages: list[dict] = []
        self.archived = False

    @property
    def webhook_url(self) -> str:
        return self.url + self.path

    def handle(self, method, path, query, headers, body):
        text = {"Content-Type": "text/html"}
        if method != "POST" or path != self.path:
            return 404, text, b"no_service"
        if self.archived:
            return 410, text, b"channel_is_archived"
        try:
            payload = json.loads(body)
        except ValueError:
            return 400, text, b"invalid_payload"
        if not isinstance(payload, dict) or not (payload.get("text") or payload.get("blocks")):
            return 400, text, b"no_text"
        self.messages.append(payload)
        return 200, text, b"ok"
