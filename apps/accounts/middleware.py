"""Ends a session after a period without requests (SESSION_IDLE_TIMEOUT_SECONDS)."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout

_KEY = "last_seen"


def _now() -> int:
    """Seconds since the epoch; a seam so tests can move the clock."""
    return int(time.time())


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = _now()
            last_seen = request.session.get(_KEY)
            if last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT_SECONDS:
                logout(request)
                hours = settings.SESSION_IDLE_TIMEOUT_SECONDS / 3600
                messages.info(
                    request,
                    f"You were signed out after {hours:g} hours without activity. Please sign in again.",
                )
            # Write at most once a minute so every request does not save the session.
            elif last_seen is None or now - last_seen >= 60:
                request.session[_KEY] = now
        return self.get_response(request)


# Pages a person without two-factor may still open: setting it up, signing out, assets.
_MFA_EXEMPT = ("/accounts/", "/static/", "/media/", "/healthz", "/jobs/")


class RequireMFAMiddleware:
    """When the company requires two-factor authentication, send people without it to set it up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        if (
            tenant is not None
            and tenant.schema_name != "public"
            and tenant.require_mfa
            and request.user.is_authenticated
            and not request.path.startswith(_MFA_EXEMPT)
        ):
            from allauth.mfa.models import Authenticator
            from django.contrib import messages
            from django.shortcuts import redirect

            if not Authenticator.objects.filter(
                user=request.user, type=Authenticator.Type.TOTP
            ).exists():
                messages.warning(
                    request,
                    f"{tenant.name} requires two-factor authentication. Set it up to continue.",
                )
                return redirect("mfa_activate_totp")
        return self.get_response(request)
