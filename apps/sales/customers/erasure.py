"""Privacy erasure: a customer asks to be forgotten.

Orders and invoices must be kept for the accounts, so the customer row stays (orders
point at it) but everything that identifies a person is removed: name, email, phone,
tax ID, notes, tags, consent, contacts, addresses and the communication log. Orders keep
their own printed copy of the addresses, as the law on invoices requires. Irreversible,
so owners only, and the page asks for the customer's name to be typed.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from apps.sales.customers.errors import CustomerError
from apps.sales.models import Customer


def customer_erase(*, customer: Customer, user=None, confirm_name: str) -> Customer:
    if customer.erased_at is not None:
        raise CustomerError("This customer was already erased.")
    if " ".join((confirm_name or "").split()).lower() != customer.name.lower():
        raise CustomerError(f"Type “{customer.name}” exactly to confirm.", field="confirm_name")
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        customer.contacts.all().delete()
        customer.addresses.all().delete()
        customer.log.all().delete()
        customer.name = f"Erased customer #{customer.pk}"
        customer.email = customer.phone = customer.tax_id = customer.notes = ""
        customer.tags = []
        customer.marketing_consent = False
        customer.marketing_consent_at = None
        customer.is_active = False
        customer.erased_at = timezone.now()
        customer.save()
    return customer
