"""A fake Twilio REST API (2010-04-01): HTTP basic auth with Account SID and auth token,
``GET /Accounts/{Sid}.json``, ``POST /Accounts/{Sid}/Messages.json`` (form-encoded; 201 with the
Message resource; 400 with code 21211 for a bad ``To``), and signed status callbacks
(``X-Twilio-Signature``: base64 HMAC-SHA1 of URL + sorted params, keyed with the auth token)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from urllib.parse import parse_qs, urlencode

from tests.fakes.base import FakeServer


class FakeTwilio(FakeServer):
    def __init__(self):
        super().__init__()
        self.account_sid = "AC" + secrets.token_hex(16)
        self.auth_token = secrets.token_hex(16)
        self.messages: list[dict] = []

    def route_key(self, method, path, query, headers, body):
        return "messages" if path.endswith("/Messages.json") else path

    def handle(self, method, path, query, headers, body):
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if headers.get("Authorization") != f"Basic {expected}":
            return 401, {}, {"code": 20003, "message": "Authenticate", "status": 401}
        prefix = f"/2010-04-01/Accounts/{self.account_sid}"
        if method == "GET" and path == prefix + ".json":
            return 200, {}, {"sid": self.account_sid, "status": "active", "type": "Full"}
        if method == "POST" and path == prefix + "/Messages.json":
            form = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
            if not form.get("To", "").startswith("+1555"):
                return (
                    400,
                    {},
                    {
                        "code": 21211,
                        "message": f"The 'To' number {form.get('To')} is not a valid phone number.",
                        "more_info": "https://www.twilio.com/docs/errors/21211",
                        "status": 400,
                    },
                )
            if not (form.get("From") or form.get("MessagingServiceSid")) or not form.get("Body"):
                return (
                    400,
                    {},
                    {"code": 21604, "message": "A 'From' and Body are required.", "status": 400},
                )
            message = {
                "sid": "SM" + secrets.token_hex(16),
                "account_sid": self.account_sid,
                "to": form["To"],
                "from": form.get("From"),
                "body": form["Body"],
                "status": "queued",
                "status_callback": form.get("StatusCallback"),
            }
            self.messages.append(message)
            return 201, {}, message
        return (
            404,
            {},
            {"code": 20404, "message": "The requested resource was not found", "status": 404},
        )

    def status_callback(
        self,
        message: dict,
        status: str,
        *,
        url: str,
        token: str | None = None,
        error_code: str = "",
    ):
        """(form body, headers) of Twilio's status callback for ``message``, signed for ``url``."""
        params = {
            "AccountSid": self.account_sid,
            "MessageSid": message["sid"],
            "SmsSid": message["sid"],
            "MessageStatus": status,
            "SmsStatus": status,
            "To": message["to"],
            "From": message["from"] or "",
            "ApiVersion": "2010-04-01",
        }
        if error_code:
            params["ErrorCode"] = error_code
        data = url + "".join(f"{k}{params[k]}" for k in sorted(params))
        sig = base64.b64encode(
            hmac.new((token or self.auth_token).encode(), data.encode(), hashlib.sha1).digest()
        ).decode()
        return urlencode(params), {"X-Twilio-Signature": sig}
