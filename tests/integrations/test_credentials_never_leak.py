"""Credentials never leave their encrypted column: for every provider, connect and run a sync
against its fake (once succeeding, once refused or failing), with DEBUG logging captured, then
look for every secret the fake knows (keys, tokens, refresh tokens, webhook secrets, the Slack
URL) in the logs, the sync log rows, the connection's status and settings, the webhook inbox,
notifications and the integrations pages."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import pytest
from django_tenants.utils import schema_context

from apps.integrations.models import Connection, InboxEvent, SyncRun
from apps.integrations.sync import sync_run_start
from apps.notifications.channels import Message, deliver
from apps.notifications.models import Notification

LOW = Message(kind="low_stock", title="Widget is low", body="3 left", url="/x/")


@dataclass
class Ctx:
    tenant: Any
    client: Any  # a manager's TenantClient
    hooks: Any  # an anonymous TenantClient (webhooks)
    sync_jobs: Any
    settings: Any
    warehouse: Any
    request: Any

    def fake(self, cls):
        fake = cls().start()
        self.request.addfinalizer(fake.stop)
        return fake

    def run(self, connection, entity) -> SyncRun:
        with schema_context(self.tenant.schema_name):
            with self.sync_jobs():
                run = sync_run_start(connection=connection, entity=entity)
            run.refresh_from_db()
            return run

    def deliver(self):
        with schema_context(self.tenant.schema_name):
            with self.sync_jobs():
                deliver(LOW, set())

    def connection(self, provider) -> Connection:
        with schema_context(self.tenant.schema_name):
            return Connection.objects.get(provider=provider)


def _fail_next(fake, status, times=1):
    fake.script["*"] = [status] * times


def shopify(ctx: Ctx):
    from tests.fakes.shopify import FakeShopify
    from tests.integrations.conftest import shopify_connect

    fake = ctx.fake(FakeShopify)
    ctx.settings.SHOPIFY_CLIENT_ID = fake.client_id
    ctx.settings.SHOPIFY_CLIENT_SECRET = fake.client_secret
    fake.add_product("Blue mug", [("MUG-BLUE", "12.50")], stock=3)
    shopify_connect(ctx.client, fake, sync_jobs=ctx.sync_jobs)
    connection = ctx.connection("shopify")
    assert ctx.run(connection, "products").state == "succeeded"
    _fail_next(fake, 401)
    assert ctx.run(connection, "products").state == "failed"
    return connection, [*fake.tokens, *fake.refresh_tokens, fake.client_secret]


def woocommerce(ctx: Ctx):
    from tests.fakes.woocommerce import FakeWooCommerce
    from tests.integrations.test_woocommerce import _connect

    fake = ctx.fake(FakeWooCommerce)
    with ctx.sync_jobs():
        assert _connect(ctx.client, fake, ctx.warehouse).status_code == 302
    connection = ctx.connection("woocommerce")
    assert ctx.run(connection, "products").state == "succeeded"
    _fail_next(fake, 401)
    assert ctx.run(connection, "products").state == "failed"
    hook_secrets = [h["secret"] for h in fake.webhooks.values()]
    return connection, [fake.consumer_key, fake.consumer_secret, *hook_secrets]


def stripe(ctx: Ctx):
    from tests.fakes.stripe import FakeStripe

    fake = ctx.fake(FakeStripe)
    ctx.settings.INTEGRATIONS_STRIPE_API_BASE = fake.url
    ok = ctx.client.post(
        "/integrations/stripe/connect/", {"name": "Stripe", "secret_key": fake.secret_key}
    )
    assert ok.status_code == 302
    connection = ctx.connection("stripe")
    # a signed event for an invoice we do not have: processed, fails in words
    body, headers = fake.event(
        "payment_intent.succeeded",
        {"id": "pi_1", "amount_received": 500, "currency": "usd",
         "metadata": {"stockroom_invoice": "INV-404"}},
    )  # fmt: skip
    with ctx.sync_jobs():
        answer = ctx.hooks.post(
            f"/hooks/stripe/{connection.pk}/",
            data=body,
            content_type="application/json",
            headers=headers,
        )
    assert answer.status_code == 200
    # a refused key while connecting again
    wrong = "sk_test_" + "9" * 24
    refused = ctx.client.post(
        "/integrations/stripe/connect/", {"name": "Stripe 2", "secret_key": wrong}
    )
    assert "refused our credentials" in refused.content.decode()
    assert wrong not in refused.content.decode()
    whsec = next(iter(fake.endpoints.values()))["secret"]
    return connection, [fake.secret_key, whsec, wrong]


def amazon(ctx: Ctx):
    from tests.fakes.amazon import FakeAmazon
    from tests.integrations.test_amazon import _connect

    fake = ctx.fake(FakeAmazon)
    ctx.settings.INTEGRATIONS_AMAZON_API_BASE = fake.url
    ctx.settings.INTEGRATIONS_AMAZON_LWA_URL = fake.url + "/auth/o2/token"
    with schema_context(ctx.tenant.schema_name):
        connection = _connect(fake, warehouse=ctx.warehouse)
    fake.add_order("555-1", channel="AFN")
    assert ctx.run(connection, "orders").state == "succeeded"
    _fail_next(fake, 403)
    assert ctx.run(connection, "orders").state == "failed"
    return connection, [fake.client_secret, fake.refresh_token, *fake.tokens]


def quickbooks(ctx: Ctx):
    from tests.fakes.quickbooks import FakeQuickBooks
    from tests.integrations.test_quickbooks import _connect

    fake = ctx.fake(FakeQuickBooks)
    ctx.settings.INTEGRATIONS_QUICKBOOKS_AUTHORIZE_URL = fake.url + "/connect/oauth2"
    ctx.settings.INTEGRATIONS_QUICKBOOKS_TOKEN_URL = fake.url + "/oauth2/v1/tokens/bearer"
    ctx.settings.INTEGRATIONS_QUICKBOOKS_API_BASE = fake.url
    ctx.settings.QUICKBOOKS_CLIENT_ID = fake.client_id
    ctx.settings.QUICKBOOKS_CLIENT_SECRET = fake.client_secret
    ctx.settings.QUICKBOOKS_WEBHOOK_VERIFIER = fake.verifier
    with schema_context(ctx.tenant.schema_name):
        connection = _connect(fake)
    assert ctx.run(connection, "customers").state == "succeeded"
    _fail_next(fake, 401, times=3)  # the call, the token refresh, the call again
    assert ctx.run(connection, "customers").state == "failed"
    return connection, [*fake.access, *fake.refresh, fake.client_secret, fake.verifier]


def mailchimp(ctx: Ctx):
    from apps.sales.customers.services import CustomerData, customer_create
    from tests.fakes.mailchimp import FakeMailchimp
    from tests.integrations.test_mailchimp import _connect

    fake = ctx.fake(FakeMailchimp)
    ctx.settings.INTEGRATIONS_MAILCHIMP_LOGIN_BASE = fake.url
    ctx.settings.MAILCHIMP_CLIENT_ID = fake.client_id
    ctx.settings.MAILCHIMP_CLIENT_SECRET = fake.client_secret
    with schema_context(ctx.tenant.schema_name):
        connection = _connect(fake)
        customer_create(
            data=CustomerData(name="Ann Lee", email="ann@example.com", marketing_consent=True)
        )
    assert ctx.run(connection, "audience").state == "succeeded"
    _fail_next(fake, 401)
    with schema_context(ctx.tenant.schema_name):
        customer_create(
            data=CustomerData(name="Bo Chan", email="bo@example.com", marketing_consent=True)
        )
    failing = ctx.run(connection, "audience")  # a refused member is a failed record
    assert failing.state == "failed" or failing.failed
    hook_key = fake.webhooks[0]["url"].split("key=")[1]
    return connection, [fake.token, fake.client_secret, hook_key]


def slack(ctx: Ctx):
    from apps.integrations.providers import slack as provider
    from tests.fakes.slack import FakeSlack

    fake = ctx.fake(FakeSlack)
    with schema_context(ctx.tenant.schema_name):
        provider.connection_connect(name="Ops", webhook_url=fake.webhook_url)
    ctx.deliver()
    assert len(fake.messages) == 2  # the confirmation, the notification
    _fail_next(fake, 500, times=10)
    ctx.deliver()
    connection = ctx.connection("slack")
    secret = fake.path.rsplit("/", 1)[1]
    return connection, [secret, fake.webhook_url]


def twilio(ctx: Ctx):
    from tests.fakes.twilio import FakeTwilio
    from tests.integrations.test_slack_twilio import _twilio

    fake = ctx.fake(FakeTwilio)
    ctx.settings.INTEGRATIONS_TWILIO_API_BASE = fake.url
    ctx.settings.INTEGRATIONS_LINK_BASE = "http://alpha.localhost"
    with schema_context(ctx.tenant.schema_name):
        _twilio(fake)
    ctx.deliver()
    _fail_next(fake, 401, times=10)
    ctx.deliver()
    return ctx.connection("twilio"), [fake.auth_token]


PROVIDERS = [shopify, woocommerce, stripe, amazon, quickbooks, mailchimp, slack, twilio]


def _stored_text(tenant, connection) -> str:
    """Everything we keep about the connection's runs, except the encrypted credentials."""
    with schema_context(tenant.schema_name):
        connection = Connection.objects.get(pk=connection.pk)
        runs = list(SyncRun.objects.filter(connection=connection).values())
        inbox = list(InboxEvent.objects.filter(connection=connection).values("error", "result"))
        notes = list(Notification.objects.values("title", "body", "url"))
    parts = [
        connection.status_message,
        json.dumps(connection.settings),
        json.dumps(connection.sync_state),
        json.dumps(runs, default=str),
        json.dumps(inbox),
        json.dumps(notes),
    ]
    return "\n".join(parts)


