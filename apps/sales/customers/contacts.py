"""Writes on a customer's contacts and addresses.

One primary contact per customer and one default address per kind (billing, shipping):
making one the default takes it away from the other in the same transaction (the
database also refuses two default addresses of a kind). The first address of a kind
becomes its default; deleting the default hands it to the next one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from apps.sales.customers.errors import CustomerError
from apps.sales.customers.services import PHONE_CHARS
from apps.sales.models import Customer, CustomerAddress, CustomerContact


def _text(value: str | None) -> str:
    return " ".join((value or "").split())


def _limit(value: str, size: int, field: str, label: str) -> str:
    if len(value) > size:
        raise CustomerError(f"{label} is too long: at most {size} characters.", field=field)
    return value


def contact_save(
    *,
    customer: Customer,
    contact: CustomerContact | None = None,
    name: str,
    role: str = "",
    email: str = "",
    phone: str = "",
    is_primary: bool = False,
) -> CustomerContact:
    name = _limit(_text(name), 120, "name", "The name")
    if not name:
        raise CustomerError("Enter the contact's name.", field="name")
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise CustomerError(f"“{email}” is not an email address.", field="email") from None
    phone = _limit(_text(phone), 40, "phone", "The phone number")
    if not PHONE_CHARS.match(phone):
        raise CustomerError(
            f"“{phone}” is not a phone number: use digits, spaces, + ( ) - and x only.",
            field="phone",
        )
    if contact is not None and contact.customer_id != customer.pk:
        raise CustomerError("That contact belongs to another customer.")
    with transaction.atomic():
        others = CustomerContact.objects.filter(customer=customer)
        if contact is not None:
            others = others.exclude(pk=contact.pk)
        if not others.exists():
            is_primary = True  # the only contact is the primary one
        if is_primary:
            others.filter(is_primary=True).update(is_primary=False)
        contact = contact or CustomerContact(customer=customer)
        contact.name = name
        contact.role = _limit(_text(role), 80, "role", "The role")
        contact.email = email
        contact.phone = phone
        contact.is_primary = is_primary
        contact.save()
    return contact


def contact_delete(*, contact: CustomerContact) -> None:
    with transaction.atomic():
        was_primary = contact.is_primary
        customer_id = contact.customer_id
        contact.delete()
        if was_primary:
            following = (
                CustomerContact.objects.filter(customer_id=customer_id)
                .order_by("name", "id")
                .first()
            )
            if following:
                CustomerContact.objects.filter(pk=following.pk).update(is_primary=True)


@dataclass
class AddressData:
    kind: str
    line1: str
    city: str
    country: str
    name: str = ""
    line2: str = ""
    region: str = ""
    postal_code: str = ""
    is_default: bool = False


def _clean_address(data: AddressData) -> AddressData:
    if data.kind not in CustomerAddress.Kind.values:
        raise CustomerError("Choose billing or shipping.", field="kind")
    data.line1 = _limit(_text(data.line1), 200, "line1", "Address line 1")
    if not data.line1:
        raise CustomerError("Enter the street address.", field="line1")
    data.line2 = _limit(_text(data.line2), 200, "line2", "Address line 2")
    data.city = _limit(_text(data.city), 100, "city", "The city")
    if not data.city:
        raise CustomerError("Enter the city.", field="city")
    data.name = _limit(_text(data.name), 120, "name", "The addressee")
    data.region = _limit(_text(data.region), 100, "region", "The region")
    data.postal_code = _limit(_text(data.postal_code), 20, "postal_code", "The postal code")
    data.country = _text(data.country).upper()
    if len(data.country) != 2 or not data.country.isalpha():
        raise CustomerError(
            "Enter the country as its two-letter code, e.g. US, DE or GB.", field="country"
        )
    return data


def address_save(
    *, customer: Customer, address: CustomerAddress | None = None, data: AddressData
) -> CustomerAddress:
    data = _clean_address(data)
    if address is not None and address.customer_id != customer.pk:
        raise CustomerError("That address belongs to another customer.")
    with transaction.atomic():
        # Lock the customer so two people setting a default at once cannot both win.
        Customer.objects.select_for_update().filter(pk=customer.pk).first()
        same_kind = CustomerAddress.objects.filter(customer=customer, kind=data.kind)
        if address is not None:
            same_kind = same_kind.exclude(pk=address.pk)
        is_default = data.is_default or not same_kind.filter(is_default=True).exists()
        if is_default:
            same_kind.filter(is_default=True).update(is_default=False)
        address = address or CustomerAddress(customer=customer)
        old_kind, old_default = address.kind, address.is_default and address.pk is not None
        for name in ("kind", "name", "line1", "line2", "city", "region", "postal_code", "country"):
            setattr(address, name, getattr(data, name))
        address.is_default = is_default
        address.save()
        if old_default and old_kind and old_kind != data.kind:
            _promote(customer.pk, old_kind)
    return address


def _promote(customer_id: int, kind: str) -> None:
    """Give the default of ``kind`` to the oldest remaining address, if none has it."""
    rest = CustomerAddress.objects.filter(customer_id=customer_id, kind=kind)
    if not rest.filter(is_default=True).exists():
        following = rest.order_by("id").first()
        if following:
            rest.filter(pk=following.pk).update(is_default=True)


def address_delete(*, address: CustomerAddress) -> None:
    with transaction.atomic():
        customer_id, kind, was_default = address.customer_id, address.kind, address.is_default
        address.delete()
        if was_default:
            _promote(customer_id, kind)
