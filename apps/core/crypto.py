"""Encryption of secrets at rest (TOTP seeds now, integration credentials later).

Fernet (AES-128-CBC + HMAC-SHA256) with a key derived from FIELD_ENCRYPTION_KEY;
several comma-separated keys may be given, the first encrypts and all decrypt,
so keys can be rotated. Development falls back to a key derived from SECRET_KEY.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

PREFIX = "enc1:"


def _derive(secret: str) -> Fernet:
    digest = hashlib.sha256(("stockroom-field-encryption:" + secret).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


@lru_cache(maxsize=4)
def _fernet(keys: str) -> MultiFernet:
    return MultiFernet([_derive(k.strip()) for k in keys.split(",") if k.strip()])


def _keys() -> str:
    return settings.FIELD_ENCRYPTION_KEY or settings.SECRET_KEY


def encrypt(text: str) -> str:
    return PREFIX + _fernet(_keys()).encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt what ``encrypt`` produced; a value stored before encryption is returned as is."""
    if not token.startswith(PREFIX):
        return token
    try:
        return _fernet(_keys()).decrypt(token[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ValueError(
            "Cannot decrypt: the encryption key has changed or the value is damaged."
        ) from exc
