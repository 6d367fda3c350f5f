import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.notifications import services, tasks
from apps.notifications.models import Notification, NotificationPreference, NotificationSettings
from apps.notifications.services import email_due_at, notification_send


@pytest.fixture
def freeze(monkeypatch):
    def set_now(value: dt.datetime):
        monkeypatch.setattr(services, "_now", lambda: value)
        monkeypatch.setattr(tasks, "_now", lambda: value)

    return set_now


def test_kind_goes_to_the_roles_that_receive_it(in_tenant, users, sync_jobs):
    with sync_jobs():
        created = notification_send(
            kind="po_awaiting_approval", title="PO-000045 needs approval", url="/purchasing/"
        )
    recipients = {n.recipient.role for n in created}
    assert recipients == {Role.OWNER, Role.MANAGER}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(n.recipient.email for n in created)
    message = mail.outbox[0]
    assert message.subject == "PO-000045 needs approval"
    html = message.alternatives[0][0]
    assert "Open in Stockroom" in html and "/purchasing/" in html and "PO-000045" in message.body
    assert all(n.email == Notification.Email.SENT for n in Notification.objects.all())


def test_unknown_kind_is_refused(in_tenant):
    with pytest.raises(KeyError, match="Unknown notification kind"):
        notification_send(kind="nope", title="x")


def test_same_condition_notifies_once(in_tenant, users):
    first = notification_send(kind="low_stock", title="SHOE-M is low", dedupe_key="low:SHOE-M")
    again = notification_send(kind="low_stock", title="SHOE-M is low", dedupe_key="low:SHOE-M")
    assert first and again == []
    assert Notification.objects.filter(dedupe_key="low:SHOE-M").count() == len(first)
    with pytest.raises(IntegrityError), transaction.atomic():  # the database enforces it too
        Notification.objects.create(
            recipient=first[0].recipient, kind="low_stock", title="x", dedupe_key="low:SHOE-M"
        )


def test_preferences_turn_channels_off(in_tenant, users):
    manager = users[Role.MANAGER]
    NotificationPreference.objects.create(user=manager, kind="low_stock", in_app=False, email=True)
    NotificationPreference.objects.create(
        user=users[Role.OWNER], kind="low_stock", in_app=False, email=False
    )
    created = notification_send(kind="low_stock", title="Low", users=[manager, users[Role.OWNER]])
    assert [(n.recipient, n.in_app, n.email) for n in created] == [
        (manager, False, Notification.Email.PENDING)
    ]


def test_quiet_hours_hold_email_until_they_end(in_tenant, users, freeze):
    manager = users[Role.MANAGER]
    NotificationSettings.objects.create(
        user=manager, quiet_from=dt.time(22, 0), quiet_until=dt.time(7, 0)
    )
    night = dt.datetime(2026, 3, 3, 23, 30, tzinfo=dt.UTC)  # the test company is on UTC
    freeze(night)
    (n,) = notification_send(kind="low_stock", title="Low", users=[manager])
    assert n.email_due_at == dt.datetime(2026, 3, 4, 7, 0, tzinfo=dt.UTC)
    assert tasks.emails_send_due() == 0 and mail.outbox == []
    freeze(dt.datetime(2026, 3, 4, 7, 1, tzinfo=dt.UTC))
    assert tasks.emails_send_due() == 1
    assert mail.outbox[0].to == [manager.email]


def test_quiet_hours_end_on_local_wall_time_across_a_dst_change():
    prefs = NotificationSettings(quiet_from=dt.time(22, 0), quiet_until=dt.time(7, 0))
    berlin = ZoneInfo("Europe/Berlin")
    # Night of 28→29 March 2026: clocks go from 02:00 to 03:00 (UTC+1 → UTC+2).
    now = dt.datetime(2026, 3, 28, 23, 0, tzinfo=berlin).astimezone(dt.UTC)
    due = email_due_at(prefs, now, berlin)
    assert due.astimezone(berlin).time() == dt.time(7, 0)
    assert due == dt.datetime(2026, 3, 29, 5, 0, tzinfo=dt.UTC)


