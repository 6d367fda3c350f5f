"""Ends a session after a period without requests (SESSION_IDLE_TIMEOUT_SECONDS)."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout

_KEY = "last_seen"


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(_KEY)
            if last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT_SECONDS:
                logout(request)
            # Write at most once a minute so every request does not save the session.
            elif last_seen is None or now - last_seen >= 60:
                request.session[_KEY] = now
        return self.get_response(request)
