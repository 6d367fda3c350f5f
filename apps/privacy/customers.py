"""One customer's personal data: export it (a JSON file of everything we hold about them)
and erase it (the customers slice's anonymisation, with a record of the request)."""

from __future__ import annotations

import json

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from apps.privacy.models import PrivacyRequest
from apps.privacy.records import privacy_request_record
from apps.sales.customers.erasure import customer_erase
from apps.sales.models import (
    Customer,
    Invoice,
    Payment,
    SalesOrder,
    SalesOrderLine,
    SalesReturn,
    Shipment,
)

# What an erasure anonymises (see apps/sales/customers/erasure.py); kept in the record.
ERASED = ["name", "email", "phone", "tax_id", "notes", "tags", "marketing consent",
          "contacts", "addresses", "communication log"]  # fmt: skip


def _rows(queryset) -> list[dict]:
    return [
        {"id": item["pk"], **item["fields"]} for item in serializers.serialize("python", queryset)
    ]


def customer_data(customer: Customer) -> dict:
    """Everything held about one customer and their orders, as plain data."""
    orders = SalesOrder.objects.filter(customer=customer).order_by("id")
    return {
        "exported_at": timezone.now(),
        "customer": _rows(Customer.objects.filter(pk=customer.pk))[0],
        "contacts": _rows(customer.contacts.order_by("id")),
        "addresses": _rows(customer.addresses.order_by("id")),
        "communication_log": _rows(customer.log.order_by("id")),
        "orders": _rows(orders),
        "order_lines": _rows(SalesOrderLine.objects.filter(order__in=orders).order_by("id")),
        "shipments": _rows(Shipment.objects.filter(order__in=orders).order_by("id")),
        "invoices": _rows(Invoice.objects.filter(order__in=orders).order_by("id")),
        "payments": _rows(Payment.objects.filter(invoice__order__in=orders).order_by("id")),
        "returns": _rows(SalesReturn.objects.filter(order__in=orders).order_by("id")),
    }


def customer_data_export(*, customer: Customer, user) -> bytes:
    """The customer's data as JSON, with the request recorded."""
    data = customer_data(customer)
    privacy_request_record(
        kind=PrivacyRequest.Kind.CUSTOMER_EXPORT,
        subject=f"Customer #{customer.pk}",
        user=user,
        customer=customer,
        detail={"orders": len(data["orders"])},
    )
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False).encode()


PERSONAL_CUSTOMER = ["name", "email", "phone", "tax_id", "notes", "tags"]
PERSONAL_CONTACT = ["name", "role", "email", "phone"]
PERSONAL_ADDRESS = ["name", "line1", "line2", "city", "region", "postal_code", "country"]


def customer_erase_recorded(*, customer: Customer, user, confirm_name: str) -> Customer:
    """Erase the customer's personal data and record who asked, when and what was erased,
    in one transaction (no erasure without its record, no record without the erasure)."""
    with transaction.atomic():
        orders = customer.orders.count()
        contacts = list(customer.contacts.values_list("pk", flat=True))
        addresses = list(customer.addresses.values_list("pk", flat=True))
        erased = customer_erase(customer=customer, user=user, confirm_name=confirm_name)
        # The audit log kept the personal values as before/after of each change (the
        # erasure's own update included): they go too; which changes happened stays.
        from apps.audit.services import audit_history_erase

        audit_history_erase(table="sales_customer", pk=erased.pk, fields=PERSONAL_CUSTOMER)
        for pk in contacts:
            audit_history_erase(table="sales_customercontact", pk=pk, fields=PERSONAL_CONTACT)
        for pk in addresses:
            audit_history_erase(table="sales_customeraddress", pk=pk, fields=PERSONAL_ADDRESS)
        privacy_request_record(
            kind=PrivacyRequest.Kind.CUSTOMER_ERASURE,
            subject=f"Customer #{erased.pk}",
            user=user,
            customer=erased,
            detail={"erased": ERASED, "orders_kept": orders},
        )
    return erased