def test_digest_people_get_one_email_with_everything(in_tenant, users):
    manager = users[Role.MANAGER]
    NotificationSettings.objects.create(user=manager, daily_digest=True)
    notification_send(kind="low_stock", title="SHOE-M is low", users=[manager])
    notification_send(kind="large_adjustment", title="-40 SHOE-L", users=[manager])
    assert tasks.emails_send_due() == 0
    assert tasks.digests_send() == 1
    assert len(mail.outbox) == 1 and "2 notifications" in mail.outbox[0].subject
    assert "SHOE-M is low" in mail.outbox[0].body and "-40 SHOE-L" in mail.outbox[0].body
    assert tasks.digests_send() == 0  # nothing new, nothing sent


def send(tenant, **kwargs):
    with schema_context(tenant.schema_name):
        return notification_send(**kwargs)


def test_bell_inbox_and_mark_read(tenant_client, users, tenant):
    clerk = users[Role.CLERK]
    tenant_client.force_login(clerk)
    n = send(
        tenant, kind="order_overdue", title="SO-000012 is overdue", url="/sales/", users=[clerk]
    )[0]
    bell = tenant_client.get(reverse("notifications:bell")).content.decode()
    assert "Notifications, 1 unread" in bell and "SO-000012 is overdue" in bell
    response = tenant_client.post(reverse("notifications:open", args=[n.pk]))
    assert response.status_code == 302 and response["Location"] == "/sales/"
    with schema_context(tenant.schema_name):
        n.refresh_from_db()
    assert n.read_at is not None
    assert (
        "Notifications, 0 unread"
        in tenant_client.get(reverse("notifications:bell")).content.decode()
    )


def test_open_never_redirects_off_site(tenant_client, users, tenant):
    clerk = users[Role.CLERK]
    tenant_client.force_login(clerk)
    n = send(tenant, kind="order_overdue", title="x", url="https://evil.example/", users=[clerk])[0]
    response = tenant_client.post(reverse("notifications:open", args=[n.pk]))
    assert response["Location"] == reverse("notifications:inbox")


def test_nobody_opens_someone_elses_notification(tenant_client, users, tenant):
    n = send(tenant, kind="low_stock", title="x", users=[users[Role.OWNER]])[0]
    tenant_client.force_login(users[Role.MANAGER])
    assert tenant_client.post(reverse("notifications:open", args=[n.pk])).status_code == 404


def test_inbox_query_count_does_not_grow(
    tenant_client, users, tenant, django_assert_max_num_queries
):
    owner = users[Role.OWNER]
    tenant_client.force_login(owner)
    send(tenant, kind="low_stock", title="one", users=[owner])
    with django_assert_max_num_queries(12) as few:
        assert tenant_client.get(reverse("notifications:inbox")).status_code == 200
    for i in range(40):
        send(tenant, kind="low_stock", title=f"n{i}", users=[owner])
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = tenant_client.get(reverse("notifications:inbox")).content.decode()
    assert "n39" in page and "Mark all read" in page
    tenant_client.post(reverse("notifications:mark_all_read"))
    with schema_context(tenant.schema_name):
        assert not Notification.objects.filter(recipient=owner, read_at__isnull=True).exists()


def test_preferences_page_saves_and_validates(tenant_client, users, tenant):
    viewer = users[Role.VIEWER]
    tenant_client.force_login(viewer)
    assert tenant_client.get(reverse("notifications:preferences")).status_code == 200
    bad = tenant_client.post(reverse("notifications:preferences"), {"quiet_from": "22:00"})
    assert "Give both ends of the quiet hours" in bad.content.decode()
    ok = tenant_client.post(
        reverse("notifications:preferences"),
        {
            "job_finished__in_app": "on",
            "daily_digest": "on",
            "quiet_from": "22:00",
            "quiet_until": "06:30",
        },
    )
    assert ok.status_code == 302
    with schema_context(tenant.schema_name):
        pref = NotificationPreference.objects.get(user=viewer, kind="job_finished")
        person = NotificationSettings.objects.get(user=viewer)
    assert (pref.in_app, pref.email) == (True, False)
    assert person.daily_digest and person.quiet_until == dt.time(6, 30)
