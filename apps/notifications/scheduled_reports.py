"""Scheduled reports: when each fires (wall-clock time in the company's zone, across DST),
and the job that renders and emails the due ones.

``scheduled_reports_run`` runs every five minutes per company (ensure_schedules). It claims
due schedules with SKIP LOCKED, so two workers never send one twice, and moves each to its
next time *after now*: a worker that was down sends a missed report once, not once per miss.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
import tempfile
from zoneinfo import ZoneInfo

from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from apps.core.errors import DomainError
from apps.notifications.schedule_models import ReportSchedule

logger = logging.getLogger(__name__)
Frequency = ReportSchedule.Frequency
MAX_RECIPIENTS = 20


class ScheduleError(DomainError):
    pass


def _now() -> dt.datetime:
    return timezone.now()


def company():
    from apps.tenants.models import Tenant

    return Tenant.objects.filter(schema_name=connection.schema_name).first()


def company_zone(tenant=None) -> ZoneInfo:
    tenant = tenant or company()
    try:
        return ZoneInfo(getattr(tenant, "time_zone", None) or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def _runs_on(schedule: ReportSchedule, day: dt.date) -> bool:
    if schedule.frequency == Frequency.DAILY:
        return True
    if schedule.frequency == Frequency.WEEKLY:
        return day.weekday() == schedule.weekday
    last = calendar.monthrange(day.year, day.month)[1]
    return day.day == min(schedule.day_of_month or 1, last)


def next_run(schedule: ReportSchedule, *, after: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The first time strictly after ``after`` that the schedule fires, in UTC.

    The time of day is a wall-clock time: 07:00 in Berlin is 06:00 UTC in winter and 05:00
    in summer. A time that does not exist on a spring-forward night (02:30) fires at the
    same instant as the hour after it; an ambiguous one (autumn) fires once, the first time.
    """
    day = after.astimezone(zone).date()
    for _ in range(400):
        if _runs_on(schedule, day):
            local = dt.datetime.combine(day, schedule.at_time, tzinfo=zone)
            when = local.astimezone(dt.UTC)
            if when > after:
                return when
        day += dt.timedelta(days=1)
    raise ScheduleError("This schedule never fires.")  # pragma: no cover - a bad weekday


def recipients_clean(text: str) -> list[str]:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    emails = ReportSchedule(recipients=text).recipient_list()
    if not emails:
        raise ScheduleError("Add at least one email address.", field="recipients")
    if len(emails) > MAX_RECIPIENTS:
        raise ScheduleError(f"At most {MAX_RECIPIENTS} recipients.", field="recipients")
    for email in emails:
        try:
            validate_email(email)
        except ValidationError:
            raise ScheduleError(f"“{email}” is not an email address.", field="recipients") from None
    return emails


def report_schedule_create(
    *,
    name: str,
    report_slug: str,
    params: dict,
    fmt: str,
    frequency: str,
    at_time: dt.time,
    recipients: str,
    weekday: int | None = None,
    day_of_month: int | None = None,
    user=None,
) -> ReportSchedule:
    from apps.reports.params import chosen_text
    from apps.reports.registry import report_get

    report = report_get(report_slug)
    if report is None:
        raise ScheduleError("There is no such report.")
    form = report.form(params)
    if not form.is_valid():
        raise ScheduleError("The report's choices are not valid: " + " ".join(
            str(e) for errors in form.errors.values() for e in errors
        ))  # fmt: skip
    if fmt not in ReportSchedule.Format.values:
        raise ScheduleError("Choose PDF or Excel.", field="fmt")
    if frequency not in Frequency.values:
        raise ScheduleError("Choose how often.", field="frequency")
    if frequency == Frequency.WEEKLY and weekday not in range(7):
        raise ScheduleError("Choose the day of the week.", field="weekday")
    if frequency == Frequency.MONTHLY and day_of_month not in range(1, 32):
        raise ScheduleError("Choose a day of the month between 1 and 31.", field="day_of_month")
    emails = recipients_clean(recipients)
    schedule = ReportSchedule(
        name=(name or report.title)[:120],
        report_slug=report_slug,
        params=params,
        params_text=chosen_text(form, params)[:500],
        fmt=fmt,
        frequency=frequency,
        weekday=weekday if frequency == Frequency.WEEKLY else None,
        day_of_month=day_of_month if frequency == Frequency.MONTHLY else None,
        at_time=at_time,
        recipients="\n".join(emails),
        created_by=user,
    )
    schedule.next_run_at = next_run(schedule, after=_now(), zone=company_zone())
    schedule.save()
    return schedule


