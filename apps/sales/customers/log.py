"""The communication log: notes and calls typed by staff, emails sent from the app.

An email is sent through the configured email backend first and logged only once the
backend accepted it, so the log never claims an email that did not go out.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email

from apps.sales.customers.errors import CustomerError
from apps.sales.models import Customer, CustomerNote

Kind = CustomerNote.Kind


def note_add(
    *, customer: Customer, user=None, body: str, subject: str = "", kind: str = Kind.NOTE
) -> CustomerNote:
    body = (body or "").strip()
    subject = " ".join((subject or "").split())
    if kind not in (Kind.NOTE, Kind.CALL):
        raise CustomerError("Choose note or call.", field="kind")
    if not body:
        raise CustomerError("Write something to log.", field="body")
    if len(subject) > 200:
        raise CustomerError("The subject is too long: at most 200 characters.", field="subject")
    return CustomerNote.objects.create(
        customer=customer, kind=kind, subject=subject, body=body, user=user
    )


def _recipients(to: str | list[str], customer: Customer) -> list[str]:
    if isinstance(to, str):
        to = [p for chunk in to.split(",") for p in chunk.split()]
    addresses = [a.strip() for a in to if a and a.strip()]
    if not addresses:
        raise CustomerError(
            f"Enter an email address: {customer.name} has none on file.", field="to"
        )
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            raise CustomerError(f"“{address}” is not an email address.", field="to") from None
    return addresses


def customer_email_send(
    *, customer: Customer, user=None, to: str | list[str] = "", subject: str, body: str
) -> CustomerNote:
    """Email the customer (by default at their email address) and log it."""
    addresses = _recipients(to or customer.email, customer)
    subject = " ".join((subject or "").split())
    body = (body or "").strip()
    if not subject:
        raise CustomerError("Enter a subject.", field="subject")
    if len(subject) > 200:
        raise CustomerError("The subject is too long: at most 200 characters.", field="subject")
    if not body:
        raise CustomerError("Write the message.", field="body")
    if customer.erased_at is not None:
        raise CustomerError(f"{customer.name} was erased for privacy; it cannot be emailed.")
    email = EmailMessage(subject=subject, body=body, to=addresses)
    if user is not None and getattr(user, "email", ""):
        email.reply_to = [user.email]
    try:
        email.send()
    except OSError as exc:  # SMTP refused or unreachable: nothing is logged
        raise CustomerError(f"The email could not be sent ({exc}). Try again later.") from exc
    return email_log(customer=customer, user=user, to=addresses, subject=subject, body=body)


def email_log(
    *, customer: Customer, user=None, to: list[str], subject: str, body: str
) -> CustomerNote:
    """Record an email that was sent to the customer (by this page, or by another part of
    the app such as an invoice or shipping notice) in their communication log."""
    return CustomerNote.objects.create(
        customer=customer,
        kind=Kind.EMAIL,
        subject=subject[:200],
        body=f"To: {', '.join(to)}\n\n{body}",
        user=user,
    )
