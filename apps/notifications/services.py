"""Sending notifications and marking them read. Email goes out from the job worker."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.notifications.kinds import kind_get
from apps.notifications.models import Notification, NotificationPreference, NotificationSettings


def _now() -> dt.datetime:
    return timezone.now()


def _company_zone() -> ZoneInfo:
    tenant = getattr(connection, "tenant", None)
    try:
        return ZoneInfo(getattr(tenant, "time_zone", None) or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def email_due_at(
    prefs: NotificationSettings | None, now: dt.datetime, zone: ZoneInfo
) -> dt.datetime:
    """Now, or when the person's quiet hours end (in the company's time zone)."""
    if prefs is None:
        return now
    local = now.astimezone(zone)
    if not prefs.in_quiet_hours(local.time()):
        return now
    end = local.replace(
        hour=prefs.quiet_until.hour, minute=prefs.quiet_until.minute, second=0, microsecond=0
    )
    if end <= local:
        end += dt.timedelta(days=1)
    # Rebuild through the zone so a DST change inside the quiet hours lands on the wall time.
    end = dt.datetime.combine(end.date(), end.time(), tzinfo=zone)
    return end.astimezone(dt.UTC)


def notification_send(
    *,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    users: Iterable[User] | None = None,
    dedupe_key: str = "",
    email: bool = True,
) -> list[Notification]:
    """Notify ``users`` (default: active people whose role receives ``kind``).

    With a ``dedupe_key`` each person gets it once (the same low-stock condition does not
    notify again every day). Preferences decide in-app and email; quiet hours delay email;
    digest people get it in tomorrow's digest. ``email=False`` when the caller sends its own
    email (the notification is then in-app only). Returns the notifications created.
    """
    spec = kind_get(kind)
    if users is None:
        users = User.objects.filter(is_active=True, role__in=spec.roles)
    recipients = {user.pk: user for user in users if user.is_active}
    if not recipients:
        return []
    prefs = {
        p.user_id: p
        for p in NotificationPreference.objects.filter(user_id__in=recipients, kind=kind)
    }
    person_settings = {
        s.user_id: s for s in NotificationSettings.objects.filter(user_id__in=recipients)
    }
    already = set()
    if dedupe_key:
        already = set(
            Notification.objects.filter(
                recipient_id__in=recipients, dedupe_key=dedupe_key
            ).values_list("recipient_id", flat=True)
        )
    now, zone = _now(), _company_zone()
    rows = []
    for user_id in sorted(set(recipients) - already):
        pref = prefs.get(user_id)
        in_app = pref.in_app if pref else True
        wants_email = email and (pref.email if pref else True) and bool(recipients[user_id].email)
        if not (in_app or wants_email):
            continue
        settings_ = person_settings.get(user_id)
        if not wants_email:
            delivery, due = Notification.Email.NONE, None
        elif settings_ and settings_.daily_digest:
            delivery, due = Notification.Email.DIGEST, None
        else:
            delivery, due = Notification.Email.PENDING, email_due_at(settings_, now, zone)
        rows.append(
            Notification(
                recipient_id=user_id,
                kind=kind,
                title=title[:200],
                body=body,
                url=url[:500],
                dedupe_key=dedupe_key[:200],
                in_app=in_app,
                email=delivery,
                email_due_at=due,
            )
        )
    with transaction.atomic():
        # A concurrent sender with the same key: the unique constraint keeps one.
        created = Notification.objects.bulk_create(rows, ignore_conflicts=bool(dedupe_key))
        if any(n.email == Notification.Email.PENDING and n.email_due_at <= now for n in rows):
            from apps.core.jobs import job_enqueue

            job_enqueue(
                "apps.notifications.tasks.emails_send_due", label="Send notification emails"
            )
    return created


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the person's notifications read (all unread ones when ``ids`` is None)."""
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=_now())


def notification_preferences_save(
    *,
    user: User,
    choices: dict[str, tuple[bool, bool]],
    daily_digest: bool,
    quiet_from: dt.time | None,
    quiet_until: dt.time | None,
) -> None:
    """``choices``: kind -> (in_app, email)."""
    with transaction.atomic():
        for kind, (in_app, email) in choices.items():
            kind_get(kind)
            NotificationPreference.objects.update_or_create(
                user=user, kind=kind, defaults={"in_app": in_app, "email": email}
            )
        NotificationSettings.objects.update_or_create(
            user=user,
            defaults={
                "daily_digest": daily_digest,
                "quiet_from": quiet_from,
                "quiet_until": quiet_until,
            },
        )