@pytest.mark.parametrize("scenario", PROVIDERS, ids=[p.__name__ for p in PROVIDERS])
def test_no_credential_in_logs_sync_log_errors_or_pages(
    scenario, request, tenant, manager_client, tenant_client, sync_jobs, settings, warehouse,
    caplog,
):  # fmt: skip
    caplog.set_level("DEBUG")
    ctx = Ctx(tenant, manager_client, tenant_client, sync_jobs, settings, warehouse, request)
    started = time.monotonic()
    connection, secrets = scenario(ctx)
    assert time.monotonic() - started < 60
    secrets = [s for s in secrets if s]
    assert secrets and all(len(s) >= 12 for s in secrets)  # real values, not blanks
    with schema_context(tenant.schema_name):
        runs = SyncRun.objects.filter(connection=connection)
        failed_or_errors = [r for r in runs if r.state == "failed" or r.errors or r.failed]
        connection.refresh_from_db()
    # the failing half really failed somewhere we record it
    assert failed_or_errors or connection.status == "error", scenario.__name__
    stored = _stored_text(tenant, connection)
    pages = "".join(
        manager_client.get(url).content.decode()
        for url in ("/integrations/", f"/integrations/{connection.pk}/")
    )
    assert "127.0.0.1" in caplog.text  # the calls to the fake were logged (httpx, DEBUG)
    for secret in secrets:
        assert secret not in caplog.text, f"{scenario.__name__}: a secret is in the logs"
        assert secret not in stored, f"{scenario.__name__}: a secret is in the sync log"
        assert secret not in pages, f"{scenario.__name__}: a secret is on a page"
        assert secret not in connection.credentials_encrypted