def report_schedule_delete(*, schedule: ReportSchedule) -> None:
    schedule.delete()


def _render(schedule: ReportSchedule) -> tuple[bytes, str]:
    from apps.reports.base import Result
    from apps.reports.registry import report_get
    from apps.reports.renderers import files

    report = report_get(schedule.report_slug)
    if report is None:
        raise ScheduleError("The report no longer exists.")
    form = report.form(schedule.params)
    if not form.is_valid():
        raise ScheduleError("The report's saved choices are no longer valid; edit the schedule.")
    result = Result(report, form.cleaned_data)
    with tempfile.TemporaryFile() as spool:
        files.write(result, schedule.fmt, spool, params_text=schedule.params_text)
        spool.seek(0)
        return spool.read(), files.filename(result, schedule.fmt)


def _allowed(schedule: ReportSchedule) -> bool:
    from apps.accounts.permissions import user_can
    from apps.reports.registry import report_get

    author, report = schedule.created_by, report_get(schedule.report_slug)
    return bool(
        author
        and report
        and user_can(author, "reports.export")
        and user_can(author, report.capability)
    )


def report_schedule_send(schedule: ReportSchedule, *, tenant=None) -> None:
    """Render the report and email it to the schedule's recipients (raises on failure)."""
    from apps.reports.renderers.files import CONTENT_TYPES

    if not _allowed(schedule):
        raise ScheduleError(
            "Its author can no longer export this report (deactivated or a different role)."
        )
    tenant = tenant or company()
    content, name = _render(schedule)
    context = {"company": tenant, "schedule": schedule, "generated_at": _now()}
    message = EmailMultiAlternatives(
        subject=f"{tenant.name if tenant else 'Stockroom'}: {schedule.name}",
        body=render_to_string("notifications/email/scheduled_report.txt", context),
        to=schedule.recipient_list(),
    )
    message.attach_alternative(
        render_to_string("notifications/email/scheduled_report.html", context), "text/html"
    )
    message.attach(name, content, CONTENT_TYPES[schedule.fmt])
    message.send()


def scheduled_reports_run() -> int:
    """Send every due schedule of the current company; returns how many were sent."""
    tenant = company()
    zone = company_zone(tenant)
    sent = 0
    while True:
        with transaction.atomic():
            schedule = (
                ReportSchedule.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("created_by")
                .filter(is_active=True, next_run_at__lte=_now())
                .order_by("next_run_at", "pk")
                .first()
            )
            if schedule is None:
                return sent
            now = _now()
            try:
                with timezone.override(zone):  # "last month" means the company's last month
                    report_schedule_send(schedule, tenant=tenant)
            except Exception as exc:  # one bad schedule must not stop the others
                logger.exception("Scheduled report %s failed", schedule.pk)
                message = exc.message if isinstance(exc, DomainError) else str(exc)
                schedule.last_error = (message or exc.__class__.__name__)[:500]
            else:
                schedule.last_error = ""
                schedule.runs += 1
                sent += 1
                logger.info("Scheduled report %s sent to %s", schedule.pk, schedule.recipients)
            schedule.last_run_at = now
            schedule.next_run_at = next_run(schedule, after=now, zone=zone)
            schedule.save(update_fields=["last_run_at", "next_run_at", "last_error", "runs"])


def scheduled_report_send_now(schedule_id: int) -> bool:
    """The "Send now" job: email one schedule at once, without moving its next time."""
    schedule = ReportSchedule.objects.select_related("created_by").filter(pk=schedule_id).first()
    if schedule is None:
        return False
    tenant = company()
    try:
        with timezone.override(company_zone(tenant)):
            report_schedule_send(schedule, tenant=tenant)
    except Exception as exc:
        logger.exception("Scheduled report %s failed (sent now)", schedule.pk)
        message = exc.message if isinstance(exc, DomainError) else str(exc)
        ReportSchedule.objects.filter(pk=schedule.pk).update(
            last_error=(message or exc.__class__.__name__)[:500], last_run_at=_now()
        )
        return False
    ReportSchedule.objects.filter(pk=schedule.pk).update(
        last_error="", last_run_at=_now(), runs=F("runs") + 1
    )
    return True
