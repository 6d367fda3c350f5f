"""One-time sign-in links that carry a new owner from the public site to their subdomain.

Sessions live in each company's schema, so a session made on the public site
means nothing on ``acme.localhost``. The link is signed, expires after two
minutes, names the schema and user, and its nonce can be used once.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse

from apps.tenants.models import HandoffNonce, Tenant

SALT = "stockroom.tenants.handoff"
MAX_AGE_SECONDS = 120


class HandoffInvalid(Exception):
    pass


def handoff_url(*, tenant: Tenant, user_id: int) -> str:
    token = signing.dumps(
        {"s": tenant.schema_name, "u": user_id, "n": secrets.token_urlsafe(16)},
        salt=SALT,
        compress=True,
    )
    return tenant.site_url(
        reverse("tenant_handoff", kwargs={"token": token}, urlconf=settings.ROOT_URLCONF)
    )


def handoff_redeem(*, token: str, schema_name: str) -> int:
    """Return the user id the token signs in, or raise HandoffInvalid. Uses the token up."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.SignatureExpired as exc:
        raise HandoffInvalid(
            "This sign-in link has expired. Sign in with your email and password."
        ) from exc
    except signing.BadSignature as exc:
        raise HandoffInvalid("This sign-in link is not valid.") from exc
    if data.get("s") != schema_name:
        raise HandoffInvalid("This sign-in link is for another company.")
    try:
        with transaction.atomic():
            HandoffNonce.objects.create(nonce=data["n"])
    except IntegrityError as exc:
        raise HandoffInvalid(
            "This sign-in link was already used. Sign in with your email and password."
        ) from exc
    return int(data["u"])
