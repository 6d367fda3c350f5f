from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from apps.accounts.models import Invitation, User

TEAM_SORTS = {
    "email": "email",
    "name": "full_name",
    "role": "role",
    "last_login": "last_login",
    "joined": "date_joined",
}


def team_list(*, search: str = "", sort: str = "email") -> QuerySet[User]:
    qs = User.objects.annotate(
        has_mfa=Exists(
            Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
        )
    )
    if search:
        qs = qs.filter(Q(email__icontains=search) | Q(full_name__icontains=search))
    descending = sort.startswith("-")
    field = TEAM_SORTS.get(sort.lstrip("-"), "email")
    return qs.order_by(("-" if descending else "") + field, "pk")


def invitations_pending() -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("invited_by")


def user_has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
