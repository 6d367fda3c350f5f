"""Mailchimp against its fake: OAuth connect, audience upsert by subscriber hash with RFM tags,
idempotent re-runs, rate limits and server errors, unsubscribes flowing back."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from django_tenants.utils import schema_context

from apps.integrations.errors import IntegrationError
from apps.integrations.models import Connection, InboxEvent, SyncRun
from apps.integrations.providers import mailchimp
from apps.integrations.sync import sync_run_retry, sync_run_start
from apps.sales.customers.services import CustomerData, customer_create
from apps.sales.models import Customer
from tests.fakes.mailchimp import FakeMailchimp

REDIRECT = "http://alpha.localhost/integrations/mailchimp/callback/"


@pytest.fixture
def fake(settings):
    fake = FakeMailchimp().start()
    settings.INTEGRATIONS_MAILCHIMP_LOGIN_BASE = fake.url
    settings.MAILCHIMP_CLIENT_ID = fake.client_id
    settings.MAILCHIMP_CLIENT_SECRET = fake.client_secret
    yield fake
    fake.stop()


def _connect(fake) -> Connection:
    state = mailchimp.oauth_state()
    url = mailchimp.oauth_authorize_url(redirect_uri=REDIRECT, state=state)
    back = httpx.get(url, follow_redirects=False)
    assert back.status_code == 302
    params = dict(parse_qsl(urlsplit(back.headers["Location"]).query))
    code = mailchimp.oauth_callback_code(params, expected_state=state)
    return mailchimp.connection_connect(
        code=code, redirect_uri=REDIRECT, hook_base="http://alpha.localhost/hooks/mailchimp/"
    )


@pytest.fixture
def connection(tenant, fake):
    with schema_context(tenant.schema_name):
        return _connect(fake)


def _customers(*specs):
    return [
        customer_create(data=CustomerData(name=name, email=email, marketing_consent=consent))
        for name, email, consent in specs
    ]


def _run(tenant, connection, sync_jobs, entity="audience", retry_of=None) -> SyncRun:
    with schema_context(tenant.schema_name):
        with sync_jobs():
            run = (
                sync_run_retry(run=retry_of)
                if retry_of
                else sync_run_start(connection=connection, entity=entity)
            )
        run.refresh_from_db()
        return run


def md5(email):
    return hashlib.md5(email.lower().encode()).hexdigest()


def test_oauth_connect_finds_the_data_centre_audience_and_adds_the_webhook(
    tenant, connection, fake
):
    assert connection.base_url == fake.url
    assert connection.settings["list_id"] == fake.list_id
    (hook,) = fake.webhooks
    assert hook["url"].startswith(f"http://alpha.localhost/hooks/mailchimp/{connection.pk}/?key=")
    assert hook["events"]["unsubscribe"] is True
    assert fake.token not in connection.credentials_encrypted


def test_callback_with_another_state_is_refused():
    with pytest.raises(IntegrationError, match="does not match"):
        mailchimp.oauth_callback_code({"code": "x", "state": "evil"}, expected_state="mine")
    with pytest.raises(IntegrationError, match="did not grant access"):
        mailchimp.oauth_callback_code({"error": "access_denied"}, expected_state="mine")


def test_wrong_code_is_refused_and_nothing_saved(in_tenant, fake):
    with pytest.raises(IntegrationError, match="rejected the request"):
        mailchimp.connection_connect(code="nope", redirect_uri=REDIRECT, hook_base="http://h/")
    assert not Connection.objects.exists()


def test_only_consenting_customers_are_upserted_by_hash_with_tags(
    tenant, connection, fake, sync_jobs
):
    with schema_context(tenant.schema_name):
        _customers(
            ("Ann Lee", "Ann@Example.com", True),
            ("Bob Ray", "bob@example.com", True),
            ("Cy No", "cy@example.com", False),
        )
    run = _run(tenant, connection, sync_jobs)
    assert (run.state, run.created, run.failed) == ("succeeded", 2, 0)
    assert set(fake.members) == {md5("ann@example.com"), md5("bob@example.com")}
    ann = fake.members[md5("ann@example.com")]
    assert ann["status"] == "subscribed"
    assert ann["merge_fields"] == {"FNAME": "Ann", "LNAME": "Lee"}
    assert ann["tags"] == {"RFM: No orders"}


def test_rerun_sends_nothing_and_a_change_is_sent_again(tenant, connection, fake, sync_jobs):
    with schema_context(tenant.schema_name):
        (ann,) = _customers(("Ann Lee", "ann@example.com", True))
    _run(tenant, connection, sync_jobs)
    puts = fake.count("member")
    again = _run(tenant, connection, sync_jobs)
    assert (again.created, again.updated, again.skipped) == (0, 0, 1)
    assert fake.count("member") == puts
    with schema_context(tenant.schema_name):
        Customer.objects.filter(pk=ann.pk).update(name="Ann Smith")
    third = _run(tenant, connection, sync_jobs)
    assert third.updated == 1
    assert fake.members[md5("ann@example.com")]["merge_fields"]["LNAME"] == "Smith"


def test_withdrawn_consent_unsubscribes_the_member(tenant, connection, fake, sync_jobs):
    with schema_context(tenant.schema_name):
        (ann,) = _customers(("Ann Lee", "ann@example.com", True))
    _run(tenant, connection, sync_jobs)
    with schema_context(tenant.schema_name):
        Customer.objects.filter(pk=ann.pk).update(marketing_consent=False)
    run = _run(tenant, connection, sync_jobs)
    assert run.updated == 1
    assert fake.members[md5("ann@example.com")]["status"] == "unsubscribed"


def test_429_waits_and_completes(tenant, connection, fake, sync_jobs):
    fake.retry_after = "0"
    fake.script["member"] = [429, 429]
    with schema_context(tenant.schema_name):
        _customers(("Ann Lee", "ann@example.com", True))
    run = _run(tenant, connection, sync_jobs)
    assert (run.state, run.created) == ("succeeded", 1)
    assert fake.count("member") == 3


def test_server_error_mid_sync_resumes_without_duplicates(tenant, connection, fake, sync_jobs):
    with schema_context(tenant.schema_name):
        _customers(("Ann Lee", "ann@example.com", True), ("Bob Ray", "bob@example.com", True))
    fake.script["member"] = [None] + [500] * 5  # the second customer: the API is down
    failed = _run(tenant, connection, sync_jobs)
    assert failed.state == "failed" and failed.created == 1
    assert "Gave up" in failed.message
    retry = _run(tenant, connection, sync_jobs, retry_of=failed)
    assert (retry.state, retry.created, retry.skipped) == ("succeeded", 1, 1)
    assert fake.count("member") == 1 + 5 + 1  # Ann was not sent again
    assert len(fake.members) == 2


def test_member_mailchimp_refuses_is_recorded_and_others_go_on(tenant, connection, fake, sync_jobs):
    with schema_context(tenant.schema_name):
        _customers(("Bo Unce", "bounce@example.com", True), ("Bob Ray", "bob@example.com", True))
    run = _run(tenant, connection, sync_jobs)
    assert (run.state, run.created, run.failed) == ("succeeded", 1, 1)
    assert run.errors[0]["record"] == "Bo Unce <bounce@example.com>"
    assert "compliance" in run.errors[0]["message"]


def _hook(client, connection, body, key):
    return client.post(
        f"/hooks/mailchimp/{connection.pk}/?key={key}",
        data=body,
        content_type="application/x-www-form-urlencoded",
    )


def test_unsubscribe_webhook_clears_consent_once(
    tenant, tenant_client, connection, fake, sync_jobs
):
    with schema_context(tenant.schema_name):
        (ann,) = _customers(("Ann Lee", "ann@example.com", True))
    _run(tenant, connection, sync_jobs)
    key = fake.webhooks[0]["url"].split("key=")[1]
    fake.unsubscribe_in_mailchimp("ann@example.com")
    puts = fake.count("member")
    body = fake.unsubscribe_webhook("ann@example.com")
    assert _hook(tenant_client, connection, body, "wrong").status_code == 401
    with sync_jobs():
        assert _hook(tenant_client, connection, body, key).status_code == 200
        assert _hook(tenant_client, connection, body, key).json()["duplicate"] is True
    with schema_context(tenant.schema_name):
        ann.refresh_from_db()
        assert ann.marketing_consent is False and ann.marketing_consent_at is None
        event = InboxEvent.objects.get(connection=connection)
        assert event.result == "Unsubscribed in Mailchimp: consent cleared for 1 customer(s)"
    # the next export does not subscribe her again
    run = _run(tenant, connection, sync_jobs)
    assert run.skipped == 1 and fake.count("member") == puts
    assert fake.members[md5("ann@example.com")]["status"] == "unsubscribed"


def test_polling_finds_unsubscribes_the_webhook_missed(tenant, connection, fake, sync_jobs):
    with schema_context(tenant.schema_name):
        ann, bob = _customers(
            ("Ann Lee", "ann@example.com", True), ("Bob Ray", "bob@example.com", True)
        )
    _run(tenant, connection, sync_jobs)
    fake.unsubscribe_in_mailchimp("bob@example.com")
    run = _run(tenant, connection, sync_jobs, entity="unsubscribes")
    assert (run.state, run.updated) == ("succeeded", 1)
    with schema_context(tenant.schema_name):
        assert Customer.objects.get(pk=bob.pk).marketing_consent is False
        assert Customer.objects.get(pk=ann.pk).marketing_consent is True
    again = _run(tenant, connection, sync_jobs, entity="unsubscribes")
    assert again.updated == 0  # only changes since the last poll


def test_token_never_in_logs_or_pages(tenant, fake, manager_client, sync_jobs, caplog):
    caplog.set_level("DEBUG")
    with schema_context(tenant.schema_name):
        connection = _connect(fake)
        _customers(("Ann Lee", "ann@example.com", True))
    _run(tenant, connection, sync_jobs)
    page = manager_client.get(f"/integrations/{connection.pk}/").content.decode()
    secret = fake.webhooks[0]["url"].split("key=")[1]
    for value in (fake.token, fake.client_secret):
        assert value not in caplog.text and value not in page
    assert secret not in caplog.text
    assert "Export audience" in page and "Import unsubscribes" in page


def test_webhook_url_answers_mailchimps_get_check(tenant_client, connection):
    assert tenant_client.get(f"/hooks/mailchimp/{connection.pk}/").status_code == 200


def test_other_providers_refuse_get(tenant_client, connection, tenant):
    with schema_context(tenant.schema_name):
        Connection.objects.filter(pk=connection.pk).update(provider="shopify")
    assert tenant_client.get(f"/hooks/shopify/{connection.pk}/").status_code == 405


def test_connect_page_oauth_round_trip(tenant, manager_client, fake):
    response = manager_client.post("/integrations/mailchimp/connect/", {"name": ""})
    assert response.status_code == 302
    back = httpx.get(response["Location"], follow_redirects=False)
    callback = urlsplit(back.headers["Location"])
    done = manager_client.get(f"{callback.path}?{callback.query}")
    assert done.status_code == 302
    with schema_context(tenant.schema_name):
        connection = Connection.objects.get(provider="mailchimp")
    assert done["Location"] == f"/integrations/{connection.pk}/"
    assert connection.name == "Acme Shop"


def test_connect_page_refuses_a_forged_callback(tenant, manager_client, fake):
    manager_client.post("/integrations/mailchimp/connect/", {"name": ""})
    response = manager_client.get("/integrations/mailchimp/callback/?code=x&state=forged")
    assert response.status_code == 302 and response["Location"].endswith("/mailchimp/connect/")
    with schema_context(tenant.schema_name):
        assert not Connection.objects.exists()


def test_polling_schedule_starts_both_syncs(tenant, connection, fake, sync_jobs):
    with schema_context(tenant.schema_name):
        _customers(("Ann Lee", "ann@example.com", True))
        with sync_jobs():
            assert mailchimp.polling_due() == 2
        runs = dict(SyncRun.objects.values_list("entity", "state"))
    assert runs == {"unsubscribes": "succeeded", "audience": "succeeded"}
    assert md5("ann@example.com") in fake.members


def test_unsubscribe_of_an_erased_customer_is_processed_without_error(
    tenant, tenant_client, connection, fake, sync_jobs
):
    with schema_context(tenant.schema_name):
        (ann,) = _customers(("Ann Lee", "ann@example.com", True))
        Customer.objects.filter(pk=ann.pk).update(erased_at="2026-01-01T00:00:00Z")
    key = fake.webhooks[0]["url"].split("key=")[1]
    with sync_jobs():
        _hook(tenant_client, connection, fake.unsubscribe_webhook("ann@example.com"), key)
    with schema_context(tenant.schema_name):
        event = InboxEvent.objects.get(connection=connection)
        assert event.state == "processed"
        assert event.result.endswith("consent cleared for 0 customer(s)")
