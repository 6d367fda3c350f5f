"""Mailchimp (Marketing API 3.0): customers who agreed to marketing → one audience; RFM
segments as tags; unsubscribes come back and clear the consent.

- Connect: OAuth 2.0 (``login.mailchimp.com/oauth2/authorize`` → ``/oauth2/token``); the
  token does not expire. ``/oauth2/metadata`` gives the account's data centre and API
  endpoint (``https://<dc>.api.mailchimp.com``), stored as the connection's base URL. The
  audience is the one chosen (or the account's only/first one). A webhook for unsubscribes is
  created on the audience at ``/hooks/mailchimp/<id>/?key=<secret>``: Mailchimp does not sign
  webhooks, the secret in the URL is the check.
- Audience export (``sync_audience``): each active customer with an email and marketing consent
  is upserted with ``PUT /lists/{id}/members/{md5(lowercase email)}`` (``status_if_new:
  subscribed``: someone who unsubscribed in Mailchimp stays unsubscribed), then its tags set
  with ``POST …/tags`` (its RFM segment active, the others inactive). A customer whose consent
  was withdrawn here is set ``unsubscribed``. What was sent is fingerprinted in the id map, so
  a re-run sends nothing that did not change and a run that died resumes without duplicates.
- Unsubscribes: the ``unsubscribe`` webhook (and ``sync_unsubscribes``, polling
  ``members?status=unsubscribed&since_last_changed=…`` for missed deliveries) clear the
  customer's consent through the customers service.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from urllib.parse import parse_qsl

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.core.errors import DomainError
from apps.integrations import ids
from apps.integrations.errors import ApiError, BadSignature, IntegrationError
from apps.integrations.http_client import ApiClient
from apps.integrations.models import Connection, InboxEvent, Provider
from apps.integrations.providers.oauth_common import authorize_url, callback_check, oauth_state
from apps.integrations.services import (
    connection_create,
    connection_settings_save,
    credentials_of,
    sync_state_set,
)

TAG_PREFIX = "RFM: "
PAGE_SIZE = 500

__all__ = ["oauth_state", "oauth_authorize_url", "oauth_callback_code"]


def _login_base() -> str:
    return getattr(settings, "INTEGRATIONS_MAILCHIMP_LOGIN_BASE", "https://login.mailchimp.com")


def subscriber_hash(email: str) -> str:
    """Mailchimp's member id: the MD5 of the lowercased address."""
    return hashlib.md5(email.strip().lower().encode(), usedforsecurity=False).hexdigest()


# --- connect -------------------------------------------------------------------------------


def oauth_authorize_url(*, redirect_uri: str, state: str) -> str:
    return authorize_url(
        f"{_login_base()}/oauth2/authorize",
        client_id=getattr(settings, "MAILCHIMP_CLIENT_ID", ""),
        redirect_uri=redirect_uri,
        state=state,
    )


def oauth_callback_code(params: dict[str, str], *, expected_state: str | None) -> str:
    return callback_check(params, expected_state=expected_state, provider="Mailchimp")


def _api(connection: Connection) -> ApiClient:
    token = credentials_of(connection).get("access_token", "")
    return ApiClient(
        base_url=f"{connection.base_url}/3.0",
        headers={"Authorization": f"Bearer {token}"},
        label="Mailchimp",
    )


def connection_connect(
    *, code: str, redirect_uri: str, name: str = "", list_id: str = "", hook_base: str
) -> Connection:
    with ApiClient(base_url=_login_base(), label="Mailchimp") as login:
        token = login.post(
            "/oauth2/token",
            data={
                "grant_type": "authorization_code",
                "client_id": getattr(settings, "MAILCHIMP_CLIENT_ID", ""),
                "client_secret": getattr(settings, "MAILCHIMP_CLIENT_SECRET", ""),
                "redirect_uri": redirect_uri,
                "code": code,
            },
        ).json()
        access = token.get("access_token")
        if not access:
            raise IntegrationError("Mailchimp sent no access token. Connect again.")
        meta = login.get("/oauth2/metadata", headers={"Authorization": f"OAuth {access}"}).json()
    endpoint = (meta.get("api_endpoint") or "").rstrip("/")
    if not endpoint:
        raise IntegrationError("Mailchimp did not say which data centre holds the account.")
    secret = secrets.token_urlsafe(24)
    with transaction.atomic():
        connection = connection_create(
            provider=Provider.MAILCHIMP,
            name=name or meta.get("accountname") or "Mailchimp",
            base_url=endpoint,
            credentials={"access_token": access, "webhook_secret": secret},
            settings={"dc": meta.get("dc", "")},
        )
        with _api(connection) as api:
            lists = api.get("/lists", params={"count": 100, "fields": "lists.id,lists.name"})
            audiences = lists.json().get("lists") or []
            chosen = next((a for a in audiences if a["id"] == list_id), None) if list_id else None
            if chosen is None and list_id:
                raise IntegrationError(f"This account has no audience {list_id}.", field="list_id")
            chosen = chosen or (audiences[0] if audiences else None)
            if chosen is None:
                raise IntegrationError("Create an audience in Mailchimp first, then connect.")
            hook = api.post(
                f"/lists/{chosen['id']}/webhooks",
                json={
                    "url": f"{hook_base.rstrip('/')}/{connection.pk}/?key={secret}",
                    "events": {"unsubscribe": True, "cleaned": True},
                    "sources": {"user": True, "admin": True, "api": False},
                },
            ).json()
        connection_settings_save(
            connection=connection,
            settings={
                "list_id": chosen["id"],
                "list_name": chosen.get("name", ""),
                "webhook_id": hook.get("id", ""),
            },
        )
    return connection


