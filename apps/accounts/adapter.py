from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Companies sign up on the public site; people join a company by invitation.
        return False


class MFAAdapter(DefaultMFAAdapter):
    pass
