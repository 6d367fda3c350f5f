"""Security events (sign-in, sign-out, failed sign-in, two-factor and password changes,
exports) in the same log as record changes. Permission changes (role, active flag,
API key scopes) are written by the trigger itself, so no code path can skip them."""

from __future__ import annotations

import logging

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.db import connection, transaction
from django.dispatch import receiver
from django_tenants.utils import get_public_schema_name

from apps.audit.context import Actor
from apps.audit.middleware import request_actor
from apps.audit.models import Action, AuditEvent

logger = logging.getLogger(__name__)


def security_event_record(
    *,
    action: str,
    actor: Actor,
    record_table: str = "",
    record_pk: str = "",
    details: dict | None = None,
) -> AuditEvent | None:
    """Write one security event in the current company's log (nothing in the public schema)."""
    if connection.schema_name == get_public_schema_name():
        return None
    kind, actor_id, label, ip, user_agent = actor.values()
    return AuditEvent.objects.create(
        action=action,
        table_name=record_table,
        record_pk=str(record_pk or ""),
        changes=details or {},
        actor_kind=kind,
        actor_id=actor_id,
        actor_label=label,
        ip=ip or None,
        user_agent=user_agent,
    )


def _actor(request, user=None) -> Actor:
    if request is None:
        return Actor(
            kind="system", id=str(user.pk) if user else "", label=getattr(user, "email", "")
        )
    actor = request_actor(request)
    if user is not None and getattr(user, "pk", None):
        actor = Actor(
            kind=actor.kind if actor.kind == "api_key" else "user",
            id=str(user.pk),
            label=user.email,
            ip=actor.ip,
            user_agent=actor.user_agent,
        )
    return actor


def _user_event(action, request, user, details=None) -> None:
    security_event_record(
        action=action,
        actor=_actor(request, user),
        record_table="accounts_user",
        record_pk=str(user.pk) if user is not None else "",
        details=details,
    )


@receiver(auth_signals.user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender, request, user, **kwargs):
    _user_event(Action.LOGIN, request, user)


@receiver(auth_signals.user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        _user_event(Action.LOGOUT, request, user)


@receiver(auth_signals.user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    attempted = str(credentials.get("email") or credentials.get("username") or "")[:255]
    actor = _actor(request) if request is not None else Actor(kind="system")
    actor = Actor(kind="user", label=attempted, ip=actor.ip, user_agent=actor.user_agent)
    security_event_record(
        action=Action.LOGIN_FAILED, actor=actor, details={"email": [None, attempted]}
    )


def _mfa(change: str):
    def handler(sender, request=None, user=None, authenticator=None, **kwargs):
        kind = getattr(authenticator, "type", "") if authenticator is not None else ""
        _user_event(Action.MFA_CHANGE, request, user, {change: [None, str(kind)]})

    return handler


_mfa_added = _mfa("added")
_mfa_removed = _mfa("removed")
_mfa_reset = _mfa("reset")
mfa_signals.authenticator_added.connect(_mfa_added, dispatch_uid="audit_mfa_added")
mfa_signals.authenticator_removed.connect(_mfa_removed, dispatch_uid="audit_mfa_removed")
mfa_signals.authenticator_reset.connect(_mfa_reset, dispatch_uid="audit_mfa_reset")


@receiver(account_signals.password_changed, dispatch_uid="audit_password_changed")
def _password_changed(sender, request, user, **kwargs):
    _user_event(Action.PASSWORD_CHANGE, request, user, {"password": [None, "changed"]})


@receiver(account_signals.password_reset, dispatch_uid="audit_password_reset")
def _password_reset(sender, request, user, **kwargs):
    _user_event(Action.PASSWORD_CHANGE, request, user, {"password": [None, "reset"]})


def export_recorded(*, request, response) -> None:
    """A file left the system (CSV, Excel, PDF, report download): who, what and from where."""
    disposition = response.get("Content-Disposition", "")
    filename = (
        disposition.split("filename=", 1)[-1].strip('"; ') if "filename=" in disposition else ""
    )
    try:
        with transaction.atomic():
            security_event_record(
                action=Action.EXPORT,
                actor=request_actor(request),
                details={
                    "path": [None, request.get_full_path()[:500]],
                    "file": [None, filename[:200]],
                },
            )
    except Exception:  # never turn a download into an error page
        logger.exception("Could not log an export")