# --- audience sync -------------------------------------------------------------------------


def _segments() -> dict:
    from apps.sales.customers.orders import rfm_segments

    return rfm_segments()


def _tags(segment: str | None) -> list[dict]:
    from apps.sales.customers.rfm import SEGMENTS

    return [
        {"name": TAG_PREFIX + label, "status": "active" if code == segment else "inactive"}
        for code, (label, _) in SEGMENTS.items()
    ]


def _fingerprint(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:20]


def sync_audience(connection: Connection, recorder) -> str:
    from apps.sales.customers.rfm import NO_ORDERS
    from apps.sales.models import Customer

    list_id = connection.settings["list_id"]
    segments = _segments()
    mapped = {
        row.local_id: row for row in connection.ids.filter(entity="member").order_by("local_id")
    }
    consenting = list(
        Customer.objects.filter(is_active=True, marketing_consent=True, erased_at__isnull=True)
        .exclude(email="")
        .order_by("pk")
    )
    withdrawn = list(
        Customer.objects.filter(pk__in=list(mapped))
        .exclude(pk__in=[c.pk for c in consenting])
        .order_by("pk")
    )
    total = len(consenting) + len(withdrawn) or 1
    done = 0
    with _api(connection) as api:
        for customer in consenting:
            score = segments.get(customer.pk)
            segment = score.segment if score else NO_ORDERS
            first, _, last = customer.name.partition(" ")
            member = {
                "email_address": customer.email,
                "status_if_new": "subscribed",
                "merge_fields": {"FNAME": first, "LNAME": last},
            }
            tags = _tags(segment)
            digest = subscriber_hash(customer.email)
            fingerprint = _fingerprint(member, segment)
            known = mapped.get(customer.pk)
            if known and known.data.get("fingerprint") == fingerprint:
                recorder.count("skipped")
            else:
                try:
                    if known and known.external_id != digest:  # the email changed
                        api.put(
                            f"/lists/{list_id}/members/{known.external_id}",
                            json={
                                "email_address": known.data.get("email", ""),
                                "status": "unsubscribed",
                            },
                        )
                    api.put(f"/lists/{list_id}/members/{digest}", json=member)
                    api.post(f"/lists/{list_id}/members/{digest}/tags", json={"tags": tags})
                except ApiError as exc:
                    if exc.status is None or exc.status == 429:
                        raise  # the API is down: the run fails and the retry resumes here
                    recorder.fail(f"{customer.name} <{customer.email}>", exc.message)
                    continue
                ids.link(
                    connection,
                    "member",
                    local_id=customer.pk,
                    external_id=digest,
                    data={"fingerprint": fingerprint, "email": customer.email, "segment": segment},
                )
                recorder.count("updated" if known else "created")
            done += 1
            if done % 50 == 0:
                recorder.progress(int(done * 100 / total), f"{done} of {total} customers")
        for customer in withdrawn:
            known = mapped[customer.pk]
            if known.data.get("fingerprint") == "unsubscribed":
                recorder.count("skipped")
                continue
            api.put(
                f"/lists/{list_id}/members/{known.external_id}",
                json={
                    "email_address": known.data.get("email", customer.email),
                    "status": "unsubscribed",
                },
            )
            ids.link(
                connection,
                "member",
                local_id=customer.pk,
                external_id=known.external_id,
                data={**known.data, "fingerprint": "unsubscribed"},
            )
            recorder.count("updated")
    sync_state_set(connection=connection, entity="audience", last_sync=timezone.now().isoformat())
    return f"{len(consenting)} customer(s) with consent in the audience"


