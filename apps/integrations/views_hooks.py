"""Inbound webhooks at /hooks/<provider>/<connection-id>/ on the company's subdomain.

Signature first (nothing of the body is read before it checks out), then store raw and queue
the processing: answered within one INSERT, so providers never time out and retry.
"""

from __future__ import annotations

import logging

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from apps.integrations.errors import BadSignature
from apps.integrations.inbox import inbox_receive
from apps.integrations.models import Connection
from apps.integrations.providers import provider_module

logger = logging.getLogger(__name__)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def receive(request, provider: str, connection_id: int):
    connection = (
        Connection.objects.filter(pk=connection_id, provider=provider)
        .exclude(status=Connection.Status.DISCONNECTED)
        .first()
    )
    if connection is None:
        return JsonResponse({"error": "unknown connection"}, status=404)
    if request.method == "GET":  # Mailchimp checks the URL answers a GET before saving a webhook
        return JsonResponse({"ok": True}, status=200 if provider == "mailchimp" else 405)
    module = provider_module(provider)
    try:
        event_id, topic = module.webhook_verify(connection, request)
    except BadSignature as exc:
        logger.warning("Rejected %s webhook for connection %s: %s", provider, connection.pk, exc)
        return JsonResponse({"error": "invalid signature"}, status=401)
    if topic == "ping":  # WooCommerce checks the URL answers when a webhook is created
        return JsonResponse({"ok": True})
    if not event_id:
        return JsonResponse({"error": "missing delivery id"}, status=400)
    _, created = inbox_receive(
        connection=connection,
        event_id=event_id,
        topic=topic,
        headers=request.headers,
        body=request.body,
    )
    # A replay is acknowledged (so the provider stops retrying) and ignored.
    return JsonResponse({"ok": True, "duplicate": not created})
