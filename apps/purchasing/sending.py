"""Sending an approved purchase order to the supplier: the PDF by email, logged on the
timeline (recipients, subject and message), and the order becomes *sent*.

The email goes out inside the transaction that marks the order sent: if the mail
server refuses it, the order stays approved and the user is told why.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from apps.purchasing.documents import purchase_order_pdf
from apps.purchasing.errors import PurchasingError
from apps.purchasing.models import PurchaseOrder
from apps.purchasing.services import Event, Status, _locked, event_add


def default_message(order: PurchaseOrder) -> str:
    expected = order.expected_date.isoformat() if order.expected_date else "as soon as possible"
    return (
        f"Hello,\n\nPlease find attached our purchase order {order.number}. "
        f"We expect delivery to {order.warehouse.name} by {expected}.\n"
        "Please confirm the order and quote its number on your delivery note and invoice.\n\n"
        "Thank you."
    )


def _recipients(to: list[str] | str) -> list[str]:
    if isinstance(to, str):
        to = [part for chunk in to.split(",") for part in chunk.split()]
    addresses = [a.strip() for a in to if a.strip()]
    if not addresses:
        raise PurchasingError("Enter the supplier's email address.", field="to")
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            raise PurchasingError(f"“{address}” is not an email address.", field="to") from None
    return addresses


def purchase_order_send(
    *, order: PurchaseOrder, user=None, to: list[str] | str, subject: str = "", message: str = ""
) -> PurchaseOrder:
    addresses = _recipients(to)
    with transaction.atomic():
        order = _locked(order, Status.APPROVED, action="sent")
        subject = (subject or "").strip() or f"Purchase order {order.number}"
        message = (message or "").strip() or default_message(order)
        email = EmailMessage(subject=subject, body=message, to=addresses)
        if user is not None and getattr(user, "email", ""):
            email.reply_to = [user.email]
        email.attach(f"{order.number}.pdf", purchase_order_pdf(order), "application/pdf")
        try:
            email.send()
        except OSError as exc:  # SMTP refused or unreachable: nothing changes
            raise PurchasingError(f"The email could not be sent ({exc}). Try again later.") from exc
        order.status = Status.SENT
        order.sent_at = timezone.now()
        order.save(update_fields=["status", "sent_at", "updated_at"])
        event_add(
            order=order,
            kind=Event.SENT,
            user=user,
            message=f"Emailed to {', '.join(addresses)}: “{subject}”",
            data={"to": addresses, "subject": subject, "body": message},
        )
    return order