# --- unsubscribes back ---------------------------------------------------------------------


def consent_clear(connection: Connection, *, email: str, reason: str) -> str:
    """Clear marketing consent of the customer(s) with this address (through the service)."""
    from apps.sales.customers.services import CustomerData, customer_update
    from apps.sales.models import Customer

    row = ids.local_for(connection, "member", subscriber_hash(email))
    customers = list(
        Customer.objects.filter(pk=row.local_id)
        if row
        else Customer.objects.filter(email__iexact=email.strip())
    )
    changed = 0
    for customer in customers:
        if customer.marketing_consent and customer.erased_at is None:
            data = CustomerData(
                **{
                    f: getattr(customer, f)
                    for f in (
                        "name", "kind", "email", "phone", "tax_id", "price_tier", "currency",
                        "payment_terms_days", "preferred_warehouse", "notes", "tags",
                    )
                },
                marketing_consent=False,
            )  # fmt: skip
            try:
                customer_update(customer=customer, data=data)
            except DomainError as exc:
                raise IntegrationError(
                    f"Could not clear the consent of {customer.name}: {exc.message}"
                ) from exc
            changed += 1
        if row:
            ids.link(
                connection,
                "member",
                local_id=customer.pk,
                external_id=row.external_id,
                data={**row.data, "fingerprint": "unsubscribed"},
            )
    return f"{reason}: consent cleared for {changed} customer(s)"


def webhook_verify(connection: Connection, request) -> tuple[str, str]:
    secret = credentials_of(connection).get("webhook_secret", "")
    if not secret or not hmac.compare_digest(request.GET.get("key", ""), secret):
        raise BadSignature("missing or wrong key in the Mailchimp webhook URL")
    form = dict(parse_qsl(request.body.decode("utf-8", errors="replace")))
    kind = form.get("type", "")
    who = form.get("data[id]") or subscriber_hash(form.get("data[email]", ""))
    return (f"{kind}:{who}:{form.get('fired_at', '')}" if kind else ""), kind or "unknown"


def webhook_handle(connection: Connection, event: InboxEvent, recorder) -> str:
    form = dict(parse_qsl(event.body))
    if event.topic not in ("unsubscribe", "cleaned"):
        return "ignored"
    if form.get("data[list_id]") and form["data[list_id]"] != connection.settings.get("list_id"):
        return "ignored"
    email = form.get("data[email]", "")
    if not email:
        raise IntegrationError("The Mailchimp webhook had no email address.")
    result = consent_clear(
        connection,
        email=email,
        reason="Unsubscribed in Mailchimp" if event.topic == "unsubscribe" else "Address cleaned",
    )
    if not result.endswith(" 0 customer(s)"):
        recorder.count("updated")
    return result


def sync_unsubscribes(connection: Connection, recorder) -> str:
    """Polling for unsubscribes the webhook missed (changed since the last poll)."""
    list_id = connection.settings["list_id"]
    state = connection.sync_state.get("unsubscribes") or {}
    since = state.get("since")
    started = timezone.now()
    offset = int(state.get("offset") or 0)
    with _api(connection) as api:
        while True:
            params = {"status": "unsubscribed", "count": PAGE_SIZE, "offset": offset}
            if since:
                params["since_last_changed"] = since
            page = api.get(f"/lists/{list_id}/members", params=params).json()
            members = page.get("members") or []
            for member in members:
                result = consent_clear(
                    connection, email=member["email_address"], reason="Unsubscribed in Mailchimp"
                )
                recorder.count("skipped" if result.endswith(" 0 customer(s)") else "updated")
            offset += len(members)
            sync_state_set(connection=connection, entity="unsubscribes", offset=offset)
            if not members or offset >= int(page.get("total_items") or 0):
                break
    sync_state_set(
        connection=connection,
        entity="unsubscribes",
        since=(started - dt.timedelta(minutes=1)).isoformat(),
        offset=0,
        last_sync=started.isoformat(),
    )
    return "unsubscribes checked"


def polling_due() -> int:
    """Hourly per company: the audience export and the unsubscribe poll of each connected
    Mailchimp account (consent changes and RFM segments move without a webhook)."""
    from apps.integrations.sync import sync_run_start

    started = 0
    for connection in Connection.objects.filter(
        provider=Provider.MAILCHIMP, status__in=("connected", "error")
    ):
        for entity in ("unsubscribes", "audience"):
            try:
                sync_run_start(connection=connection, entity=entity, trigger="schedule")
                started += 1
            except IntegrationError:
                pass
    return started
