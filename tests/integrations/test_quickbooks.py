"""QuickBooks Online against its fake: OAuth with refresh, customers and items both ways,
invoices and bills out with requestid, payments back, signed webhooks."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from django_tenants.utils import schema_context

from apps.catalog.services import product_create, supplier_create
from apps.integrations.errors import IntegrationError
from apps.integrations.models import Connection, InboxEvent, SyncRun
from apps.integrations.providers import quickbooks
from apps.integrations.services import connection_credentials_update, credentials_of
from apps.integrations.sync import sync_run_retry, sync_run_start
from apps.inventory.models import StockMove
from apps.inventory.services import MoveLine, stock_moves_post
from apps.inventory.warehousing import location_create, warehouse_create
from apps.sales.customers.services import CustomerData, customer_create
from apps.sales.invoicing import invoice_create
from apps.sales.models import Customer, Invoice, Payment
from apps.sales.services import LineInput, sales_order_confirm, sales_order_create
from apps.sales.shipping import shipment_create
from tests.fakes.quickbooks import FakeQuickBooks

D = Decimal
REDIRECT = "http://alpha.localhost/integrations/quickbooks/callback/"


@pytest.fixture
def fake(settings):
    fake = FakeQuickBooks().start()
    settings.INTEGRATIONS_QUICKBOOKS_AUTHORIZE_URL = fake.url + "/connect/oauth2"
    settings.INTEGRATIONS_QUICKBOOKS_TOKEN_URL = fake.url + "/oauth2/v1/tokens/bearer"
    settings.INTEGRATIONS_QUICKBOOKS_API_BASE = fake.url
    settings.QUICKBOOKS_CLIENT_ID = fake.client_id
    settings.QUICKBOOKS_CLIENT_SECRET = fake.client_secret
    settings.QUICKBOOKS_WEBHOOK_VERIFIER = fake.verifier
    yield fake
    fake.stop()


def _connect(fake) -> Connection:
    state = quickbooks.oauth_state()
    back = httpx.get(quickbooks.oauth_authorize_url(redirect_uri=REDIRECT, state=state))
    assert back.status_code == 302
    params = dict(parse_qsl(urlsplit(back.headers["Location"]).query))
    code = quickbooks.oauth_callback_code(params, expected_state=state)
    return quickbooks.connection_connect(
        code=code, realm_id=params["realmId"], redirect_uri=REDIRECT
    )


@pytest.fixture
def connection(tenant, fake):
    with schema_context(tenant.schema_name):
        return _connect(fake)


def _run(tenant, connection, sync_jobs, entity, retry_of=None) -> SyncRun:
    with schema_context(tenant.schema_name):
        with sync_jobs():
            run = (
                sync_run_retry(run=retry_of)
                if retry_of
                else sync_run_start(connection=connection, entity=entity)
            )
        run.refresh_from_db()
        return run


def test_oauth_connect_reads_the_company_and_accounts(connection, fake):
    assert connection.name == "Acme Books Inc."
    assert connection.settings["realm_id"] == fake.realm_id
    assert (connection.settings["income_account"], connection.settings["expense_account"]) == (
        "1",
        "2",
    )
    assert fake.missing_minorversion == 0


def test_callback_without_company_or_state_refused():
    with pytest.raises(IntegrationError, match="which company"):
        quickbooks.oauth_callback_code({"code": "c", "state": "s"}, expected_state="s")
    with pytest.raises(IntegrationError, match="does not match"):
        quickbooks.oauth_callback_code(
            {"code": "c", "state": "x", "realmId": "1"}, expected_state="s"
        )


def test_token_refreshed_before_expiry_and_rotated(tenant, connection, fake, sync_jobs):
    with schema_context(tenant.schema_name):
        old = credentials_of(connection)
        connection_credentials_update(
            connection=connection,
            credentials={"access_expires_at": "2020-01-01T00:00:00+00:00"},
        )
    run = _run(tenant, connection, sync_jobs, "customers")
    assert run.state == "succeeded"
    with schema_context(tenant.schema_name):
        connection.refresh_from_db()
        new = credentials_of(connection)
    assert new["refresh_token"] != old["refresh_token"]
    assert old["refresh_token"] not in fake.refresh  # spent
    tokens = fake.count("token")
    _run(tenant, connection, sync_jobs, "customers")
    assert fake.count("token") == tokens  # fresh for an hour


def test_refused_refresh_asks_to_reconnect(tenant, connection, fake, sync_jobs):
    fake.refresh.clear()
    with schema_context(tenant.schema_name):
        connection_credentials_update(
            connection=connection,
            credentials={"access_expires_at": "2020-01-01T00:00:00+00:00"},
        )
    run = _run(tenant, connection, sync_jobs, "customers")
    assert run.state == "failed" and "reconnect the company" in run.message


def test_customers_both_ways_and_rerun_changes_nothing(tenant, connection, fake, sync_jobs):
    fake.add("Customer", DisplayName="Books Only Ltd", PrimaryEmailAddr={"Address": "b@only.test"})
    with schema_context(tenant.schema_name):
        ours = customer_create(data=CustomerData(name="Stock Only Co", email="s@only.test"))
    run = _run(tenant, connection, sync_jobs, "customers")
    assert (run.state, run.created) == ("succeeded", 2)
    names = {c["DisplayName"] for c in fake.rows("Customer")}
    assert names == {"Books Only Ltd", "Stock Only Co"}
    with schema_context(tenant.schema_name):
        assert Customer.objects.get(email="b@only.test").name == "Books Only Ltd"
    posts = fake.count("post:customer")
    again = _run(tenant, connection, sync_jobs, "customers")
    assert (again.created, again.updated) == (0, 0)
    assert fake.count("post:customer") == posts
    # a change here is a sparse update with the SyncToken
    with schema_context(tenant.schema_name):
        Customer.objects.filter(pk=ours.pk).update(email="new@only.test")
    third = _run(tenant, connection, sync_jobs, "customers")
    assert third.updated == 1
    remote = next(c for c in fake.rows("Customer") if c["DisplayName"] == "Stock Only Co")
    assert remote["PrimaryEmailAddr"]["Address"] == "new@only.test"
    assert remote["SyncToken"] == "1"


def test_items_matched_by_sku_or_created(tenant, connection, fake, sync_jobs):
    fake.add("Item", Name="Existing", Sku="MUG-1", Type="NonInventory")
    with schema_context(tenant.schema_name):
        product_create(name="Mug", sku="MUG-1", sale_price=D("8"))
        product_create(name="Plate", sku="PLATE-1", sale_price=D("5"))
    run = _run(tenant, connection, sync_jobs, "products")
    assert (run.created, run.updated) == (1, 1)
    created = next(i for i in fake.rows("Item") if i["Sku"] == "PLATE-1")
    assert created["Type"] == "NonInventory" and created["IncomeAccountRef"] == {"value": "1"}
    again = _run(tenant, connection, sync_jobs, "products")
    assert (again.created, again.updated, again.skipped) == (0, 0, 2)


@pytest.fixture
def shipped_invoice(tenant):
    with schema_context(tenant.schema_name):
        main = warehouse_create(code="MAIN", name="Main")
        bin_ = location_create(warehouse=main, code="A1")
        mug = product_create(name="Mug", sku="MUG-1", sale_price=D("8.00")).variants.get()
        stock_moves_post(
            lines=[MoveLine(mug.pk, bin_.pk, D(10), D(2))], kind=StockMove.Kind.RECEIPT
        )
        customer = customer_create(data=CustomerData(name="Ada Shop", email="ada@shop.test"))
        order = sales_order_create(
            customer=customer, lines=[LineInput(mug.pk, D(3))], warehouse=main
        )
        sales_order_confirm(order=order)
        shipment = shipment_create(order=order)
        invoice = Invoice.objects.filter(order=order).first() or invoice_create(
            order=order, shipment=shipment
        )
        return invoice


def test_invoice_of_a_shipped_order_exported_once(
    tenant, connection, fake, shipped_invoice, sync_jobs
):
    run = _run(tenant, connection, sync_jobs, "invoices")
    assert (run.state, run.created) == ("succeeded", 1)
    (remote,) = fake.rows("Invoice")
    assert remote["DocNumber"] == shipped_invoice.number
    (line,) = remote["Line"]
    assert D(line["SalesItemLineDetail"]["Qty"]) == 3
    assert D(line["SalesItemLineDetail"]["UnitPrice"]) == D("8.00")
    customer = fake.data["Customer"][remote["CustomerRef"]["value"]]
    assert customer["DisplayName"] == "Ada Shop"
    again = _run(tenant, connection, sync_jobs, "invoices")
    assert again.created == 0 and len(fake.rows("Invoice")) == 1


def test_lost_answer_retried_with_the_same_requestid_makes_no_duplicate(
    tenant, connection, fake, shipped_invoice, sync_jobs
):
    """QuickBooks created the invoice but our worker died before mapping it: the next run
    sends the same requestid and gets that invoice back instead of a second one."""
    first = _run(tenant, connection, sync_jobs, "invoices")
    assert first.created == 1
    with schema_context(tenant.schema_name):
        from apps.integrations.models import ExternalId

        ExternalId.objects.filter(connection=connection, entity="invoice").delete()
    retry = _run(tenant, connection, sync_jobs, "invoices")
    assert retry.created == 1
    assert len(fake.rows("Invoice")) == 1  # requestid: the same invoice, not a second one


def test_server_error_mid_export_resumes_without_duplicates(
    tenant, connection, fake, shipped_invoice, sync_jobs
):
    fake.script["post:invoice"] = [503] * 5
    failed = _run(tenant, connection, sync_jobs, "invoices")
    assert failed.state == "failed" and "Gave up" in failed.message
    retry = _run(tenant, connection, sync_jobs, "invoices", retry_of=failed)
    assert (retry.state, retry.created) == ("succeeded", 1)
    assert len(fake.rows("Invoice")) == 1 and len(fake.rows("Customer")) == 1


def test_429_waits_and_completes(tenant, connection, fake, sync_jobs):
    fake.retry_after = "0"
    fake.script["query:Customer"] = [429, 429]
    run = _run(tenant, connection, sync_jobs, "customers")
    assert run.state == "succeeded"
    assert fake.count("query:Customer") == 3


def test_payment_in_quickbooks_recorded_on_our_invoice_once(
    tenant, connection, fake, shipped_invoice, sync_jobs
):
    _run(tenant, connection, sync_jobs, "invoices")
    (remote_invoice,) = fake.rows("Invoice")
    fake.add(
        "Payment",
        TotalAmt="10.00",
        TxnDate="2026-12-01",
        CustomerRef=remote_invoice["CustomerRef"],
        Line=[
            {
                "Amount": "10.00",
                "LinkedTxn": [{"TxnId": remote_invoice["Id"], "TxnType": "Invoice"}],
            }
        ],
    )
    run = _run(tenant, connection, sync_jobs, "payments")
    assert (run.state, run.created) == ("succeeded", 1)
    with schema_context(tenant.schema_name):
        payment = Payment.objects.get(invoice=shipped_invoice)
        assert payment.amount == D("10.00") and "QuickBooks payment" in payment.reference
    again = _run(tenant, connection, sync_jobs, "payments")
    assert again.created == 0
    with schema_context(tenant.schema_name):
        assert Payment.objects.filter(invoice=shipped_invoice).count() == 1


def test_received_purchase_order_becomes_a_bill(tenant, connection, fake, sync_jobs):
    from apps.purchasing.config import purchasing_settings
    from apps.purchasing.receiving import ReceiveItem, purchase_order_receive
    from apps.purchasing.services import LineInput as PoLine
    from apps.purchasing.services import purchase_order_create, purchase_order_submit

    with schema_context(tenant.schema_name):
        main = warehouse_create(code="MAIN", name="Main")
        shelf = location_create(warehouse=main, code="A1")
        bolt = product_create(name="Bolt", sku="BOLT-1").variants.get()
        supplier = supplier_create(name="Acme Parts", email="o@acme.test", currency="USD")
        settings = purchasing_settings()
        settings.approval_threshold = D(100000)
        settings.save()
        order = purchase_order_create(
            supplier=supplier, warehouse=main, lines=[PoLine(bolt.pk, D(10), unit_cost=D("2.50"))]
        )
        order = purchase_order_submit(order=order)
        purchase_order_receive(
            order=order, location=shelf, items=[ReceiveItem(order.lines.get().pk, D(8))]
        )
    run = _run(tenant, connection, sync_jobs, "bills")
    assert (run.state, run.created) == ("succeeded", 1)
    (bill,) = fake.rows("Bill")
    assert bill["DocNumber"] == order.number
    detail = bill["Line"][0]
    assert D(detail["Amount"]) == D("20.00")
    assert fake.data["Vendor"][bill["VendorRef"]["value"]]["DisplayName"] == "Acme Parts"


def _hook(client, connection, body, headers):
    return client.post(
        f"/hooks/quickbooks/{connection.pk}/",
        data=body,
        content_type="application/json",
        headers=headers,
    )


def test_webhook_valid_invalid_replayed(tenant, tenant_client, connection, fake, sync_jobs):
    body, headers = fake.webhook([("Payment", "5", "Create"), ("Estimate", "9", "Create")])
    _, bad = fake.webhook([("Payment", "5", "Create")], verifier="wrong")
    assert _hook(tenant_client, connection, body, bad).status_code == 401
    with sync_jobs():
        assert _hook(tenant_client, connection, body, headers).status_code == 200
        assert _hook(tenant_client, connection, body, headers).json()["duplicate"] is True
    with schema_context(tenant.schema_name):
        event = InboxEvent.objects.get(connection=connection)
        assert event.result == "started: payments"
        assert SyncRun.objects.filter(connection=connection, entity="payments").count() == 1


def test_tokens_never_logged_or_shown(tenant, fake, manager_client, sync_jobs, caplog):
    caplog.set_level("DEBUG")
    with schema_context(tenant.schema_name):
        connection = _connect(fake)
    _run(tenant, connection, sync_jobs, "customers")
    page = manager_client.get(f"/integrations/{connection.pk}/").content.decode()
    for secret in (*fake.access, *fake.refresh, fake.client_secret):
        assert secret not in caplog.text and secret not in page


def test_connect_page_oauth_round_trip(tenant, manager_client, fake):
    response = manager_client.post("/integrations/quickbooks/connect/", {"name": "Books"})
    assert response.status_code == 302
    back = httpx.get(response["Location"], follow_redirects=False)
    callback = urlsplit(back.headers["Location"])
    done = manager_client.get(f"{callback.path}?{callback.query}")
    assert done.status_code == 302
    with schema_context(tenant.schema_name):
        connection = Connection.objects.get(provider="quickbooks")
    assert connection.name == "Books" and connection.settings["realm_id"] == fake.realm_id
    page = manager_client.get(done["Location"]).content.decode()
    assert "Export invoices" in page and "Import payments" in page


def test_quickbooks_customer_we_cannot_take_is_a_failed_record(tenant, connection, fake, sync_jobs):
    fake.add("Customer", DisplayName="Bad Mail", PrimaryEmailAddr={"Address": "not-an-email"})
    fake.add("Customer", DisplayName="Good Mail", PrimaryEmailAddr={"Address": "g@mail.test"})
    run = _run(tenant, connection, sync_jobs, "customers")
    assert run.state == "succeeded" and run.failed == 1
    assert run.errors[0]["record"] == "QuickBooks customer Bad Mail"
    assert "not an email address" in run.errors[0]["message"]
    with schema_context(tenant.schema_name):
        assert Customer.objects.filter(name="Good Mail").exists()
