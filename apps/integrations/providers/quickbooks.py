"""QuickBooks Online (Accounting API v3): customers and items both ways, invoices out,
bills out, payments back.

- Connect: OAuth 2.0 (``appcenter.intuit.com/connect/oauth2`` → token endpoint with HTTP basic
  client auth); the callback brings the company's ``realmId``. Access tokens last an hour and
  are refreshed five minutes before they expire; the refresh token rotates (the new one is
  stored each time). A refused refresh asks to reconnect.
- Every call carries ``minorversion``; every create carries ``requestid`` derived from the
  Stockroom record (``stockroom-invoice-42``), so a create whose answer was lost is answered
  with the same entity when retried, never a second copy.
- Customers (``sync_customers``): Stockroom customers without a QuickBooks id are created there
  (or matched by display name), changed ones updated (sparse, with the SyncToken); QuickBooks
  customers changed since the cursor (``Metadata.LastUpdatedTime``) and unknown here are
  created here. Rule: each side's new customers go to the other; for a customer known to both,
  Stockroom's name and email win.
- Items (``sync_products``): QuickBooks items are matched to variants by SKU; variants with no
  item are created as ``NonInventory`` items (Stockroom owns quantities) with the income and
  expense accounts found at connect.
- Invoices (``sync_invoices``): each Stockroom invoice of a shipped order becomes a QuickBooks
  invoice (``DocNumber`` = our number) with its lines.
- Bills (``sync_bills``): each received purchase order becomes a bill for the received
  quantities, its supplier a vendor.
- Payments (``sync_payments``): QuickBooks payments changed since the cursor that pay our
  invoices are recorded on them (once: the payment id is mapped).
- Webhooks: ``intuit-signature`` = base64 HMAC-SHA256 of the body keyed with the verifier token;
  a change to a Payment or Customer starts the matching sync.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.core.errors import DomainError
from apps.integrations import ids
from apps.integrations.errors import ApiError, AuthFailed, BadSignature, IntegrationError
from apps.integrations.http_client import ApiClient
from apps.integrations.models import Connection, InboxEvent, Provider
from apps.integrations.providers.oauth_common import authorize_url, callback_check, oauth_state
from apps.integrations.services import (
    connection_create,
    connection_credentials_update,
    connection_error,
    credentials_of,
    sync_state_set,
)

__all__ = ["oauth_state"]

SCOPE = "com.intuit.quickbooks.accounting"
MINOR_VERSION = "75"
REFRESH_MARGIN = dt.timedelta(minutes=5)
PAGE_SIZE = 100
SHIPPED = ("partially_shipped", "shipped", "delivered")
PO_RECEIVED = ("partially_received", "received", "closed")


def _now() -> dt.datetime:
    return timezone.now()


def _setting(name: str, default: str) -> str:
    return getattr(settings, name, "") or default


def _authorize_base() -> str:
    return _setting(
        "INTEGRATIONS_QUICKBOOKS_AUTHORIZE_URL", "https://appcenter.intuit.com/connect/oauth2"
    )


def _token_url() -> str:
    return _setting(
        "INTEGRATIONS_QUICKBOOKS_TOKEN_URL",
        "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
    )


def _api_base() -> str:
    return _setting("INTEGRATIONS_QUICKBOOKS_API_BASE", "https://quickbooks.api.intuit.com")


def _client_auth() -> tuple[str, str]:
    return (
        getattr(settings, "QUICKBOOKS_CLIENT_ID", ""),
        getattr(settings, "QUICKBOOKS_CLIENT_SECRET", ""),
    )


# --- OAuth ---------------------------------------------------------------------------------


def oauth_authorize_url(*, redirect_uri: str, state: str) -> str:
    return authorize_url(
        _authorize_base(),
        client_id=_client_auth()[0],
        scope=SCOPE,
        redirect_uri=redirect_uri,
        state=state,
    )


def oauth_callback_code(params: dict[str, str], *, expected_state: str | None) -> str:
    code = callback_check(params, expected_state=expected_state, provider="QuickBooks")
    if not params.get("realmId"):
        raise IntegrationError("QuickBooks did not say which company was chosen. Connect again.")
    return code


def _token_call(form: dict) -> dict:
    from urllib.parse import urlsplit

    url = urlsplit(_token_url())
    with ApiClient(
        base_url=f"{url.scheme}://{url.netloc}",
        auth=_client_auth(),
        headers={"Accept": "application/json"},
        label="QuickBooks login",
    ) as client:
        answer = client.post(url.path, data=form).json()
    now = _now()
    return {
        "access_token": answer["access_token"],
        "refresh_token": answer["refresh_token"],
        "access_expires_at": (now + dt.timedelta(seconds=int(answer["expires_in"]))).isoformat(),
        "refresh_expires_at": (
            now + dt.timedelta(seconds=int(answer.get("x_refresh_token_expires_in") or 0))
        ).isoformat(),
    }


def access_token(connection: Connection) -> str:
    """The access token, refreshed (and the rotated refresh token stored) near expiry."""
    creds = credentials_of(connection)
    expires = creds.get("access_expires_at")
    if expires and dt.datetime.fromisoformat(expires) - REFRESH_MARGIN > _now():
        return creds["access_token"]
    try:
        fresh = _token_call(
            {"grant_type": "refresh_token", "refresh_token": creds["refresh_token"]}
        )
    except ApiError as exc:
        if exc.status in (400, 401):
            message = "QuickBooks no longer accepts our authorization: reconnect the company."
            connection_error(connection=connection, message=message)
            raise AuthFailed(message, status=exc.status) from None
        raise
    connection_credentials_update(connection=connection, credentials=fresh)
    return fresh["access_token"]


class Api:
    """Calls on one company: ``minorversion`` always, ``requestid`` on creates."""

    def __init__(self, connection: Connection):
        self.connection = connection
        self.client = ApiClient(
            base_url=f"{_api_base()}/v3/company/{connection.settings['realm_id']}",
            headers={
                "Authorization": f"Bearer {access_token(connection)}",
                "Accept": "application/json",
            },
            label="QuickBooks",
        )

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.client.close()

    def query(self, statement: str) -> dict:
        answer = self.client.get(
            "/query", params={"query": statement, "minorversion": MINOR_VERSION}
        )
        return answer.json().get("QueryResponse") or {}

    def query_all(self, entity: str, where: str = "") -> list[dict]:
        rows, start = [], 1
        while True:
            page = (
                self.query(
                    f"select * from {entity}{where} startposition {start} maxresults {PAGE_SIZE}"
                ).get(entity)
                or []
            )
            rows += page
            if len(page) < PAGE_SIZE:
                return rows
            start += PAGE_SIZE

    def save(self, entity: str, body: dict, *, request_id: str) -> dict:
        answer = self.client.post(
            f"/{entity.lower()}",
            params={"minorversion": MINOR_VERSION, "requestid": request_id[:50]},
            json=body,
        )
        return answer.json()[entity]


def _fault(exc: ApiError) -> bool:
    """A record the API refused (validation): fail that record; anything else stops the run."""
    return exc.status is not None and exc.status not in (401, 403, 429)


# --- connect -------------------------------------------------------------------------------


def connection_connect(
    *, code: str, realm_id: str, redirect_uri: str, name: str = ""
) -> Connection:
    tokens = _token_call(
        {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    )
    with transaction.atomic():
        connection = connection_create(
            provider=Provider.QUICKBOOKS,
            name=name or "QuickBooks",
            credentials=tokens,
            settings={"realm_id": realm_id},
        )
        with Api(connection) as api:
            info = api.client.get(
                f"/companyinfo/{realm_id}", params={"minorversion": MINOR_VERSION}
            ).json()["CompanyInfo"]
            accounts = api.query_all("Account", " where Active = true")
        income = next((a for a in accounts if a.get("AccountType") == "Income"), None)
        expense = next((a for a in accounts if a.get("AccountType") == "Cost of Goods Sold"), None)
        if income is None or expense is None:
            raise IntegrationError(
                "This QuickBooks company has no income or cost-of-goods-sold account to book "
                "items to: add one, then connect again."
            )
        if not name:
            connection.name = info.get("CompanyName") or connection.name
        connection.settings = {
            **connection.settings,
            "company_name": info.get("CompanyName", ""),
            "income_account": income["Id"],
            "expense_account": expense["Id"],
        }
        connection.save(update_fields=["name", "settings", "updated_at"])
    return connection


# --- customers -----------------------------------------------------------------------------


def _fingerprint(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:20]


def _qbo_customer(customer) -> dict:
    body = {"DisplayName": customer.name[:100], "CompanyName": customer.name[:100]}
    if customer.email:
        body["PrimaryEmailAddr"] = {"Address": customer.email}
    if customer.phone:
        body["PrimaryPhone"] = {"FreeFormNumber": customer.phone}
    return body


def _customer_from_remote(connection: Connection, remote: dict, email: str):
    from apps.sales.customers.services import CustomerData, customer_create

    return customer_create(
        data=CustomerData(
            name=remote["DisplayName"], email=email, notes=f"Imported from {connection.name}."
        ),
        allow_duplicate=True,
    )


def sync_customers(connection: Connection, recorder) -> str:
    from apps.sales.models import Customer

    state = connection.sync_state.get("customers") or {}
    started = _now()
    with Api(connection) as api:
        # 1. QuickBooks → Stockroom: customers new there since the cursor.
        where = (
            f" where Metadata.LastUpdatedTime > '{state['since']}'" if state.get("since") else ""
        )
        for remote in api.query_all("Customer", where):
            if ids.local_for(connection, "customer", remote["Id"]):
                recorder.count("skipped")  # known to both: Stockroom's details win
                continue
            email = (remote.get("PrimaryEmailAddr") or {}).get("Address", "")
            local = (
                Customer.objects.filter(email__iexact=email).order_by("pk").first()
                if email
                else None
            ) or Customer.objects.filter(name=remote["DisplayName"]).order_by("pk").first()
            if local and ids.external_for(connection, "customer", local.pk):
                recorder.count("skipped")
                continue
            if local is None:
                try:
                    local = _customer_from_remote(connection, remote, email)
                except DomainError as exc:
                    recorder.fail(f"QuickBooks customer {remote['DisplayName']}", exc.message)
                    continue
                outcome = "created"
            else:
                outcome = "updated"
            ids.link(
                connection,
                "customer",
                local_id=local.pk,
                external_id=remote["Id"],
                data={
                    "sync_token": remote.get("SyncToken", "0"),
                    "fingerprint": _fingerprint(_qbo_customer(local)),
                },
            )
            recorder.count(outcome)
        # 2. Stockroom → QuickBooks: new and changed customers.
        links = {row.local_id: row for row in connection.ids.filter(entity="customer")}
        for customer in Customer.objects.filter(is_active=True, erased_at__isnull=True).order_by(
            "pk"
        ):
            body = _qbo_customer(customer)
            fingerprint = _fingerprint(body)
            link = links.get(customer.pk)
            if link and link.data.get("fingerprint") == fingerprint:
                continue
            try:
                if link:
                    remote = api.save(
                        "Customer",
                        {
                            **body,
                            "Id": link.external_id,
                            "SyncToken": link.data.get("sync_token", "0"),
                            "sparse": True,
                        },
                        request_id=f"stockroom-customer-{customer.pk}-{fingerprint[:8]}",
                    )
                else:
                    remote = api.save(
                        "Customer", body, request_id=f"stockroom-customer-{customer.pk}"
                    )
            except ApiError as exc:
                if not _fault(exc):
                    raise
                recorder.fail(f"customer {customer.name}", exc.message)
                continue
            ids.link(
                connection,
                "customer",
                local_id=customer.pk,
                external_id=remote["Id"],
                data={"sync_token": remote.get("SyncToken", "0"), "fingerprint": fingerprint},
            )
            recorder.count("updated" if link else "created")
    sync_state_set(
        connection=connection,
        entity="customers",
        since=(started - dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S-00:00"),
        last_sync=started.isoformat(),
    )
    return "customers in sync"


# --- items ---------------------------------------------------------------------------------


def _item_body(connection: Connection, variant) -> dict:
    return {
        "Name": f"{variant.sku}"[:100],
        "Sku": variant.sku,
        "Description": str(variant)[:4000],
        "Type": "NonInventory",
        "UnitPrice": str(variant.sale_price or 0),
        "IncomeAccountRef": {"value": connection.settings["income_account"]},
        "ExpenseAccountRef": {"value": connection.settings["expense_account"]},
    }


def sync_products(connection: Connection, recorder) -> str:
    from apps.catalog.models import Variant

    with Api(connection) as api:
        remote_by_sku = {
            (item.get("Sku") or "").lower(): item
            for item in api.query_all("Item")
            if item.get("Sku")
        }
        mapped = set(connection.ids.filter(entity="item").values_list("local_id", flat=True))
        for variant in Variant.objects.exclude(pk__in=mapped).order_by("pk"):
            remote = remote_by_sku.get(variant.sku.lower())
            outcome = "updated"
            if remote is None:
                try:
                    remote = api.save(
                        "Item",
                        _item_body(connection, variant),
                        request_id=f"stockroom-item-{variant.pk}",
                    )
                except ApiError as exc:
                    if not _fault(exc):
                        raise
                    recorder.fail(f"SKU {variant.sku}", exc.message)
                    continue
                outcome = "created"
            ids.link(connection, "item", local_id=variant.pk, external_id=remote["Id"])
            recorder.count(outcome)
        recorder.count("skipped", len(mapped))
    sync_state_set(connection=connection, entity="products", last_sync=_now().isoformat())
    return "items mapped"


def _item_ref(connection: Connection, api: Api, variant) -> dict:
    link = ids.external_for(connection, "item", variant.pk)
    if link is None:
        remote = api.save(
            "Item", _item_body(connection, variant), request_id=f"stockroom-item-{variant.pk}"
        )
        link, _ = ids.link(connection, "item", local_id=variant.pk, external_id=remote["Id"])
    return {"value": link.external_id, "name": variant.sku}


def _customer_ref(connection: Connection, api: Api, customer) -> dict:
    link = ids.external_for(connection, "customer", customer.pk)
    if link is None:
        body = _qbo_customer(customer)
        remote = api.save("Customer", body, request_id=f"stockroom-customer-{customer.pk}")
        link, _ = ids.link(
            connection,
            "customer",
            local_id=customer.pk,
            external_id=remote["Id"],
            data={"sync_token": remote.get("SyncToken", "0"), "fingerprint": _fingerprint(body)},
        )
    return {"value": link.external_id}


# --- invoices, bills -----------------------------------------------------------------------


def sync_invoices(connection: Connection, recorder) -> str:
    from apps.sales.models import Invoice

    mapped = connection.ids.filter(entity="invoice").values_list("local_id", flat=True)
    invoices = (
        Invoice.objects.filter(order__status__in=SHIPPED)
        .exclude(pk__in=list(mapped))
        .select_related("order__customer")
        .prefetch_related("lines__order_line__variant")
        .order_by("pk")
    )
    with Api(connection) as api:
        for invoice in invoices:
            try:
                body = {
                    "DocNumber": invoice.number[:21],
                    "TxnDate": invoice.issue_date.isoformat(),
                    "DueDate": invoice.due_date.isoformat(),
                    "CurrencyRef": {"value": invoice.currency},
                    "CustomerRef": _customer_ref(connection, api, invoice.order.customer),
                    "PrivateNote": f"Stockroom order {invoice.order.number}",
                    "Line": [
                        {
                            "DetailType": "SalesItemLineDetail",
                            "Amount": str(line.line_subtotal - line.discount_amount),
                            "Description": line.description,
                            "SalesItemLineDetail": {
                                "ItemRef": _item_ref(connection, api, line.order_line.variant),
                                "Qty": str(line.quantity),
                                "UnitPrice": str(line.unit_price),
                            },
                        }
                        for line in invoice.lines.all()
                    ],
                }
                remote = api.save("Invoice", body, request_id=f"stockroom-invoice-{invoice.pk}")
            except ApiError as exc:
                if not _fault(exc):
                    raise
                recorder.fail(f"invoice {invoice.number}", exc.message)
                continue
            ids.link(connection, "invoice", local_id=invoice.pk, external_id=remote["Id"])
            recorder.count("created")
    sync_state_set(connection=connection, entity="invoices", last_sync=_now().isoformat())
    return "invoices exported"


def _vendor_ref(connection: Connection, api: Api, supplier) -> dict:
    link = ids.external_for(connection, "vendor", supplier.pk)
    if link is None:
        remote = api.save(
            "Vendor",
            {"DisplayName": supplier.name[:100], "CompanyName": supplier.name[:100]},
            request_id=f"stockroom-vendor-{supplier.pk}",
        )
        link, _ = ids.link(connection, "vendor", local_id=supplier.pk, external_id=remote["Id"])
    return {"value": link.external_id}


def sync_bills(connection: Connection, recorder) -> str:
    from apps.purchasing.models import PurchaseOrder

    mapped = connection.ids.filter(entity="bill").values_list("local_id", flat=True)
    orders = (
        PurchaseOrder.objects.filter(status__in=PO_RECEIVED)
        .exclude(pk__in=list(mapped))
        .select_related("supplier")
        .prefetch_related("lines__variant")
        .order_by("pk")
    )
    with Api(connection) as api:
        for order in orders:
            lines = [line for line in order.lines.all() if line.received_quantity > 0]
            if not lines:
                recorder.count("skipped")
                continue
            try:
                remote = api.save(
                    "Bill",
                    {
                        "DocNumber": order.number[:21],
                        "VendorRef": _vendor_ref(connection, api, order.supplier),
                        "PrivateNote": f"Stockroom purchase order {order.number}",
                        "Line": [
                            {
                                "DetailType": "ItemBasedExpenseLineDetail",
                                "Amount": str(
                                    (line.received_quantity * line.unit_cost).quantize(
                                        Decimal("0.01")
                                    )
                                ),
                                "ItemBasedExpenseLineDetail": {
                                    "ItemRef": _item_ref(connection, api, line.variant),
                                    "Qty": str(line.received_quantity),
                                    "UnitPrice": str(line.unit_cost),
                                },
                            }
                            for line in lines
                        ],
                    },
                    request_id=f"stockroom-bill-{order.pk}",
                )
            except ApiError as exc:
                if not _fault(exc):
                    raise
                recorder.fail(f"purchase order {order.number}", exc.message)
                continue
            ids.link(connection, "bill", local_id=order.pk, external_id=remote["Id"])
            recorder.count("created")
    sync_state_set(connection=connection, entity="bills", last_sync=_now().isoformat())
    return "bills exported"


# --- payments back -------------------------------------------------------------------------


def sync_payments(connection: Connection, recorder) -> str:
    from apps.core.errors import DomainError
    from apps.sales.invoicing import payment_record
    from apps.sales.models import Invoice, Payment

    state = connection.sync_state.get("payments") or {}
    started = _now()
    where = f" where Metadata.LastUpdatedTime > '{state['since']}'" if state.get("since") else ""
    with Api(connection) as api:
        for remote in api.query_all("Payment", where):
            key = remote["Id"]
            if ids.local_for(connection, "payment", key):
                recorder.count("skipped")
                continue
            recorded = None
            try:
                with transaction.atomic():
                    for line in remote.get("Line") or []:
                        for txn in line.get("LinkedTxn") or []:
                            if txn.get("TxnType") != "Invoice":
                                continue
                            link = ids.local_for(connection, "invoice", txn["TxnId"])
                            if link is None:
                                continue
                            recorded = payment_record(
                                invoice=Invoice.objects.get(pk=link.local_id),
                                amount=Decimal(str(line["Amount"])),
                                method=Payment.Method.BANK,
                                reference=f"QuickBooks payment {key}",
                                received_on=dt.date.fromisoformat(remote["TxnDate"]),
                            )
                    if recorded is not None:
                        ids.link(connection, "payment", local_id=recorded.pk, external_id=key)
            except DomainError as exc:
                recorder.fail(f"QuickBooks payment {key}", exc.message)
                continue
            recorder.count("created" if recorded else "skipped")
    sync_state_set(
        connection=connection,
        entity="payments",
        since=(started - dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S-00:00"),
        last_sync=started.isoformat(),
    )
    return "payments recorded"


# --- webhooks ------------------------------------------------------------------------------


def signature(verifier_token: str, body: bytes) -> str:
    return base64.b64encode(
        hmac.new(verifier_token.encode(), body, hashlib.sha256).digest()
    ).decode()


def webhook_verify(connection: Connection, request) -> tuple[str, str]:
    token = getattr(settings, "QUICKBOOKS_WEBHOOK_VERIFIER", "")
    header = request.headers.get("intuit-signature")
    if not token or not header:
        raise BadSignature("missing intuit-signature")
    if not hmac.compare_digest(signature(token, request.body), header.strip()):
        raise BadSignature("intuit-signature does not match")
    # No delivery id: the body's digest is one (a re-delivery is byte-identical).
    return hashlib.sha256(request.body).hexdigest(), "dataChangeEvent"


ENTITY_SYNCS = {"Payment": "payments", "Customer": "customers", "Item": "products"}


def webhook_handle(connection: Connection, event: InboxEvent, recorder) -> str:
    from apps.integrations.sync import sync_run_start

    payload = json.loads(event.body)
    realm = connection.settings.get("realm_id")
    wanted = set()
    for note in payload.get("eventNotifications") or []:
        if str(note.get("realmId")) != str(realm):
            continue
        for entity in (note.get("dataChangeEvent") or {}).get("entities") or []:
            if entity.get("name") in ENTITY_SYNCS:
                wanted.add(ENTITY_SYNCS[entity["name"]])
    started = []
    for entity in sorted(wanted):
        try:
            sync_run_start(connection=connection, entity=entity, trigger="webhook")
            started.append(entity)
        except IntegrationError:
            pass  # one is already running: it picks the change up
    return f"started: {', '.join(started)}" if started else "ignored"


def polling_due() -> int:
    """Hourly per company: catch changes whose webhook never came, export new documents."""
    from apps.integrations.sync import sync_run_start

    started = 0
    for connection in Connection.objects.filter(
        provider=Provider.QUICKBOOKS, status__in=("connected", "error")
    ):
        for entity in ("customers", "invoices", "bills", "payments"):
            try:
                sync_run_start(connection=connection, entity=entity, trigger="schedule")
                started += 1
            except IntegrationError:
                pass
    return started
