"""Stripe against its fake API: key connection, signed events, replay and tolerance."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from apps.integrations.models import Connection, InboxEvent
from apps.integrations.providers.stripe import minor_to_decimal
from tests.fakes.stripe import FakeStripe


@pytest.fixture
def stripe_fake(settings):
    fake = FakeStripe().start()
    settings.INTEGRATIONS_STRIPE_API_BASE = fake.url
    yield fake
    fake.stop()


@pytest.fixture
def connection(tenant, manager_client, stripe_fake):
    response = manager_client.post(
        "/integrations/stripe/connect/", {"name": "Stripe", "secret_key": stripe_fake.secret_key}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with schema_context(tenant.schema_name):
        return Connection.objects.get(provider="stripe")


def _post(client, connection, body, headers):
    return client.post(
        f"/hooks/stripe/{connection.pk}/",
        data=body,
        content_type="application/json",
        headers=headers,
    )


def test_connect_checks_the_key_and_creates_the_webhook_endpoint(connection, stripe_fake):
    (endpoint,) = stripe_fake.endpoints.values()
    assert endpoint["url"] == f"http://alpha.localhost/hooks/stripe/{connection.pk}/"
    assert endpoint["enabled_events"] == ["payment_intent.succeeded", "charge.refunded"]
    assert connection.settings["account_id"] == "acct_fake123"
    assert stripe_fake.secret_key not in connection.credentials_encrypted


def test_wrong_key_is_refused_in_words(tenant, manager_client, stripe_fake):
    response = manager_client.post(
        "/integrations/stripe/connect/", {"name": "Stripe", "secret_key": "sk_test_wrong"}
    )
    assert response.status_code == 200
    assert "Stripe refused our credentials (401)" in response.content.decode()
    with schema_context(tenant.schema_name):
        assert not Connection.objects.exists()


def test_not_a_secret_key_is_refused(tenant, manager_client, stripe_fake):
    response = manager_client.post(
        "/integrations/stripe/connect/", {"name": "Stripe", "secret_key": "pk_test_123"}
    )
    assert "not a Stripe secret key" in response.content.decode()


def test_payment_succeeded_event_is_recorded(
    tenant, tenant_client, connection, stripe_fake, sync_jobs
):
    body, headers = stripe_fake.event(
        "payment_intent.succeeded", {"id": "pi_1", "amount_received": 123456, "currency": "jpy"}
    )
    with sync_jobs():
        assert _post(tenant_client, connection, body, headers).status_code == 200
    with schema_context(tenant.schema_name):
        event = InboxEvent.objects.get(connection=connection)
        assert event.state == "processed"
        assert event.result == "Payment pi_1 of 123456 JPY succeeded (no invoice linked)"


def test_refund_event_amount_in_minor_units(
    tenant, tenant_client, connection, stripe_fake, sync_jobs
):
    body, headers = stripe_fake.event(
        "charge.refunded", {"id": "ch_1", "amount_refunded": 1999, "currency": "eur"}
    )
    with sync_jobs():
        _post(tenant_client, connection, body, headers)
    with schema_context(tenant.schema_name):
        assert (
            InboxEvent.objects.get().result == "Charge ch_1 refunded 19.99 EUR (no invoice linked)"
        )


def test_replayed_event_is_ignored(tenant, tenant_client, connection, stripe_fake, sync_jobs):
    body, headers = stripe_fake.event(
        "charge.refunded", {"id": "ch_1", "amount_refunded": 5, "currency": "usd"}
    )
    with sync_jobs():
        _post(tenant_client, connection, body, headers)
        again = _post(tenant_client, connection, body, headers)
    assert again.json()["duplicate"] is True
    with schema_context(tenant.schema_name):
        assert InboxEvent.objects.count() == 1


def test_bad_or_old_signature_is_refused(tenant, tenant_client, connection, stripe_fake):
    body, headers = stripe_fake.event("charge.refunded", {"id": "ch_1"}, secret="whsec_wrong")
    assert _post(tenant_client, connection, body, headers).status_code == 401
    old, headers = stripe_fake.event(
        "charge.refunded", {"id": "ch_1"}, timestamp=int(time.time()) - 600
    )
    assert _post(tenant_client, connection, old, headers).status_code == 401
    with schema_context(tenant.schema_name):
        assert not InboxEvent.objects.exists()


def test_secret_key_never_in_logs_or_pages(tenant, manager_client, stripe_fake, caplog):
    caplog.set_level("DEBUG")
    manager_client.post(
        "/integrations/stripe/connect/", {"name": "Stripe", "secret_key": stripe_fake.secret_key}
    )
    with schema_context(tenant.schema_name):
        connection = Connection.objects.get(provider="stripe")
    page = manager_client.get(f"/integrations/{connection.pk}/").content.decode()
    form = manager_client.get("/integrations/stripe/connect/").content.decode()
    whsec = next(iter(stripe_fake.endpoints.values()))["secret"]
    for secret in (stripe_fake.secret_key, whsec):
        assert secret not in caplog.text
        assert secret not in page and secret not in form


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [(1999, "usd", "19.99"), (500, "JPY", "500"), (1234, "kwd", "1.234"), (0, "eur", "0.00")],
)
def test_minor_units(amount, currency, expected):
    assert minor_to_decimal(amount, currency) == Decimal(expected)


@pytest.fixture
def invoice(tenant, warehouse):
    from apps.catalog.services import product_create
    from apps.inventory.models import Location, StockMove
    from apps.inventory.services import MoveLine, stock_moves_post
    from apps.sales.customers.services import CustomerData, customer_create
    from apps.sales.invoicing import invoice_create
    from apps.sales.services import LineInput, sales_order_confirm, sales_order_create
    from apps.sales.shipping import shipment_create

    with schema_context(tenant.schema_name):
        variant = product_create(name="Lamp", sku="LAMP").variants.get()
        stock_moves_post(
            lines=[
                MoveLine(
                    variant_id=variant.pk,
                    location_id=Location.objects.get(warehouse=warehouse).pk,
                    quantity=Decimal(5),
                )
            ],
            kind=StockMove.Kind.RECEIPT,
        )
        customer = customer_create(data=CustomerData(name="Ann Lee", currency="USD"))
        order = sales_order_create(
            customer=customer,
            lines=[
                LineInput(variant_id=variant.pk, quantity=Decimal(2), unit_price=Decimal("10.00"))
            ],
            warehouse=warehouse,
        )
        sales_order_confirm(order=order)
        shipment_create(order=order)
        return invoice_create(order=order)


def test_payment_for_an_invoice_is_recorded_once_and_refund_adds_only_the_new_part(
    tenant, tenant_client, connection, stripe_fake, invoice, sync_jobs
):
    cents = int(invoice.balance * 100)
    pi = {"id": "pi_42", "amount_received": cents, "currency": "usd",
          "metadata": {"stockroom_invoice": invoice.number}}  # fmt: skip
    body, headers = stripe_fake.event("payment_intent.succeeded", pi)
    with sync_jobs():
        _post(tenant_client, connection, body, headers)
        other_body, other_headers = stripe_fake.event(
            "payment_intent.succeeded", pi
        )  # new event id
        _post(tenant_client, connection, other_body, other_headers)
    with schema_context(tenant.schema_name):
        invoice.refresh_from_db()
        assert invoice.payment_status == "paid"
        assert invoice.payments.count() == 1
        assert invoice.payments.get().reference == "pi_42"
    with sync_jobs():
        for refunded in (500, 500, 800):  # running totals: 5.00, 5.00 again, 8.00
            body, headers = stripe_fake.event(
                "charge.refunded",
                {
                    "id": "ch_42",
                    "payment_intent": "pi_42",
                    "amount_refunded": refunded,
                    "currency": "usd",
                },
            )
            _post(tenant_client, connection, body, headers)
    with schema_context(tenant.schema_name):
        refunds = list(invoice.payments.filter(kind="refund").values_list("amount", flat=True))
        assert sorted(refunds) == [Decimal("3.00"), Decimal("5.00")]


def test_payment_in_another_currency_fails_in_words(
    tenant, tenant_client, connection, stripe_fake, invoice, sync_jobs
):
    pi = {"id": "pi_9", "amount_received": 100, "currency": "eur",
          "metadata": {"stockroom_invoice": invoice.number}}  # fmt: skip
    body, headers = stripe_fake.event("payment_intent.succeeded", pi)
    with sync_jobs():
        _post(tenant_client, connection, body, headers)
    with schema_context(tenant.schema_name):
        event = InboxEvent.objects.get()
        assert event.state == "failed"
        assert event.error == f"Paid in EUR, but invoice {invoice.number} is in USD."
        invoice.refresh_from_db()
        assert invoice.payment_status == "unpaid"
