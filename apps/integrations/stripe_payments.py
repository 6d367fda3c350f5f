"""Stripe from our side: a "Pay by card" link for an invoice, refunds of credit notes.

- **Pay by card**: a Stripe Payment Link for the invoice's open balance (a Price made for it,
  in the invoice's currency and minor unit). Its PaymentIntent carries
  ``metadata.stockroom_invoice``, so the ``payment_intent.succeeded`` event records the payment
  on the invoice (providers/stripe.py). The link is remembered (``ExternalId`` "payment_link")
  and reused while the balance is the same; when the balance changed, the old link is
  deactivated and a new one made. Every create carries an ``Idempotency-Key``.
- **Refunds**: a sales return with a credit note, on an order whose invoices were paid by card
  through Stripe, is refunded to that card (``POST /v1/refunds`` against the PaymentIntent,
  newest payment first, never more than it paid). The refund is remembered ("refund") so the
  ``charge.refunded`` event that follows does not record it a second time: the credit note
  already did.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.mail import EmailMessage
from django.db import connection as db_connection
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from apps.integrations import ids
from apps.integrations.errors import IntegrationError
from apps.integrations.models import Connection, ExternalId, Provider
from apps.integrations.providers.stripe import THREE_DECIMAL, ZERO_DECIMAL, client_for


def decimal_to_minor(amount: Decimal, currency: str) -> int:
    """10.50 USD → 1050; 1000 JPY → 1000; 1.234 KWD → 1234. A fraction the currency has no
    minor unit for is refused in words (Stripe would refuse or round it)."""
    code = (currency or "").upper()
    places = 0 if code in ZERO_DECIMAL else 3 if code in THREE_DECIMAL else 2
    scaled = Decimal(amount).scaleb(places)
    if scaled != scaled.to_integral_value():
        raise IntegrationError(
            f"{amount} {code} cannot be charged by card: {code} has "
            f"{places or 'no'} decimal place{'s' if places != 1 else ''}."
        )
    return int(scaled)


def stripe_connection() -> Connection | None:
    return (
        Connection.objects.filter(
            provider=Provider.STRIPE,
            status__in=(Connection.Status.CONNECTED, Connection.Status.ERROR),
        )
        .order_by("pk")
        .first()
    )


def payment_link_of(invoice) -> ExternalId | None:
    """The link already made for this invoice (one query), if any."""
    return (
        ExternalId.objects.filter(
            entity="payment_link", local_id=invoice.pk, connection__provider=Provider.STRIPE
        )
        .only("external_id", "data")
        .first()
    )


def invoice_payment_link(*, invoice) -> str:
    """The URL that pays the invoice's open balance by card (made once per balance)."""
    connection = stripe_connection()
    if connection is None:
        raise IntegrationError("Connect Stripe (Integrations) to take card payments.")
    balance = invoice.total - invoice.amount_paid
    if balance <= 0:
        raise IntegrationError(f"{invoice.number} has nothing left to pay.")
    currency = invoice.currency.upper()
    amount = decimal_to_minor(balance, currency)
    existing = ids.external_for(connection, "payment_link", invoice.pk)
    if (
        existing
        and existing.data.get("amount") == amount
        and existing.data.get("currency") == (currency)
    ):
        return existing.data["url"]
    key = f"{db_connection.schema_name}-invoice-{invoice.pk}-{currency}-{amount}"
    with client_for(connection) as client:
        if existing:
            client.post(f"/v1/payment_links/{existing.external_id}", data={"active": "false"})
            existing.delete()
        price = client.post(
            "/v1/prices",
            data={
                "currency": currency.lower(),
                "unit_amount": amount,
                "product_data[name]": f"Invoice {invoice.number}",
            },
            headers={"Idempotency-Key": f"{key}-price"},
        ).json()
        link = client.post(
            "/v1/payment_links",
            data={
                "line_items[0][price]": price["id"],
                "line_items[0][quantity]": 1,
                "metadata[stockroom_invoice]": invoice.number,
                "payment_intent_data[metadata][stockroom_invoice]": invoice.number,
            },
            headers={"Idempotency-Key": f"{key}-link"},
        ).json()
    ids.link(
        connection,
        "payment_link",
        local_id=invoice.pk,
        external_id=link["id"],
        data={"url": link["url"], "amount": amount, "currency": currency},
    )
    return link["url"]


def invoice_email_send(*, invoice, user=None) -> str:
    """Email the invoice to its customer with the "Pay by card" link; returns the address."""
    customer = invoice.order.customer
    if not customer.email:
        raise IntegrationError(f"{customer.name} has no email address: add one first.")
    url = invoice_payment_link(invoice=invoice)
    balance = invoice.total - invoice.amount_paid
    body = (
        f"Hello {customer.name},\n\n"
        f"Invoice {invoice.number} for order {invoice.order.number}: "
        f"{balance} {invoice.currency} is due by {invoice.due_date:%Y-%m-%d}.\n\n"
        f"Pay by card: {url}\n"
    )
    message = EmailMessage(
        subject=f"Invoice {invoice.number}: {balance} {invoice.currency} due",
        body=body,
        to=[customer.email],
        reply_to=[user.email] if user and user.email else None,
    )
    transaction.on_commit(message.send)
    return customer.email


