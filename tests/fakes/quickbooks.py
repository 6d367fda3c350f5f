"""A fake QuickBooks Online: OAuth 2 (authorize redirects back with ``code``, ``state`` and
``realmId``; the token endpoint takes HTTP basic client auth, rotates refresh tokens, access
tokens last an hour), and the Accounting API v3 pieces we call: ``query`` (the SQL-like
language, ``startposition``/``maxresults``, ``Metadata.LastUpdatedTime >``), creates and sparse
updates of Customer, Item, Vendor, Invoice, Bill, Payment with ``SyncToken`` checks, duplicate
display names refused (6240), ``requestid`` idempotency (a repeated id answers the first
result), ``minorversion`` required. Faults use Intuit's ``Fault.Error[]`` shape."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from urllib.parse import parse_qs, urlencode

from tests.fakes.base import FakeServer

QUERY = re.compile(
    r"^select \* from (\w+)(?: where (.+?))? startposition (\d+) maxresults (\d+)$", re.I
)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _fault(status: int, code: str, message: str, detail: str = "", type_: str = "ValidationFault"):
    return (
        status,
        {},
        {
            "Fault": {
                "Error": [{"Message": message, "Detail": detail or message, "code": code}],
                "type": type_,
            },
            "time": _now(),
        },
    )


class FakeQuickBooks(FakeServer):
    def __init__(self):
        super().__init__()
        self.client_id = "AB" + secrets.token_hex(10)
        self.client_secret = secrets.token_hex(16)
        self.verifier = secrets.token_hex(12)
        self.realm_id = str(9130350000000000 + secrets.randbelow(10**6))
        self.codes: dict[str, str] = {}
        self.access: set[str] = set()
        self.refresh: set[str] = set()
        self.data: dict[str, dict[str, dict]] = {
            "Account": {
                "1": {
                    "Id": "1",
                    "Name": "Sales of Product Income",
                    "AccountType": "Income",
                    "Active": True,
                },
                "2": {
                    "Id": "2",
                    "Name": "Cost of Goods Sold",
                    "AccountType": "Cost of Goods Sold",
                    "Active": True,
                },
            }
        }
        self.requests: dict[str, dict] = {}
        self.next_id = 100
        self.missing_minorversion = 0

    def route_key(self, method, path, query, headers, body):
        if path.endswith("/tokens/bearer"):
            return "token"
        if path.endswith("/query"):
            m = QUERY.match(query.get("query", ""))
            return f"query:{m.group(1)}" if m else "query"
        return f"{method.lower()}:{path.rsplit('/', 1)[-1]}"

    # --- test helpers
    def add(self, entity: str, **fields) -> dict:
        self.next_id += 1
        row = {"Id": str(self.next_id), "SyncToken": "0", **fields, "MetaData": {}, "Metadata": {}}
        row["Metadata"] = row["MetaData"] = {"CreateTime": _now(), "LastUpdatedTime": _now()}
        self.data.setdefault(entity, {})[row["Id"]] = row
        return row

    def rows(self, entity: str) -> list[dict]:
        return list(self.data.get(entity, {}).values())

    def webhook(self, entities: list[tuple[str, str, str]], *, verifier: str | None = None):
        body = json.dumps(
            {
                "eventNotifications": [
                    {
                        "realmId": self.realm_id,
                        "dataChangeEvent": {
                            "entities": [
                                {"name": n, "id": i, "operation": op, "lastUpdated": _now()}
                                for n, i, op in entities
                            ]
                        },
                    }
                ]
            }
        ).encode()
        sig = base64.b64encode(
            hmac.new((verifier or self.verifier).encode(), body, hashlib.sha256).digest()
        ).decode()
        return body, {"intuit-signature": sig}

    # --- the API
    def _tokens(self) -> dict:
        access, refresh = secrets.token_hex(20), "RT1-" + secrets.token_hex(16)
        self.access.add(access)
        self.refresh.add(refresh)
        return {
            "access_token": access, "refresh_token": refresh, "token_type": "bearer",
            "expires_in": 3600, "x_refresh_token_expires_in": 8726400,
        }  # fmt: skip

    def handle(self, method, path, query, headers, body):
        if path == "/connect/oauth2":
            code = secrets.token_hex(8)
            self.codes[code] = query["redirect_uri"]
            params = {"code": code, "state": query["state"], "realmId": self.realm_id}
            return 302, {"Location": query["redirect_uri"] + "?" + urlencode(params)}, b""
        if path == "/oauth2/v1/tokens/bearer" and method == "POST":
            basic = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
            if headers.get("Authorization") != f"Basic {basic}":
                return 401, {}, {"error": "invalid_client"}
            form = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
            if form.get("grant_type") == "authorization_code":
                if self.codes.pop(form.get("code", ""), None) != form.get("redirect_uri"):
                    return 400, {}, {"error": "invalid_grant"}
                return 200, {}, self._tokens()
            if form.get("grant_type") == "refresh_token":
                if form.get("refresh_token") not in self.refresh:
                    return 400, {}, {"error": "invalid_grant"}
                self.refresh.discard(form["refresh_token"])  # rotated: the old one is spent
                return 200, {}, self._tokens()
            return 400, {}, {"error": "unsupported_grant_type"}
        prefix = f"/v3/company/{self.realm_id}"
        if not path.startswith(prefix):
            return _fault(403, "3100", "ApplicationAuthorizationFailed", type_="AuthorizationFault")
        auth = headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.access:
            return _fault(401, "3200", "AuthenticationFailed", type_="AuthenticationFault")
        if not query.get("minorversion"):
            self.missing_minorversion += 1
            return _fault(400, "2010", "minorversion is required by this fake")
        rest = path[len(prefix) :]
        if rest.startswith("/companyinfo/"):
            return (
                200,
                {},
                {"CompanyInfo": {"Id": "1", "CompanyName": "Acme Books Inc.", "Country": "US"}},
            )
        if rest == "/query":
            m = QUERY.match(query.get("query", ""))
            if not m:
                return _fault(400, "4000", "Error parsing query")
            entity, where, start, count = m.group(1), m.group(2), int(m.group(3)), int(m.group(4))
            rows = self.rows(entity)
            if where:
                ts = re.match(r"Metadata\.LastUpdatedTime > '(.+)'", where)
                if ts:
                    since = dt.datetime.fromisoformat(ts.group(1))
                    rows = [
                        r
                        for r in rows
                        if dt.datetime.fromisoformat(r["Metadata"]["LastUpdatedTime"]) > since
                    ]
                elif where.strip() == "Active = true":
                    rows = [r for r in rows if r.get("Active", True)]
            page = rows[start - 1 : start - 1 + count]
            return (
                200,
                {},
                {
                    "QueryResponse": {entity: page, "startPosition": start, "maxResults": len(page)}
                    if page
                    else {},
                    "time": _now(),
                },
            )
        m = re.match(r"^/(customer|item|vendor|invoice|bill|payment)$", rest)
        if m and method == "POST":
            entity = {
                "customer": "Customer",
                "item": "Item",
                "vendor": "Vendor",
                "invoice": "Invoice",
                "bill": "Bill",
                "payment": "Payment",
            }[m.group(1)]
            request_id = query.get("requestid")
            if request_id and request_id in self.requests:
                return 200, {}, self.requests[request_id]
            data = json.loads(body)
            if entity in ("Customer", "Vendor", "Item"):
                name_key = "Name" if entity == "Item" else "DisplayName"
                if any(
                    r.get(name_key) == data.get(name_key) and r["Id"] != data.get("Id")
                    for r in self.rows(entity)
                ):
                    return _fault(
                        400,
                        "6240",
                        "Duplicate Name Exists Error",
                        "The name supplied already exists.",
                    )
            if data.get("Id"):
                row = self.data.get(entity, {}).get(data["Id"])
                if row is None:
                    return _fault(400, "610", "Object Not Found")
                if data.get("SyncToken") != row["SyncToken"]:
                    return _fault(
                        400,
                        "5010",
                        "Stale Object Error",
                        "You and another user were working on the same thing.",
                    )
                row.update({k: v for k, v in data.items() if k not in ("sparse", "SyncToken")})
                row["SyncToken"] = str(int(row["SyncToken"]) + 1)
                row["Metadata"]["LastUpdatedTime"] = _now()
            else:
                row = self.add(entity, **data)
            answer = {entity: row, "time": _now()}
            if request_id:
                self.requests[request_id] = answer
            return 200, {}, answer
        return _fault(400, "4000", f"Unsupported operation {method} {rest}")
