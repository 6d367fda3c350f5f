from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter

from apps.core import crypto


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Companies sign up on the public site; people join a company by invitation.
        return False

    def get_login_redirect_url(self, request) -> str:
        # On the public site the only people who sign in are platform operators.
        tenant = getattr(request, "tenant", None)
        if tenant is not None and tenant.schema_name == "public" and request.user.is_staff:
            from django.urls import reverse

            return reverse("console:home")
        return super().get_login_redirect_url(request)


class MFAAdapter(DefaultMFAAdapter):
    """TOTP seeds and recovery-code seeds are stored encrypted."""

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)

    def get_totp_issuer(self) -> str:
        from django.db import connection

        tenant = getattr(connection, "tenant", None)
        name = (
            getattr(tenant, "name", "")
            if tenant is not None and tenant.schema_name != "public"
            else ""
        )
        return f"Stockroom ({name})" if name else "Stockroom"
