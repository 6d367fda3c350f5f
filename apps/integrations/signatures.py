"""Webhook signatures, each provider's documented scheme, checked before the body is read.

Each ``verify_*`` returns nothing or raises ``BadSignature``; comparison is constant-time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from apps.integrations.errors import BadSignature

STRIPE_TOLERANCE_SECONDS = 300


def _b64_hmac(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def verify_shopify(*, secret: str, body: bytes, header: str | None) -> None:
    """``X-Shopify-Hmac-Sha256``: base64 HMAC-SHA256 of the raw body with the app secret."""
    if not secret or not header:
        raise BadSignature("missing X-Shopify-Hmac-Sha256")
    if not hmac.compare_digest(_b64_hmac(secret, body), header.strip()):
        raise BadSignature("X-Shopify-Hmac-Sha256 does not match")


def verify_woocommerce(*, secret: str, body: bytes, header: str | None) -> None:
    """``X-WC-Webhook-Signature``: base64 HMAC-SHA256 of the raw body with the webhook secret."""
    if not secret or not header:
        raise BadSignature("missing X-WC-Webhook-Signature")
    if not hmac.compare_digest(_b64_hmac(secret, body), header.strip()):
        raise BadSignature("X-WC-Webhook-Signature does not match")


def stripe_signature(*, secret: str, body: bytes, timestamp: int) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verify_stripe(
    *,
    secret: str,
    body: bytes,
    header: str | None,
    tolerance: int = STRIPE_TOLERANCE_SECONDS,
    now: float | None = None,
) -> None:
    """``Stripe-Signature: t=…,v1=…[,v1=…]``: hex HMAC-SHA256 of "t.body"; t within tolerance
    (replayed old deliveries are refused even with a valid signature)."""
    if not secret or not header:
        raise BadSignature("missing Stripe-Signature")
    timestamp, candidates = None, []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            timestamp = value
        elif key == "v1":
            candidates.append(value)
    try:
        ts = int(timestamp or "")
    except ValueError:
        raise BadSignature("Stripe-Signature has no timestamp") from None
    if not candidates:
        raise BadSignature("Stripe-Signature has no v1 signature")
    expected = stripe_signature(secret=secret, body=body, timestamp=ts)
    if not any(hmac.compare_digest(expected, c) for c in candidates):
        raise BadSignature("Stripe-Signature does not match")
    if abs((now if now is not None else time.time()) - ts) > tolerance:
        raise BadSignature("Stripe-Signature timestamp outside the tolerance")
