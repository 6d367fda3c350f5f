"""Writes on customers: create (with duplicate detection), update, archive and restore.

Every function is keyword-only, validates everything before writing, and writes in one
transaction, so a refusal (a ``CustomerError`` with a message in words) leaves nothing
half-changed. Contacts and addresses live in ``contacts.py``, the communication log in
``log.py``, price tiers in ``tiers.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from apps.sales.customers.errors import CustomerError, DuplicateCustomer
from apps.sales.customers.selectors import customer_duplicates
from apps.sales.models import Customer, PriceTier

PHONE_CHARS = re.compile(r"^[0-9+()\-./ x]*$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_TAGS = 20
MAX_TAG_LENGTH = 40


@dataclass
class CustomerData:
    """What a person can set on a customer (forms, the importer and the API fill it in)."""

    name: str
    kind: str = Customer.Kind.COMPANY
    email: str = ""
    phone: str = ""
    tax_id: str = ""
    price_tier: PriceTier | None = None
    currency: str = "USD"
    payment_terms_days: int = 30
    preferred_warehouse: object | None = None
    notes: str = ""
    tags: list[str] = field(default_factory=list)
    marketing_consent: bool = False


def tags_parse(value: str | list[str] | None) -> list[str]:
    """Tags from "wholesale, vip" or a list: trimmed, duplicates (ignoring case) dropped,
    first spelling kept, in the order given."""
    if value is None:
        return []
    parts = value.split(",") if isinstance(value, str) else value
    seen: set[str] = set()
    tags: list[str] = []
    for part in parts:
        tag = " ".join(str(part).split())
        if tag and tag.lower() not in seen:
            seen.add(tag.lower())
            tags.append(tag)
    return tags


def _clean(data: CustomerData) -> CustomerData:
    data.name = " ".join((data.name or "").split())
    if not data.name:
        raise CustomerError("Enter the customer's name.", field="name")
    if len(data.name) > 200:
        raise CustomerError("The name is too long: at most 200 characters.", field="name")
    if data.kind not in Customer.Kind.values:
        raise CustomerError("Choose company or person.", field="kind")
    data.email = (data.email or "").strip()
    if data.email:
        try:
            validate_email(data.email)
        except ValidationError:
            raise CustomerError(f"“{data.email}” is not an email address.", field="email") from None
    data.phone = " ".join((data.phone or "").split())
    if not PHONE_CHARS.match(data.phone) or len(data.phone) > 40:
        raise CustomerError(
            f"“{data.phone}” is not a phone number: use digits, spaces, + ( ) - and x only.",
            field="phone",
        )
    data.tax_id = (data.tax_id or "").strip()
    if len(data.tax_id) > 40:
        raise CustomerError("The tax ID is too long: at most 40 characters.", field="tax_id")
    data.currency = (data.currency or "").strip().upper()
    if not CURRENCY.match(data.currency):
        raise CustomerError(
            f"“{data.currency}” is not a three-letter currency code like USD.", field="currency"
        )
    if data.payment_terms_days is None or not 0 <= int(data.payment_terms_days) <= 3650:
        raise CustomerError(
            "Payment terms must be between 0 and 3650 days.", field="payment_terms_days"
        )
    data.tags = tags_parse(data.tags)
    if len(data.tags) > MAX_TAGS:
        raise CustomerError(f"At most {MAX_TAGS} tags per customer.", field="tags")
    long = [t for t in data.tags if len(t) > MAX_TAG_LENGTH]
    if long:
        raise CustomerError(
            f"The tag “{long[0][:50]}” is too long: at most {MAX_TAG_LENGTH} characters.",
            field="tags",
        )
    return data


def _duplicate_message(matches: list[Customer]) -> str:
    names = ", ".join(f"{c.name}" for c in matches[:3])
    more = f" and {len(matches) - 3} more" if len(matches) > 3 else ""
    return (
        f"A customer with this email or phone already exists: {names}{more}. "
        "Open it instead, or choose “Create anyway”."
    )


def _apply(customer: Customer, data: CustomerData) -> None:
    consent_before = customer.marketing_consent
    for name in (
        "name",
        "kind",
        "email",
        "phone",
        "tax_id",
        "price_tier",
        "currency",
        "payment_terms_days",
        "preferred_warehouse",
        "notes",
        "tags",
        "marketing_consent",
    ):
        setattr(customer, name, getattr(data, name))
    # The consent date records when the customer said yes (kept as evidence); saying no clears it.
    if data.marketing_consent and not consent_before:
        customer.marketing_consent_at = timezone.now()
    elif not data.marketing_consent:
        customer.marketing_consent_at = None


def customer_create(*, data: CustomerData, user=None, allow_duplicate: bool = False) -> Customer:
    """A new customer. Refuses with ``DuplicateCustomer`` when another customer has the
    same email (ignoring case) or phone (ignoring formatting), unless the user confirmed."""
    data = _clean(data)
    if data.price_tier is None:
        data.price_tier = PriceTier.objects.filter(is_default=True).first()
    if not allow_duplicate:
        matches = customer_duplicates(email=data.email, phone=data.phone)
        if matches:
            raise DuplicateCustomer(_duplicate_message(matches), matches=matches)
    customer = Customer()
    _apply(customer, data)
    with transaction.atomic():
        customer.save()
    return customer


def customer_update(*, customer: Customer, data: CustomerData, user=None) -> Customer:
    """Change a customer's details (duplicates are only checked when creating: two records
    sharing an office phone can be legitimate)."""
    if customer.erased_at is not None:
        raise CustomerError(f"{customer.name} was erased for privacy and cannot be edited.")
    data = _clean(data)
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        _apply(customer, data)
        customer.save()
    return customer


def customer_archive(*, customer: Customer, user=None) -> Customer:
    """Hide a customer from pickers and the default list; history and orders are kept."""
    if not customer.is_active:
        raise CustomerError(f"{customer.name} is already archived.")
    Customer.objects.filter(pk=customer.pk).update(is_active=False, updated_at=timezone.now())
    customer.refresh_from_db()
    return customer


def customer_restore(*, customer: Customer, user=None) -> Customer:
    if customer.is_active:
        raise CustomerError(f"{customer.name} is already active.")
    if customer.erased_at is not None:
        raise CustomerError(f"{customer.name} was erased for privacy and cannot be restored.")
    Customer.objects.filter(pk=customer.pk).update(is_active=True, updated_at=timezone.now())
    customer.refresh_from_db()
    return customer
