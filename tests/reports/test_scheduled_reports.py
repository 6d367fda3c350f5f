"""Scheduled reports: the right local time across DST, the email with its attachment, the UI."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django_tenants.utils import schema_context
from openpyxl import load_workbook
from pypdf import PdfReader

from apps.accounts.models import Role
from apps.notifications import scheduled_reports
from apps.notifications.schedule_models import ReportSchedule
from apps.notifications.scheduled_reports import (
    ScheduleError,
    next_run,
    report_schedule_create,
    scheduled_reports_run,
)

BERLIN = ZoneInfo("Europe/Berlin")
UTC = dt.UTC


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def schedule(**kw) -> ReportSchedule:
    kw.setdefault("at_time", dt.time(7, 0))
    return ReportSchedule(**kw)


def test_daily_at_seven_local_across_the_spring_dst_change():
    daily = schedule(frequency="daily")
    # Sat 28 March 2026, 07:00 CET = 06:00 UTC; Sunday 29 March is the change to CEST.
    first = next_run(daily, after=utc(2026, 3, 28, 0, 0), zone=BERLIN)
    assert first == utc(2026, 3, 28, 6, 0)
    second = next_run(daily, after=first, zone=BERLIN)
    assert second == utc(2026, 3, 29, 5, 0)  # 07:00 CEST
    assert second.astimezone(BERLIN).hour == 7


def test_autumn_change_and_a_time_inside_the_spring_gap():
    daily = schedule(frequency="daily")
    # Sunday 25 October 2026 CEST → CET: 07:00 is 06:00 UTC again.
    assert next_run(daily, after=utc(2026, 10, 24, 6, 0), zone=BERLIN) == utc(2026, 10, 25, 6, 0)
    gap = schedule(frequency="daily", at_time=dt.time(2, 30))
    when = next_run(gap, after=utc(2026, 3, 28, 12, 0), zone=BERLIN)
    assert when == utc(2026, 3, 29, 1, 30)  # 02:30 does not exist: 03:30 CEST, once


def test_weekly_and_monthly():
    weekly = schedule(frequency="weekly", weekday=0)  # Mondays
    assert next_run(weekly, after=utc(2026, 12, 2, 12), zone=UTC) == utc(2026, 12, 7, 7)
    monthly = schedule(frequency="monthly", day_of_month=31)  # the last day of each month
    assert next_run(monthly, after=utc(2026, 2, 1), zone=UTC) == utc(2026, 2, 28, 7)
    assert next_run(monthly, after=utc(2026, 2, 28, 8), zone=UTC) == utc(2026, 3, 31, 7)


@pytest.fixture
def berlin(tenant):
    tenant.time_zone = "Europe/Berlin"
    tenant.save(update_fields=["time_zone"])
    return tenant


def test_the_job_sends_at_the_local_time_and_moves_to_the_next(
    berlin, users, monkeypatch, settings
):
    clock = {"now": utc(2026, 3, 27, 12, 0)}
    monkeypatch.setattr(scheduled_reports, "_now", lambda: clock["now"])
    with schema_context(berlin.schema_name):
        item = report_schedule_create(
            name="Morning stock",
            report_slug="stock-levels",
            params={},
            fmt="xlsx",
            frequency="daily",
            at_time=dt.time(7, 0),
            recipients="boss@alpha.test, buyer@alpha.test",
            user=users[Role.MANAGER],
        )
        assert item.next_run_at == utc(2026, 3, 28, 6, 0)
        clock["now"] = utc(2026, 3, 28, 5, 59)
        assert scheduled_reports_run() == 0 and not mail.outbox
        clock["now"] = utc(2026, 3, 28, 6, 1)
        assert scheduled_reports_run() == 1
        assert scheduled_reports_run() == 0  # once
        item.refresh_from_db()
        assert item.next_run_at == utc(2026, 3, 29, 5, 0)  # 07:00 CEST after the change
        assert item.runs == 1 and item.last_error == ""
    message = mail.outbox[0]
    assert message.to == ["boss@alpha.test", "buyer@alpha.test"]
    assert "Morning stock" in message.subject and "Alpha Supplies" in message.subject
    assert "Morning stock" in message.alternatives[0][0]
    name, content, mimetype = message.attachments[0]
    assert name.startswith("stock-levels-") and name.endswith(".xlsx")
    assert load_workbook(io.BytesIO(content)).active["A1"].value == "SKU"


def test_a_worker_that_was_down_sends_once_then_catches_up(berlin, users, monkeypatch):
    clock = {"now": utc(2026, 6, 1, 12, 0)}
    monkeypatch.setattr(scheduled_reports, "_now", lambda: clock["now"])
    with schema_context(berlin.schema_name):
        report_schedule_create(
            name="Valuation", report_slug="valuation-as-of", params={}, fmt="pdf",
            frequency="daily", at_time=dt.time(7, 0), recipients="boss@alpha.test",
            user=users[Role.OWNER],
        )  # fmt: skip
        clock["now"] = utc(2026, 6, 5, 9, 0)  # four runs missed
        assert scheduled_reports_run() == 1
        assert ReportSchedule.objects.get().next_run_at == utc(2026, 6, 6, 5, 0)
    text = PdfReader(io.BytesIO(mail.outbox[0].attachments[0][1])).pages[0].extract_text()
    assert "Stock valuation as of a date" in text


def test_an_author_who_lost_export_rights_stops_the_schedule_with_a_reason(
    tenant, users, monkeypatch
):
    clock = {"now": utc(2026, 6, 1, 12, 0)}
    monkeypatch.setattr(scheduled_reports, "_now", lambda: clock["now"])
    with schema_context(tenant.schema_name):
        author = users[Role.CLERK]
        item = report_schedule_create(
            name="X", report_slug="stock-levels", params={}, fmt="pdf", frequency="daily",
            at_time=dt.time(7, 0), recipients="a@alpha.test", user=author,
        )  # fmt: skip
        author.role = Role.VIEWER
        author.save(update_fields=["role"])
        clock["now"] = utc(2026, 6, 2, 8, 0)
        assert scheduled_reports_run() == 0
        item.refresh_from_db()
        assert "can no longer export" in item.last_error and not mail.outbox


def test_bad_schedules_are_refused_in_words(in_tenant, users):
    base = {"name": "", "report_slug": "stock-levels", "params": {}, "fmt": "pdf",
            "at_time": dt.time(7), "user": users[Role.OWNER]}  # fmt: skip
    with pytest.raises(ScheduleError, match="day of the week"):
        report_schedule_create(frequency="weekly", recipients="a@b.test", **base)
    with pytest.raises(ScheduleError, match="not an email address"):
        report_schedule_create(frequency="daily", recipients="a@b.test, nope", **base)
    with pytest.raises(ScheduleError, match="not valid"):
        report_schedule_create(
            **{**base, "report_slug": "movements", "params": {"period": "custom"}},
            frequency="daily",
            recipients="a@b.test",
        )
    assert not ReportSchedule.objects.exists()


def test_schedule_pages_create_list_and_delete(tenant, tenant_client, users):
    tenant_client.force_login(users[Role.CLERK])
    url = "/notifications/schedules/new/?report=movements&period=last_month&kind=receipt"
    page = tenant_client.get(url).content.decode()
    assert "Schedule “Movement history”" in page and "Kind: Receipt" in page
    bad = tenant_client.post(url, {"fmt": "pdf", "frequency": "monthly", "at_time": "07:00",
                                   "recipients": "me@alpha.test"})  # fmt: skip
    assert bad.status_code == 400 and "day of the month" in bad.content.decode()
    response = tenant_client.post(url, {"name": "Receipts", "fmt": "pdf", "frequency": "monthly",
                                        "day_of_month": "1", "at_time": "06:30",
                                        "recipients": "me@alpha.test"})  # fmt: skip
    assert response.status_code == 302
    with schema_context(tenant.schema_name):
        item = ReportSchedule.objects.get()
    assert item.params == {"period": "last_month", "kind": "receipt"}
    # The choices in words, not the dates "last month" had on the day it was scheduled.
    assert item.params_text == "Period: Last month · Kind: Receipt"
    listing = tenant_client.get("/notifications/schedules/").content.decode()
    assert "Receipts" in listing and "Movement history" in listing and "me@alpha.test" in listing
    assert "Receipts" in tenant_client.get("/notifications/schedules/?q=rec").content.decode()
    assert (
        "No schedule matches"
        in tenant_client.get("/notifications/schedules/?q=zzz").content.decode()
    )
    confirm = tenant_client.get(f"/notifications/schedules/{item.pk}/delete/")
    assert "Delete the schedule" in confirm.content.decode()
    tenant_client.force_login(users[Role.VIEWER])
    assert tenant_client.get("/notifications/schedules/").status_code == 403
    tenant_client.force_login(users[Role.CLERK])
    assert tenant_client.post(f"/notifications/schedules/{item.pk}/delete/").status_code == 302
    with schema_context(tenant.schema_name):
        assert not ReportSchedule.objects.exists()


def test_schedule_list_query_count_is_fixed(
    tenant, tenant_client, users, django_assert_max_num_queries
):
    tenant_client.force_login(users[Role.MANAGER])

    def add(n):
        with schema_context(tenant.schema_name):
            for i in range(n):
                report_schedule_create(
                    name=f"S{i}", report_slug="stock-levels", params={}, fmt="pdf",
                    frequency="daily", at_time=dt.time(7), recipients="a@alpha.test",
                    user=users[Role.MANAGER],
                )  # fmt: skip

    add(1)
    with django_assert_max_num_queries(20) as one:
        tenant_client.get("/notifications/schedules/")
    add(20)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert "S19" in tenant_client.get("/notifications/schedules/").content.decode()


def test_send_now_emails_at_once_without_moving_the_schedule(
    tenant, tenant_client, users, sync_jobs
):
    with schema_context(tenant.schema_name):
        item = report_schedule_create(
            name="Aging", report_slug="stock-aging", params={}, fmt="pdf", frequency="daily",
            at_time=dt.time(7), recipients="boss@alpha.test", user=users[Role.MANAGER],
        )  # fmt: skip
    tenant_client.force_login(users[Role.CLERK])
    assert "Send now" in tenant_client.get("/notifications/schedules/").content.decode()
    with sync_jobs():
        response = tenant_client.post(f"/notifications/schedules/{item.pk}/send/")
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["boss@alpha.test"]]
    assert mail.outbox[0].attachments[0][0].endswith(".pdf")
    with schema_context(tenant.schema_name):
        after = ReportSchedule.objects.get()
    assert after.runs == 1 and after.next_run_at == item.next_run_at and after.last_error == ""


def test_delete_confirmation_opens_in_the_shared_modal(tenant, tenant_client, users):
    with schema_context(tenant.schema_name):
        item = report_schedule_create(
            name="M", report_slug="stock-levels", params={}, fmt="pdf", frequency="daily",
            at_time=dt.time(7), recipients="a@alpha.test", user=users[Role.MANAGER],
        )  # fmt: skip
    tenant_client.force_login(users[Role.MANAGER])
    modal = tenant_client.get(
        f"/notifications/schedules/{item.pk}/delete/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'class="modal-header"' in modal and "<html" not in modal
    assert "Delete the schedule" in modal
