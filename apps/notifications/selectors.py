from __future__ import annotations

from django.db.models import QuerySet

from apps.accounts.models import User
from apps.notifications.models import Notification


def inbox(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, in_app=True)


def unread_count(user: User) -> int:
    return inbox(user).filter(read_at__isnull=True).count()