# --- refunds of credit notes ---------------------------------------------------------------


def return_refund_push(sales_return_id: int) -> str:
    """The job queued when a return with a refund is saved: refund the card payments. A
    refusal by Stripe notifies the managers (once, like a failing sync) and can be run again
    (what was refunded is not refunded twice)."""
    from apps.notifications.rules import sync_failed_notify, sync_recovered
    from apps.sales.models import SalesReturn

    sales_return = SalesReturn.objects.select_related("order").get(pk=sales_return_id)
    connection = stripe_connection()
    if connection is None or sales_return.refund_amount <= 0:
        return "nothing to refund by card"
    if ids.local_for(connection, "refund_of_return", str(sales_return.pk)):
        return "already refunded"
    integration = f"{connection} (card refunds)"
    try:
        result = _refund_return(connection, sales_return)
    except IntegrationError as exc:
        sync_failed_notify(
            integration=integration,
            error=f"Credit note {sales_return.credit_note_number} was not refunded to the "
            f"card: {exc.message}",
            url=f"/sales/orders/{sales_return.order_id}/",
        )
        return f"failed: {exc.message}"
    sync_recovered(integration=integration)
    return result


def _refund_return(connection: Connection, sales_return) -> str:
    from apps.sales.models import Payment

    card_payments = Payment.objects.filter(
        invoice__order=sales_return.order,
        kind=Payment.Kind.PAYMENT,
        method=Payment.Method.CARD,
        reference__startswith="pi_",
    ).select_related("invoice")
    left, done = sales_return.refund_amount, []
    with client_for(connection) as client:
        for payment in card_payments.order_by("-id"):
            if left <= 0:
                break
            refunded = sum(
                (
                    Decimal(str(r.data.get("amount_decimal", "0")))
                    for r in ExternalId.objects.filter(
                        connection=connection,
                        entity="refund",
                        data__payment_intent=payment.reference,
                    ).exclude(local_id=_refund_local_id(sales_return.pk, payment.pk))
                ),
                Decimal(0),
            )
            take = min(left, payment.amount - refunded)
            if take <= 0:
                continue
            currency = payment.invoice.currency.upper()
            key = f"{db_connection.schema_name}-return-{sales_return.pk}-{payment.reference}"
            # Remembered before asking, so a charge.refunded event racing our answer already
            # knows this part is on the invoice; forgotten again if Stripe refuses.
            mark, _ = ids.link(
                connection,
                "refund",
                local_id=_refund_local_id(sales_return.pk, payment.pk),
                external_id=f"pending:{key}",
                data={
                    "payment_intent": payment.reference,
                    "amount_decimal": str(take),
                    "credit_note": sales_return.credit_note_number,
                },
            )
            try:
                refund = client.post(
                    "/v1/refunds",
                    data={
                        "payment_intent": payment.reference,
                        "amount": decimal_to_minor(take, currency),
                        "metadata[stockroom_credit_note]": sales_return.credit_note_number,
                    },
                    headers={"Idempotency-Key": key},
                ).json()
            except IntegrationError:
                mark.delete()
                raise
            ExternalId.objects.filter(pk=mark.pk).update(external_id=refund["id"])
            left -= take
            done.append(f"{take} {currency} on {payment.reference}")
    ids.link(
        connection,
        "refund_of_return",
        local_id=sales_return.pk,
        external_id=str(sales_return.pk),
    )
    return "refunded " + ", ".join(done) if done else "no card payment to refund"


def _refund_local_id(return_pk: int, payment_pk: int) -> int:
    """ExternalId wants one local id per refund: the return and the payment it refunds."""
    return return_pk * 1_000_000 + payment_pk


def pushed_refunds_total(payment_intent: str) -> Decimal:
    """What our credit notes refunded on this PaymentIntent (already on the invoice)."""
    if not payment_intent:
        return Decimal(0)
    return sum(
        (
            Decimal(str(r.data.get("amount_decimal", "0")))
            for r in ExternalId.objects.filter(entity="refund", data__payment_intent=payment_intent)
        ),
        Decimal(0),
    )


@receiver(post_save, sender="sales.SalesReturn", dispatch_uid="integrations_return_refund")
def _return_saved(sender, instance, created, **kwargs) -> None:
    """A new return with a refund: refund it by card after it commits, if Stripe is here."""
    if not created or instance.refund_amount <= 0:
        return
    if not Connection.objects.filter(provider=Provider.STRIPE).exists():
        return
    from apps.core.jobs import job_enqueue

    pk = instance.pk
    transaction.on_commit(
        lambda: job_enqueue(
            "apps.integrations.stripe_payments.return_refund_push",
            pk,
            label=f"Card refund of {instance.number}",
        )
    )
