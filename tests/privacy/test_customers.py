"""One customer's privacy: export of their data, erasure with a record of the request."""

from __future__ import annotations

import json

from django_tenants.utils import schema_context

from apps.privacy.models import PrivacyRequest
from apps.sales.models import Customer, SalesOrder


def test_owner_exports_a_customers_data_with_orders_and_the_request_is_recorded(
    web, tenant, selling, make_order
):
    with schema_context(tenant.schema_name):
        order = make_order()
        customer = selling["customer"]
        customer.contacts.create(name="Ada Lovelace", email="ada@lovelace.test")
    client = web.login_as("owner")
    response = client.post(f"/privacy/customers/{customer.pk}/export/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="customer-{customer.pk}.json"'
    data = json.loads(response.content)
    assert data["customer"]["email"] == "ada@shop.test"
    assert [c["name"] for c in data["contacts"]] == ["Ada Lovelace"]
    assert [o["id"] for o in data["orders"]] == [order.pk]
    assert len(data["order_lines"]) == 2
    with schema_context(tenant.schema_name):
        record = PrivacyRequest.objects.get()
        assert record.kind == PrivacyRequest.Kind.CUSTOMER_EXPORT
        assert record.customer_id == customer.pk
        assert record.requested_by_email == client.users["owner"].email


def test_only_owners_export_customer_data(web, selling):
    client = web.login_as("manager")
    assert client.post(f"/privacy/customers/{selling['customer'].pk}/export/").status_code == 403
    with schema_context("alpha"):
        assert not PrivacyRequest.objects.exists()


def test_export_button_is_on_the_customer_page_for_owners_only(web, selling):
    url = f"/sales/customers/{selling['customer'].pk}/"
    export = f"/privacy/customers/{selling['customer'].pk}/export/"
    assert export in web.login_as("owner").get(url).content.decode()
    assert export not in web.login_as("manager").get(url).content.decode()


def test_erasure_from_the_customer_page_keeps_orders_and_records_the_request(
    web, tenant, selling, make_order
):
    with schema_context(tenant.schema_name):
        order = make_order()
    customer = selling["customer"]
    client = web.login_as("owner")
    response = client.post(f"/sales/customers/{customer.pk}/erase/", {"confirm_name": "Ada Shop"})
    assert response.status_code == 302
    with schema_context(tenant.schema_name):
        customer.refresh_from_db()
        assert customer.erased_at is not None and customer.email == ""
        assert SalesOrder.objects.filter(pk=order.pk, customer=customer).exists()
        record = PrivacyRequest.objects.get()
        assert record.kind == PrivacyRequest.Kind.CUSTOMER_ERASURE
        assert record.customer_id == customer.pk
        assert record.requested_by_email == client.users["owner"].email
        assert "email" in record.detail["erased"] and record.detail["orders_kept"] == 1
        assert "Ada" not in record.subject
        # The audit trail keeps that the customer changed, never the erased values.
        from apps.audit.models import AuditEvent

        history = AuditEvent.objects.filter(table_name="sales_customer", record_pk=str(customer.pk))
        assert history.exists()
        assert "Ada Shop" not in json.dumps([e.changes for e in history])


def test_a_refused_erasure_writes_no_record(web, tenant, selling):
    customer = selling["customer"]
    response = web.login_as("owner").post(
        f"/sales/customers/{customer.pk}/erase/", {"confirm_name": "Someone else"}
    )
    assert response.status_code == 422
    with schema_context(tenant.schema_name):
        assert not PrivacyRequest.objects.exists()
        assert Customer.objects.get(pk=customer.pk).erased_at is None
