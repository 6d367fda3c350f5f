"""Slack and Twilio SMS as notification channels, against their fake APIs."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from apps.integrations.errors import IntegrationError
from apps.integrations.models import Connection, InboxEvent, SyncRun
from apps.integrations.providers import slack, twilio
from apps.notifications.channels import CHANNELS, Message, deliver
from tests.fakes.slack import FakeSlack
from tests.fakes.twilio import FakeTwilio

LOW = Message(kind="low_stock", title="Widget <red> is low", body="3 left & falling", url="/x/")


@pytest.fixture
def slack_fake():
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture
def twilio_fake(settings):
    fake = FakeTwilio().start()
    settings.INTEGRATIONS_TWILIO_API_BASE = fake.url
    settings.INTEGRATIONS_LINK_BASE = "http://alpha.localhost"
    yield fake
    fake.stop()


# --- Slack ---------------------------------------------------------------------------------


def test_channels_are_registered():
    assert CHANNELS["slack"].label == "Slack"
    assert CHANNELS["sms"].label == "SMS (Twilio)"


def test_slack_connect_posts_a_confirmation(in_tenant, slack_fake):
    connection = slack.connection_connect(name="Ops", webhook_url=slack_fake.webhook_url)
    assert connection.provider == "slack"
    assert "connected" in slack_fake.messages[0]["text"]
    assert slack_fake.path not in connection.credentials_encrypted


@pytest.mark.parametrize(
    "url",
    ["http://hooks.slack.com/services/T1/B1/x", "https://example.com/services/T1/B1/x", "hooks"],
)
def test_slack_url_must_be_a_slack_https_webhook(in_tenant, settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(IntegrationError, match="hooks.slack.com"):
        slack.connection_connect(name="Ops", webhook_url=url)
    assert not Connection.objects.exists()


def test_slack_removed_webhook_is_refused_in_words(in_tenant, slack_fake):
    with pytest.raises(IntegrationError, match="removed in Slack"):
        slack.connection_connect(name="Ops", webhook_url=slack_fake.url + "/services/T/B/nope")
    assert not Connection.objects.exists()


def test_rule_notification_reaches_slack_escaped(in_tenant, slack_fake, sync_jobs):
    slack.connection_connect(name="Ops", webhook_url=slack_fake.webhook_url)
    with sync_jobs():
        deliver(LOW, {"in_app"})
    posted = slack_fake.messages[-1]
    assert posted["text"] == "Widget <red> is low"
    block = posted["blocks"][0]["text"]["text"]
    assert "Widget &lt;red&gt; is low" in block and "3 left &amp; falling" in block
    assert "/x/|" in block  # a link to the page


def test_slack_takes_only_its_kinds(in_tenant, slack_fake, sync_jobs):
    slack.connection_connect(name="Ops", webhook_url=slack_fake.webhook_url, kinds=["sync_failed"])
    with sync_jobs():
        deliver(LOW, {"in_app"})
    assert len(slack_fake.messages) == 1  # only the connect confirmation


def test_slack_429_waits_and_5xx_retries(in_tenant, slack_fake, sync_jobs):
    slack.connection_connect(name="Ops", webhook_url=slack_fake.webhook_url)
    slack_fake.retry_after = "0"
    slack_fake.script[slack_fake.path] = [429, 503]
    with sync_jobs():
        deliver(LOW, set())
    assert len(slack_fake.messages) == 2
    assert slack_fake.count(slack_fake.path) == 4


def test_slack_archived_channel_marks_the_connection(in_tenant, slack_fake, sync_jobs):
    connection = slack.connection_connect(name="Ops", webhook_url=slack_fake.webhook_url)
    slack_fake.archived = True
    with sync_jobs():
        deliver(LOW, set())
    connection.refresh_from_db()
    assert connection.status == "error"
    assert "archived" in connection.status_message


def test_slack_url_never_logged(in_tenant, slack_fake, sync_jobs, caplog):
    caplog.set_level("DEBUG")
    slack.connection_connect(name="Ops", webhook_url=slack_fake.webhook_url)
    with sync_jobs():
        deliver(LOW, set())
    assert len(slack_fake.messages) == 2
    secret = slack_fake.path.rsplit("/", 1)[1]
    assert secret not in caplog.text


# --- Twilio --------------------------------------------------------------------------------


def _twilio(fake, **extra):
    return twilio.connection_connect(
        name="On call",
        account_sid=fake.account_sid,
        auth_token=fake.auth_token,
        sender="+15550000000",
        to_numbers="+1 555 010 0001, +15550100002",
        **extra,
    )


def test_twilio_connect_checks_the_account(in_tenant, twilio_fake):
    connection = _twilio(twilio_fake)
    assert connection.settings["to_numbers"] == ["+15550100001", "+15550100002"]
    assert twilio_fake.auth_token not in connection.credentials_encrypted


def test_twilio_wrong_token_refused(in_tenant, twilio_fake):
    with pytest.raises(IntegrationError, match="Twilio refused our credentials"):
        twilio.connection_connect(
            name="x",
            account_sid=twilio_fake.account_sid,
            auth_token="wrong",
            sender="+15550000000",
            to_numbers="+15550100001",
        )
    assert not Connection.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "text"),
    [
        ("account_sid", "123", "starts with AC"),
        ("to_numbers", "0171 555", "international form"),
        ("to_numbers", "", "at least one"),
    ],
)
def test_twilio_bad_input_in_words(in_tenant, twilio_fake, field, value, text):
    args = {
        "name": "x",
        "account_sid": twilio_fake.account_sid,
        "auth_token": "t",
        "sender": "+15550000000",
        "to_numbers": "+15550100001",
        field: value,
    }
    with pytest.raises(IntegrationError, match=text) as info:
        twilio.connection_connect(**args)
    assert info.value.field == field


def test_notification_texts_every_recipient(in_tenant, twilio_fake, sync_jobs):
    connection = _twilio(twilio_fake)
    with sync_jobs():
        deliver(LOW, {"in_app"})
    assert [m["to"] for m in twilio_fake.messages] == ["+15550100001", "+15550100002"]
    message = twilio_fake.messages[0]
    assert message["from"] == "+15550000000"
    assert message["body"] == "Widget <red> is low\n3 left & falling\nhttp://alpha.localhost/x/"
    assert message["status_callback"] == f"http://alpha.localhost/hooks/twilio/{connection.pk}/"


def test_twilio_429_and_5xx_then_sent_once_each(in_tenant, twilio_fake, sync_jobs):
    _twilio(twilio_fake)
    twilio_fake.retry_after = "0"
    twilio_fake.script["messages"] = [429, 500]
    with sync_jobs():
        deliver(LOW, set())
    assert len(twilio_fake.messages) == 2
    assert twilio_fake.count("messages") == 4


def test_one_bad_number_does_not_stop_the_others(in_tenant, twilio_fake, sync_jobs):
    connection = _twilio(twilio_fake)
    connection.settings["to_numbers"] = ["+4915112345678", "+15550100002"]
    connection.save()
    with sync_jobs():
        deliver(LOW, set())
    assert [m["to"] for m in twilio_fake.messages] == ["+15550100002"]


def _callback(client, connection, body, headers):
    return client.post(
        f"/hooks/twilio/{connection.pk}/",
        data=body,
        content_type="application/x-www-form-urlencoded",
        headers=headers,
    )


@pytest.fixture
def sent(tenant, twilio_fake, sync_jobs):
    with schema_context(tenant.schema_name):
        connection = _twilio(twilio_fake)
        with sync_jobs():
            deliver(LOW, set())
    return connection, twilio_fake.messages[0]


def test_status_callback_valid_invalid_replayed(
    tenant, tenant_client, twilio_fake, sent, sync_jobs
):
    connection, message = sent
    url = f"http://alpha.localhost/hooks/twilio/{connection.pk}/"
    body, headers = twilio_fake.status_callback(message, "delivered", url=url)
    with sync_jobs():
        assert _callback(tenant_client, connection, body, headers).status_code == 200
        again = _callback(tenant_client, connection, body, headers)
    assert again.json()["duplicate"] is True
    bad_body, bad = twilio_fake.status_callback(message, "delivered", url=url, token="wrong")
    assert _callback(tenant_client, connection, bad_body, bad).status_code == 401
    tampered = body.replace("delivered", "failed")
    assert _callback(tenant_client, connection, tampered, headers).status_code == 401
    with schema_context(tenant.schema_name):
        (event,) = InboxEvent.objects.filter(connection=connection)
        assert event.state == "processed"
        assert event.result == "SMS to …0001 delivered"


def test_undelivered_text_shows_in_the_sync_log(
    tenant, tenant_client, twilio_fake, sent, sync_jobs
):
    connection, message = sent
    url = f"http://alpha.localhost/hooks/twilio/{connection.pk}/"
    body, headers = twilio_fake.status_callback(message, "undelivered", url=url, error_code="30003")
    with sync_jobs():
        assert _callback(tenant_client, connection, body, headers).status_code == 200
    with schema_context(tenant.schema_name):
        run = SyncRun.objects.get(connection=connection)
        assert run.failed == 1
        assert "error 30003" in run.errors[0]["message"]


def test_twilio_token_never_logged_or_shown(tenant, manager_client, twilio_fake, sync_jobs, caplog):
    caplog.set_level("DEBUG")
    with schema_context(tenant.schema_name):
        connection = _twilio(twilio_fake)
        with sync_jobs():
            deliver(LOW, set())
    page = manager_client.get(f"/integrations/{connection.pk}/").content.decode()
    assert twilio_fake.auth_token not in caplog.text
    assert twilio_fake.auth_token not in page


# --- connect pages -------------------------------------------------------------------------


def test_index_offers_the_channels(manager_client):
    page = manager_client.get("/integrations/").content.decode()
    for label in ("Connect Slack", "Connect Twilio", "Connect Amazon", "Connect QuickBooks"):
        assert label in page


def test_slack_connect_page(tenant, manager_client, slack_fake):
    assert manager_client.get("/integrations/slack/connect/").status_code == 200
    response = manager_client.post(
        "/integrations/slack/connect/",
        {"name": "Ops", "webhook_url": slack_fake.webhook_url, "kinds": ["low_stock"]},
    )
    assert response.status_code == 302
    with schema_context(tenant.schema_name):
        connection = Connection.objects.get(provider="slack")
    assert connection.settings["kinds"] == ["low_stock"]
    page = manager_client.get(response["Location"]).content.decode()
    assert slack_fake.path not in page


def test_twilio_connect_page_shows_errors_in_words(tenant, manager_client, twilio_fake):
    response = manager_client.post(
        "/integrations/twilio/connect/",
        {
            "name": "SMS",
            "account_sid": twilio_fake.account_sid,
            "auth_token": twilio_fake.auth_token,
            "sender": "+15550000000",
            "to_numbers": "12345",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "not a phone number in international form" in page
    assert twilio_fake.auth_token not in page  # the secret is not rendered back
    with schema_context(tenant.schema_name):
        assert not Connection.objects.exists()


def test_clerk_cannot_connect(tenant, users, slack_fake):
    from tests.conftest import TenantClient

    client = TenantClient(tenant)
    client.force_login(users["clerk"])
    response = client.post(
        "/integrations/slack/connect/", {"name": "Ops", "webhook_url": slack_fake.webhook_url}
    )
    assert response.status_code == 403
    assert slack_fake.messages == []


def test_notification_channel_pages_have_no_warehouse_mapping(tenant, manager_client, slack_fake):
    with schema_context(tenant.schema_name):
        connection = slack.connection_connect(name="Ops", webhook_url=slack_fake.webhook_url)
    page = manager_client.get(f"/integrations/{connection.pk}/").content.decode()
    assert "Save mapping" not in page and "Store stock" not in page
