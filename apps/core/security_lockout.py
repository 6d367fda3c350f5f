"""Account lockout notice: when an address reaches the failed sign-in limit (allauth then refuses
further attempts for the window, see ACCOUNT_RATE_LIMITS "login_failed"), its owner gets an email
saying so — once per window — with where the attempts came from and what to do."""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import connection
from django.dispatch import receiver

from apps.core.security_ratelimit import client_ip

logger = logging.getLogger(__name__)


def _key(email: str) -> str:
    return "lockout:" + hashlib.sha256(email.encode()).hexdigest()[:24]


def failed_login_record(*, email: str, ip: str) -> bool:
    """Count a failed sign-in for ``email``; True (and the user emailed) when it locks."""
    email = email.strip().lower()
    if not email:
        return False
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    key = _key(email)
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window)
        count = 1
    if count != settings.LOGIN_FAILURE_LIMIT:
        return False
    user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        return True  # locked, but nobody to tell (and we do not reveal who has an account)
    minutes = max(1, window // 60)
    tenant = getattr(connection, "tenant", None)
    where = getattr(tenant, "name", "") or "Stockroom"
    send_mail(
        subject=f"{where}: sign-in locked after {count} failed attempts",
        message=(
            f"Hello,\n\nThere were {count} failed attempts to sign in to {where} as {user.email}, "
            f"the last from {ip}. Signing in with this address is paused for {minutes} minutes.\n\n"
            "If this was you, wait and try again (or reset your password). If it was not you, "
            "someone may be guessing your password: once you can sign in, change it and turn on "
            "two-factor authentication.\n"
        ),
        from_email=None,
        recipient_list=[user.email],
        fail_silently=True,
    )
    logger.warning("Sign-in locked for %s in schema %s", user.pk, connection.schema_name)
    return True


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs):
    email = credentials.get("email") or credentials.get("username") or ""
    failed_login_record(email=str(email), ip=client_ip(request) if request else "unknown")
