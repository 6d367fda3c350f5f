"""Inviting people to a company. Call inside the company's schema."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Invitation, Role, User
from apps.accounts.services.errors import AccountError


def _now():
    return timezone.now()


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def invitation_create(
    *, tenant, email: str, role: str, invited_by: User | None = None
) -> Invitation:
    email = (email or "").strip().lower()
    if not email or "@" not in email:
        raise AccountError("Enter a valid email address.", field="email")
    if role not in Role.values:
        raise AccountError("Choose a role.", field="role")
    if role == Role.OWNER and invited_by is not None and invited_by.role != Role.OWNER:
        raise AccountError("Only an owner can invite another owner.", field="role")
    if User.objects.filter(email__iexact=email).exists():
        raise AccountError(f"{email} already has an account in this company.", field="email")
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        # A new invitation replaces any pending one for the same address.
        Invitation.objects.filter(
            email=email, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=_now())
        invitation = Invitation.objects.create(
            email=email,
            role=role,
            token_hash=token_hash(raw),
            invited_by=invited_by,
            expires_at=_now() + timedelta(days=settings.INVITATION_TTL_DAYS),
        )
        transaction.on_commit(lambda: _send(tenant=tenant, invitation=invitation, raw=raw))
    return invitation


def invitation_resend(
    *, tenant, invitation: Invitation, invited_by: User | None = None
) -> Invitation:
    if invitation.accepted_at:
        raise AccountError("This invitation was already accepted.")
    return invitation_create(
        tenant=tenant, email=invitation.email, role=invitation.role, invited_by=invited_by
    )


def invitation_revoke(*, invitation: Invitation) -> None:
    if invitation.accepted_at:
        raise AccountError("This invitation was already accepted.")
    Invitation.objects.filter(pk=invitation.pk, revoked_at__isnull=True).update(revoked_at=_now())


def invitation_for_token(raw: str) -> Invitation:
    """The pending invitation for a token, or AccountError saying why it can't be used."""
    invitation = (
        Invitation.objects.filter(token_hash=token_hash(raw or ""))
        .select_related("invited_by")
        .first()
    )
    if invitation is None:
        raise AccountError("This invitation link is not valid. Ask for a new one.")
    if invitation.accepted_at:
        raise AccountError("This invitation was already used. Sign in instead.")
    if invitation.revoked_at:
        raise AccountError("This invitation was withdrawn. Ask for a new one.")
    if invitation.expires_at <= _now():
        raise AccountError("This invitation has expired. Ask for a new one.")
    return invitation


def invitation_accept(*, raw_token: str, full_name: str, password: str) -> User:
    with transaction.atomic():
        invitation = invitation_for_token(raw_token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at:
            raise AccountError("This invitation was already used. Sign in instead.")
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise AccountError(f"{invitation.email} already has an account. Sign in instead.")
        user = User.objects.create_user(
            email=invitation.email,
            password=password,
            full_name=full_name.strip(),
            role=invitation.role,
        )
        invitation.accepted_at = _now()
        invitation.save(update_fields=["accepted_at"])
    return user


def _send(*, tenant, invitation: Invitation, raw: str) -> None:
    url = tenant.site_url(
        reverse("accounts:invitation_accept", kwargs={"token": raw}, urlconf=settings.ROOT_URLCONF)
    )
    context = {
        "tenant": tenant,
        "invitation": invitation,
        "url": url,
        "days": settings.INVITATION_TTL_DAYS,
    }
    send_mail(
        subject=f"You're invited to {tenant.name} on Stockroom",
        message=render_to_string("accounts/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
