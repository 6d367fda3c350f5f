"""API keys: created with the raw key shown once, stored as a SHA-256 hash, revoked or rotated."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import ApiKey, User
from apps.accounts.services.errors import AccountError

KEY_PREFIX = "srk_"


def _now() -> dt.datetime:
    return timezone.now()


def api_key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _valid_scopes(scopes: list[str]) -> list[str]:
    allowed = {f"{area}:{mode}" for area in ApiKey.AREAS for mode in ("read", "write")}
    unknown = sorted(set(scopes) - allowed)
    if unknown:
        raise AccountError(f"Unknown scope: {', '.join(unknown)}.", field="scopes")
    if not scopes:
        raise AccountError("Choose at least one scope.", field="scopes")
    return sorted(set(scopes))


def api_key_create(
    *, name: str, scopes: list[str], created_by: User, expires_at: dt.datetime | None = None
) -> tuple[ApiKey, str]:
    """Returns the key and its raw value; the raw value cannot be shown again."""
    name = name.strip()
    if not name:
        raise AccountError("Give the key a name, so you know later what uses it.", field="name")
    if expires_at is not None and expires_at <= _now():
        raise AccountError("The expiry date must be in the future.", field="expires_at")
    prefix = secrets.token_hex(4)
    raw = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        name=name[:100],
        prefix=prefix,
        key_hash=api_key_hash(raw),
        scopes=_valid_scopes(scopes),
        created_by=created_by,
        expires_at=expires_at,
    )
    return key, raw


def api_key_for_raw(raw: str) -> ApiKey | None:
    """The usable key with this raw value, or None (unknown, revoked, expired, owner gone)."""
    if not raw.startswith(KEY_PREFIX):
        return None
    key = ApiKey.objects.select_related("created_by").filter(key_hash=api_key_hash(raw)).first()
    if key is None or not key.is_usable(_now()):
        return None
    return key


def api_key_touch(*, key: ApiKey) -> None:
    """Record use, at most once a minute per key (no write on every request)."""
    now = _now()
    if key.last_used_at is None or now - key.last_used_at > dt.timedelta(minutes=1):
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now


def api_key_revoke(*, key: ApiKey) -> None:
    if key.revoked_at is None:
        key.revoked_at = _now()
        key.save(update_fields=["revoked_at"])


def api_key_rotate(*, key: ApiKey, by: User) -> tuple[ApiKey, str]:
    """A new key with the same name, scopes and expiry; the old one stops working now."""
    if key.revoked_at is not None:
        raise AccountError("This key is revoked; create a new one instead.")
    with transaction.atomic():
        api_key_revoke(key=key)
        return api_key_create(
            name=key.name, scopes=key.scopes, created_by=by, expires_at=key.expires_at
        )
