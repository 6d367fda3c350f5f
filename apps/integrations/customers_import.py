"""Channel customers into sales customers (through apps/sales/customers/services.py).

Mapped by ``ExternalId`` ("customer", the same map orders use): a mapped customer gets the
channel's name, email and phone when they changed (else it is skipped); an unmapped one is
matched by email to an existing customer and linked, else created. Erased customers
(GDPR) are never filled in again. Everything else on the customer stays as people set it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from django.db import transaction

from apps.core.errors import DomainError
from apps.integrations import ids
from apps.integrations.models import Connection


@dataclass
class RemoteCustomer:
    customer_id: str
    name: str
    email: str = ""
    phone: str = ""
    currency: str = "USD"

    @property
    def record(self) -> str:
        return f"customer {self.name or self.email} ({self.customer_id})"


def _data_of(customer):
    from apps.sales.customers.services import CustomerData

    return CustomerData(**{f.name: getattr(customer, f.name) for f in fields(CustomerData)})


def customer_upsert(connection: Connection, recorder, remote: RemoteCustomer) -> None:
    from apps.sales.customers.services import CustomerData, customer_create, customer_update
    from apps.sales.models import Customer

    name = " ".join(remote.name.split()) or remote.email
    if not name:
        recorder.count("skipped")
        return
    try:
        with transaction.atomic():
            link = ids.local_for(connection, "customer", remote.customer_id)
            customer = Customer.objects.filter(pk=link.local_id).first() if link else None
            if customer is not None:
                if customer.erased_at is not None:
                    recorder.count("skipped")
                    return
                wanted = {"name": name, "email": remote.email, "phone": remote.phone}
                if all(getattr(customer, k) == v for k, v in wanted.items()):
                    recorder.count("skipped")
                    return
                data = _data_of(customer)
                for key, value in wanted.items():
                    setattr(data, key, value)
                customer_update(customer=customer, data=data)
                recorder.count("updated")
                return
            match = None
            if remote.email:
                match = (
                    Customer.objects.filter(email__iexact=remote.email, erased_at__isnull=True)
                    .exclude(pk__in=_linked_ids(connection))
                    .order_by("id")
                    .first()
                )
            if match is not None:
                ids.link(connection, "customer", local_id=match.pk, external_id=remote.customer_id)
                recorder.count("updated")
                return
            customer = customer_create(
                data=CustomerData(
                    name=name,
                    kind=Customer.Kind.PERSON,
                    email=remote.email,
                    phone=remote.phone,
                    currency=(remote.currency or "USD").upper(),
                    notes=f"Imported from {connection.name}.",
                ),
                allow_duplicate=True,
            )
            ids.link(connection, "customer", local_id=customer.pk, external_id=remote.customer_id)
    except DomainError as exc:
        recorder.fail(remote.record, exc.message)
        return
    recorder.count("created")


def _linked_ids(connection: Connection):
    from apps.integrations.models import ExternalId

    return ExternalId.objects.filter(connection=connection, entity="customer").values("local_id")
