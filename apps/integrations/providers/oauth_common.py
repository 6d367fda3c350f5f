"""OAuth 2.0 authorization-code pieces shared by Mailchimp and QuickBooks: the state nonce
(kept in the session by the view, compared in constant time) and the authorize URL."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlencode

from apps.integrations.errors import IntegrationError


def oauth_state() -> str:
    return secrets.token_urlsafe(24)


def authorize_url(base: str, **params: str) -> str:
    return f"{base}?{urlencode({'response_type': 'code', **params})}"


def callback_check(params: dict[str, str], *, expected_state: str | None, provider: str) -> str:
    """The ``code`` of a callback whose ``state`` is the one we sent; else a clear refusal."""
    if params.get("error"):
        raise IntegrationError(f"{provider} did not grant access ({params['error']}).")
    if not expected_state or not hmac.compare_digest(params.get("state", ""), expected_state):
        raise IntegrationError(
            f"This {provider} authorization does not match the one we started "
            "(it expired or was opened twice). Connect again."
        )
    code = params.get("code", "")
    if not code:
        raise IntegrationError(f"{provider} sent no authorization code. Connect again.")
    return code
