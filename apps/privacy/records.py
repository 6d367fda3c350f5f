"""The record of a privacy request: who asked, when, about what, what was done."""

from __future__ import annotations

from apps.privacy.models import PrivacyRequest


def privacy_request_record(
    *, kind: str, subject: str, user=None, customer=None, detail: dict | None = None
) -> PrivacyRequest:
    return PrivacyRequest.objects.create(
        kind=kind,
        subject=subject[:200],
        customer=customer,
        requested_by=user if getattr(user, "pk", None) else None,
        requested_by_email=getattr(user, "email", "") or "",
        detail=detail or {},
    )
