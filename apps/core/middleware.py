"""Turns Django messages into toasts on HTMX responses.

A full page renders its messages in the layout; an HTMX partial has nowhere to
put them, so they travel in the ``HX-Trigger`` header as a ``toast`` event that
the layout's script shows.
"""

from __future__ import annotations

import json

from django.contrib import messages


class HtmxMessagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(request, "htmx", False) or 300 <= response.status_code < 400:
            return response
        if "HX-Redirect" in response or "HX-Location" in response or "HX-Refresh" in response:
            return response  # the next full page will show them
        storage = messages.get_messages(request)
        toasts = [{"level": m.level_tag or "info", "text": str(m.message)} for m in storage]
        if not toasts:
            return response
        triggers = {}
        if response.get("HX-Trigger"):
            try:
                triggers = json.loads(response["HX-Trigger"])
            except ValueError:
                triggers = {name.strip(): None for name in response["HX-Trigger"].split(",")}
        triggers["toast"] = toasts
        response["HX-Trigger"] = json.dumps(triggers)
        return response
