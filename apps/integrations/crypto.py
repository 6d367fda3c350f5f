"""Encryption of integration credentials at rest.

A ``MultiFernet`` over ``settings.INTEGRATIONS_FERNET_KEYS`` (newest first): the first key
encrypts, every key decrypts, so rotating is "put the new key in front, re-encrypt, drop the
old one" (``credentials_reencrypt``). Without keys, development derives one from SECRET_KEY.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _key(raw: str) -> Fernet:
    try:
        return Fernet(raw.encode())
    except ValueError:  # not a Fernet key: derive one (lets operators use any long secret)
        digest = hashlib.sha256(("stockroom-integrations:" + raw).encode()).digest()
        return Fernet(base64.urlsafe_b64encode(digest))


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([_key(k) for k in keys])


def _current() -> MultiFernet:
    keys = tuple(settings.INTEGRATIONS_FERNET_KEYS) or (settings.SECRET_KEY,)
    return _fernet(keys)


def credentials_encrypt(credentials: dict) -> str:
    return _current().encrypt(json.dumps(credentials, sort_keys=True).encode()).decode()


def credentials_decrypt(token: str) -> dict:
    if not token:
        return {}
    try:
        return json.loads(_current().decrypt(token.encode()))
    except InvalidToken as exc:
        raise ValueError(
            "The saved credentials cannot be read: the encryption key was changed or removed. "
            "Reconnect the integration."
        ) from exc


def credentials_rotate(token: str) -> str:
    """Re-encrypt with the newest key (after a new key was put in front)."""
    return _current().rotate(token.encode()).decode() if token else token
