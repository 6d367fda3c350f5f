"""Twilio SMS: text messages as a company-wide notification channel, with delivery status.

Connect with the Account SID and auth token (checked with ``GET /2010-04-01/Accounts/{Sid}.json``),
the sending number (or Messaging Service SID) and the numbers to text. Each notification is a
job per connection: ``POST /2010-04-01/Accounts/{Sid}/Messages.json`` (form-encoded, HTTP basic
auth) per recipient, with a ``StatusCallback`` to ``/hooks/twilio/<id>/``. Status callbacks are
verified with ``X-Twilio-Signature`` (base64 HMAC-SHA1, keyed with the auth token, of the full
URL followed by each POST parameter's name and value, sorted by name) before anything is read;
the delivery id is ``MessageSid:MessageStatus`` so a replayed callback changes nothing.
A message Twilio reports ``failed`` or ``undelivered`` shows in the sync log with its error code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from urllib.parse import parse_qsl

from django.conf import settings
from django.db import transaction

from apps.core.jobs import job_enqueue
from apps.integrations.errors import ApiError, BadSignature, IntegrationError
from apps.integrations.http_client import ApiClient
from apps.integrations.models import Connection, InboxEvent, Provider
from apps.integrations.providers.notify_common import connections_for, plain_text
from apps.integrations.services import connection_create, connection_error, credentials_of

SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
PHONE = re.compile(r"^\+[1-9]\d{6,14}$")  # E.164
SMS_LIMIT = 1600  # Twilio's limit for one message body
API_VERSION = "2010-04-01"


def _base() -> str:
    return getattr(settings, "INTEGRATIONS_TWILIO_API_BASE", "https://api.twilio.com")


def _client(account_sid: str, auth_token: str) -> ApiClient:
    return ApiClient(base_url=_base(), auth=(account_sid, auth_token), label="Twilio")


def numbers_clean(value: str | list[str], *, field: str = "to_numbers") -> list[str]:
    items = value if isinstance(value, list) else re.split(r"[,;\n]+", value or "")
    numbers = []
    for raw in items:
        number = re.sub(r"[()\-.\s]", "", raw)
        if not number:
            continue
        if not PHONE.match(number):
            raise IntegrationError(
                f"{raw} is not a phone number in international form, e.g. +14155550123.",
                field=field,
            )
        numbers.append(number)
    if not numbers:
        raise IntegrationError("Enter at least one phone number to text.", field=field)
    return numbers


def connection_connect(
    *,
    name: str,
    account_sid: str,
    auth_token: str,
    sender: str,
    to_numbers: str | list[str],
    kinds: list[str] | None = None,
) -> Connection:
    account_sid, auth_token, sender = (
        (account_sid or "").strip(),
        (auth_token or "").strip(),
        (sender or "").strip(),
    )
    if not SID.match(account_sid):
        raise IntegrationError(
            "The Account SID starts with AC followed by 32 letters and digits "
            "(Twilio console, Account info).",
            field="account_sid",
        )
    if not auth_token:
        raise IntegrationError("Enter the auth token.", field="auth_token")
    if not sender.startswith("MG"):
        sender = numbers_clean([sender], field="sender")[0]
    recipients = numbers_clean(to_numbers)
    with _client(account_sid, auth_token) as client:
        account = client.get(f"/{API_VERSION}/Accounts/{account_sid}.json").json()
    if account.get("status") not in (None, "active"):
        raise IntegrationError(f"This Twilio account is {account['status']}.")
    with transaction.atomic():
        return connection_create(
            provider=Provider.TWILIO,
            name=name or "SMS",
            credentials={"account_sid": account_sid, "auth_token": auth_token},
            settings={"sender": sender, "to_numbers": recipients, "kinds": list(kinds or [])},
        )


def notify(message) -> int:
    """The notification channel: one queued job per Twilio connection taking this kind."""
    targets = connections_for(Provider.TWILIO, message.kind)
    text = plain_text(message, limit=SMS_LIMIT)
    for connection in targets:
        job_enqueue(
            "apps.integrations.providers.twilio.sms_send",
            connection.pk,
            text,
            label=f"SMS: {message.title}"[:100],
        )
    return len(targets)


def callback_url(connection: Connection) -> str:
    from apps.integrations.providers.notify_common import absolute

    return absolute(f"/hooks/twilio/{connection.pk}/")


def sms_send(connection_id: int, text: str) -> str:
    """The job: text every recipient of the connection; returns the message SIDs."""
    connection = Connection.objects.filter(pk=connection_id).first()
    if connection is None or connection.status != Connection.Status.CONNECTED:
        return "skipped: not connected"
    creds = credentials_of(connection)
    sender = connection.settings["sender"]
    sids = []
    with _client(creds["account_sid"], creds["auth_token"]) as client:
        for to in connection.settings.get("to_numbers") or []:
            form = {"To": to, "Body": text, "StatusCallback": callback_url(connection)}
            form["MessagingServiceSid" if sender.startswith("MG") else "From"] = sender
            try:
                response = client.post(
                    f"/{API_VERSION}/Accounts/{creds['account_sid']}/Messages.json", data=form
                )
            except ApiError as exc:
                if exc.status in (401, 403):
                    connection_error(connection=connection, message=exc.message)
                    return f"failed: {exc.message}"
                sids.append(f"{to[-4:]}: {exc.message}")  # a bad number must not stop the rest
                continue
            sids.append(response.json().get("sid", ""))
    return "sent " + ", ".join(sids)


# --- status callbacks --------------------------------------------------------------------


def signature(*, auth_token: str, url: str, params: dict[str, str]) -> str:
    data = url + "".join(f"{k}{params[k]}" for k in sorted(params))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def webhook_verify(connection: Connection, request) -> tuple[str, str]:
    header = request.headers.get("X-Twilio-Signature")
    token = credentials_of(connection).get("auth_token", "")
    if not header or not token:
        raise BadSignature("missing X-Twilio-Signature")
    params = dict(parse_qsl(request.body.decode("utf-8", errors="replace"), keep_blank_values=True))
    expected = signature(auth_token=token, url=request.build_absolute_uri(), params=params)
    if not hmac.compare_digest(expected, header.strip()):
        raise BadSignature("X-Twilio-Signature does not match")
    sid, status = params.get("MessageSid", ""), params.get("MessageStatus", "")
    return (f"{sid}:{status}" if sid else ""), f"sms.{status or 'unknown'}"


def webhook_handle(connection: Connection, event: InboxEvent, recorder) -> str:
    params = dict(parse_qsl(event.body, keep_blank_values=True))
    status = params.get("MessageStatus", "")
    to = params.get("To", "")
    who = f"…{to[-4:]}" if to else "?"
    if status in ("failed", "undelivered"):
        code = params.get("ErrorCode", "")
        recorder.fail(
            f"SMS {params.get('MessageSid', '')} to {who}",
            f"Twilio could not deliver the text ({status}"
            + (f", error {code}: https://www.twilio.com/docs/api/errors/{code})" if code else ")"),
        )
        return f"SMS to {who} {status}"
    return f"SMS to {who} {status}" if status else "ignored"
