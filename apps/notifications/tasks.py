"""Email deliveries of notifications: due ones every few minutes, digests once a day."""

from __future__ import annotations

import logging

from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.template.loader import render_to_string

from apps.notifications.models import Notification, NotificationSettings
from apps.notifications.services import _now

logger = logging.getLogger(__name__)
BATCH = 200


def _company():
    from apps.tenants.models import Tenant

    return Tenant.objects.filter(schema_name=connection.schema_name).first()


def _send(*, to: str, subject: str, template: str, context: dict) -> None:
    text = render_to_string(f"notifications/email/{template}.txt", context)
    html = render_to_string(f"notifications/email/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()


def emails_send_due() -> int:
    """Email every pending notification whose time has come. Rows are claimed with
    SKIP LOCKED, so two workers never send the same one."""
    company, sent = _company(), 0
    while True:
        with transaction.atomic():
            batch = list(
                Notification.objects.select_for_update(skip_locked=True)
                .select_related("recipient")
                .filter(email=Notification.Email.PENDING, email_due_at__lte=_now())
                .order_by("email_due_at", "pk")[:BATCH]
            )
            if not batch:
                return sent
            for notification in batch:
                try:
                    _send(
                        to=notification.recipient.email,
                        subject=notification.title,
                        template="notification",
                        context={"company": company, "n": notification},
                    )
                except Exception:  # a bad address must not stop the others
                    logger.exception("Notification email %s failed", notification.pk)
                    notification.email = Notification.Email.FAILED
                else:
                    notification.email = Notification.Email.SENT
                    notification.emailed_at = _now()
                    sent += 1
            Notification.objects.bulk_update(batch, ["email", "emailed_at"])


def digests_send() -> int:
    """One email per digest person with what collected since their last digest."""
    company, sent = _company(), 0
    people = NotificationSettings.objects.filter(daily_digest=True).select_related("user")
    for prefs in people:
        with transaction.atomic():
            items = list(
                Notification.objects.select_for_update(skip_locked=True).filter(
                    recipient=prefs.user, email=Notification.Email.DIGEST
                )
            )
            if not items or not prefs.user.is_active:
                continue
            _send(
                to=prefs.user.email,
                subject=f"{company.name if company else 'Stockroom'}: {len(items)} notifications today",
                template="digest",
                context={"company": company, "items": items},
            )
            now = _now()
            Notification.objects.filter(pk__in=[n.pk for n in items]).update(
                email=Notification.Email.SENT, emailed_at=now
            )
            prefs.last_digest_at = now
            prefs.save(update_fields=["last_digest_at"])
            sent += 1
    return sent
