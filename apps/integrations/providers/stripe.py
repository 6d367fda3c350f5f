"""Stripe: API-key connection, webhook endpoint created for us, payment events recorded.

Connect checks the key (``GET /v1/account``) and creates a webhook endpoint for
``payment_intent.succeeded`` and ``charge.refunded`` (``POST /v1/webhook_endpoints``); its
signing secret is stored encrypted with the key. Events are verified (``Stripe-Signature``,
5-minute tolerance). A PaymentIntent whose ``metadata.stockroom_invoice`` names an invoice
is recorded on it as a card payment (once: the PaymentIntent id is the payment's
reference), which moves the invoice's payment status; a refund of that charge is recorded as
a refund of what is new in its running ``amount_refunded``.
Amounts are in the currency's minor unit: ``minor_to_decimal`` knows zero- and three-decimal
currencies.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from apps.core.errors import DomainError
from apps.integrations.errors import IntegrationError
from apps.integrations.http_client import ApiClient
from apps.integrations.models import Connection, InboxEvent, Provider
from apps.integrations.services import (
    connection_create,
    connection_credentials_update,
    credentials_of,
)
from apps.integrations.signatures import verify_stripe

EVENTS = ("payment_intent.succeeded", "charge.refunded")
ZERO_DECIMAL = {
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV",
    "XAF", "XOF", "XPF",
}  # fmt: skip
THREE_DECIMAL = {"BHD", "JOD", "KWD", "OMR", "TND"}


def minor_to_decimal(amount: int, currency: str) -> Decimal:
    code = (currency or "").upper()
    places = 0 if code in ZERO_DECIMAL else 3 if code in THREE_DECIMAL else 2
    return Decimal(int(amount)).scaleb(-places)


def _client(secret_key: str) -> ApiClient:
    return ApiClient(
        base_url=settings.INTEGRATIONS_STRIPE_API_BASE,
        headers={"Authorization": f"Bearer {secret_key}", "Stripe-Version": "2025-06-30.basil"},
        label="Stripe",
    )


def connection_connect(*, name: str, secret_key: str, hook_base: str) -> Connection:
    key = (secret_key or "").strip()
    if not key.startswith(("sk_", "rk_")):
        raise IntegrationError(
            "That is not a Stripe secret key: it starts with sk_ (or rk_ for a restricted key).",
            field="secret_key",
        )
    with _client(key) as client:
        account = client.get("/v1/account").json()
        with transaction.atomic():
            connection = connection_create(
                provider=Provider.STRIPE,
                name=name,
                credentials={"secret_key": key},
                settings={"account_id": account.get("id", ""), "events": list(EVENTS)},
            )
            endpoint = client.post(
                "/v1/webhook_endpoints",
                data={
                    "url": f"{hook_base.rstrip('/')}/{connection.pk}/",
                    "enabled_events[]": list(EVENTS),
                    "description": "Stockroom",
                },
            ).json()
            connection_credentials_update(
                connection=connection,
                credentials={"webhook_secret": endpoint["secret"], "endpoint_id": endpoint["id"]},
            )
    return connection


def webhook_verify(connection: Connection, request) -> tuple[str, str]:
    verify_stripe(
        secret=credentials_of(connection).get("webhook_secret", ""),
        body=request.body,
        header=request.headers.get("Stripe-Signature"),
    )
    event = json.loads(request.body)
    return str(event.get("id", "")), str(event.get("type", ""))


def webhook_handle(connection: Connection, event: InboxEvent, recorder) -> str:
    payload = json.loads(event.body)
    obj = (payload.get("data") or {}).get("object") or {}
    currency = (obj.get("currency") or "").upper()
    if event.topic == "payment_intent.succeeded":
        amount = minor_to_decimal(obj.get("amount_received", obj.get("amount", 0)), currency)
        return _payment(obj, amount, currency, recorder)
    if event.topic == "charge.refunded":
        return _refund(obj, currency, recorder)
    return "ignored"


def _payment(obj: dict, amount: Decimal, currency: str, recorder) -> str:
    """A PaymentIntent for an invoice carries ``metadata.stockroom_invoice`` (its number)."""
    from apps.sales.invoicing import payment_record
    from apps.sales.models import Invoice, Payment

    text = f"Payment {obj.get('id')} of {amount} {currency} succeeded"
    number = (obj.get("metadata") or {}).get("stockroom_invoice")
    if not number:
        return text + " (no invoice linked)"
    record = f"{obj.get('id')} for invoice {number}"
    invoice = Invoice.objects.filter(number=number).first()
    if invoice is None:
        recorder.fail(record, f"No invoice {number} in Stockroom.")
        return text
    if invoice.currency.upper() != currency:
        recorder.fail(record, f"Paid in {currency}, but invoice {number} is in {invoice.currency}.")
        return text
    if Payment.objects.filter(invoice=invoice, reference=obj.get("id", "")).exists():
        recorder.count("skipped")
        return text + f"; already on invoice {number}"
    try:
        payment_record(
            invoice=invoice, amount=amount, method=Payment.Method.CARD, reference=obj.get("id", "")
        )
    except DomainError as exc:
        recorder.fail(record, exc.message)
        return text
    recorder.count("updated")
    return text + f"; recorded on invoice {number}"


def _refund(obj: dict, currency: str, recorder) -> str:
    """``amount_refunded`` is the charge's running total: record only what is new."""
    from apps.sales.invoicing import payment_record
    from apps.sales.models import Payment

    total = minor_to_decimal(obj.get("amount_refunded", 0), currency)
    text = f"Charge {obj.get('id')} refunded {total} {currency}"
    paid = (
        Payment.objects.filter(
            kind=Payment.Kind.PAYMENT, reference=obj.get("payment_intent") or "-"
        )
        .select_related("invoice")
        .first()
    )
    if paid is None:
        return text + " (no invoice linked)"
    already = sum(
        Payment.objects.filter(
            invoice=paid.invoice, kind=Payment.Kind.REFUND, reference=obj.get("id", "")
        ).values_list("amount", flat=True),
        Decimal(0),
    )
    new = total - already
    if new <= 0:
        recorder.count("skipped")
        return text + "; nothing new"
    try:
        payment_record(
            invoice=paid.invoice,
            amount=new,
            kind=Payment.Kind.REFUND,
            method=Payment.Method.CARD,
            reference=obj.get("id", ""),
        )
    except DomainError as exc:
        recorder.fail(f"{obj.get('id')} on invoice {paid.invoice.number}", exc.message)
        return text
    recorder.count("updated")
    return text + f"; {new} recorded on invoice {paid.invoice.number}"
