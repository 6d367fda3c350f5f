"""A fake Mailchimp: OAuth 2 (``/oauth2/authorize`` redirects back with a code, ``/oauth2/token``,
``/oauth2/metadata`` giving the data centre's ``api_endpoint`` = this server) and the Marketing
API 3.0 pieces we call: lists, list webhooks, member upsert by subscriber hash (400 when the
hash is not the MD5 of the lowercased address), member tags, members by status. Errors use
Mailchimp's problem-detail shape (type/title/status/detail)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from urllib.parse import parse_qs, urlencode

from tests.fakes.base import FakeServer

MEMBER = re.compile(r"^/3\.0/lists/([^/]+)/members/([0-9a-f]{32})(/tags)?$")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def _problem(status: int, title: str, detail: str):
    return (
        status,
        {"Content-Type": "application/problem+json"},
        {
            "type": "https://mailchimp.com/developer/marketing/docs/errors/",
            "title": title,
            "status": status,
            "detail": detail,
        },
    )


class FakeMailchimp(FakeServer):
    def __init__(self):
        super().__init__()
        self.client_id = "cid" + secrets.token_hex(4)
        self.client_secret = "csec" + secrets.token_hex(8)
        self.token = secrets.token_hex(16)
        self.codes: dict[str, str] = {}  # code -> redirect_uri
        self.list_id = "aud" + secrets.token_hex(4)
        self.members: dict[str, dict] = {}
        self.webhooks: list[dict] = []

    def route_key(self, method, path, query, headers, body):
        m = MEMBER.match(path)
        if m:
            return "tags" if m.group(3) else "member"
        return path

    def handle(self, method, path, query, headers, body):
        if path == "/oauth2/authorize":
            code = secrets.token_hex(8)
            self.codes[code] = query["redirect_uri"]
            target = (
                query["redirect_uri"] + "?" + urlencode({"code": code, "state": query["state"]})
            )
            return 302, {"Location": target}, b""
        if path == "/oauth2/token" and method == "POST":
            form = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
            if (form.get("client_id"), form.get("client_secret")) != (
                self.client_id,
                self.client_secret,
            ):
                return 401, {}, {"error": "invalid_client"}
            if self.codes.pop(form.get("code", ""), None) != form.get("redirect_uri"):
                return 400, {}, {"error": "invalid_grant"}
            return 200, {}, {"access_token": self.token, "expires_in": 0, "scope": None}
        if path == "/oauth2/metadata":
            if headers.get("Authorization") != f"OAuth {self.token}":
                return 401, {}, {"error": "invalid_token"}
            return 200, {}, {"dc": "us1", "api_endpoint": self.url, "accountname": "Acme Shop"}
        if headers.get("Authorization") != f"Bearer {self.token}":
            return _problem(
                401,
                "API Key Invalid",
                "Your API key may be invalid, or you've attempted to access the wrong datacenter.",
            )
        if path == "/3.0/lists" and method == "GET":
            return 200, {}, {"lists": [{"id": self.list_id, "name": "Customers"}], "total_items": 1}
        if path == f"/3.0/lists/{self.list_id}/webhooks" and method == "POST":
            hook = {"id": "wh" + secrets.token_hex(4), **json.loads(body)}
            self.webhooks.append(hook)
            return 200, {}, hook
        if path == f"/3.0/lists/{self.list_id}/members" and method == "GET":
            rows = [
                m for m in self.members.values() if m["status"] == query.get("status", m["status"])
            ]
            since = query.get("since_last_changed")
            if since:
                rows = [m for m in rows if m["last_changed"] > since]
            offset, count = int(query.get("offset", 0)), int(query.get("count", 10))
            page = [{**r, "tags": sorted(r["tags"])} for r in rows[offset : offset + count]]
            return 200, {}, {"members": page, "total_items": len(rows)}
        m = MEMBER.match(path)
        if m and m.group(1) == self.list_id:
            digest = m.group(2)
            if m.group(3):
                member = self.members.get(digest)
                if member is None:
                    return _problem(
                        404, "Resource Not Found", "The requested resource could not be found."
                    )
                for tag in json.loads(body)["tags"]:
                    if tag["status"] == "active":
                        member["tags"].add(tag["name"])
                    else:
                        member["tags"].discard(tag["name"])
                return 204, {}, b""
            if method == "PUT":
                data = json.loads(body)
                email = data.get("email_address", "")
                if hashlib.md5(email.lower().encode()).hexdigest() != digest:
                    return _problem(
                        400,
                        "Invalid Resource",
                        "The subscriber hash does not match the email address.",
                    )
                if "bounce" in email:
                    return _problem(
                        400, "Member In Compliance State", f"{email} is in a compliance state."
                    )
                member = self.members.get(digest)
                if member is None:
                    member = self.members[digest] = {
                        "id": digest, "email_address": email, "tags": set(),
                        "status": data.get("status_if_new", "subscribed"),
                    }  # fmt: skip
                if data.get("status"):
                    member["status"] = data["status"]
                member["merge_fields"] = data.get("merge_fields", member.get("merge_fields", {}))
                member["last_changed"] = _now()
                out = {**member, "tags": sorted(member["tags"])}
                return 200, {}, out
        return _problem(404, "Resource Not Found", "The requested resource could not be found.")

    def unsubscribe_in_mailchimp(self, email: str) -> None:
        member = self.members[hashlib.md5(email.lower().encode()).hexdigest()]
        member["status"] = "unsubscribed"
        member["last_changed"] = _now()

    def unsubscribe_webhook(self, email: str, *, fired_at: str = "2026-12-02 10:00:00") -> str:
        """The form body Mailchimp posts for an unsubscribe."""
        return urlencode(
            {
                "type": "unsubscribe",
                "fired_at": fired_at,
                "data[action]": "unsub",
                "data[reason]": "manual",
                "data[id]": hashlib.md5(email.lower().encode()).hexdigest()[:10],
                "data[list_id]": self.list_id,
                "data[email]": email,
                "data[email_type]": "html",
            }
        )
