"""Changing people's roles and access. The last active owner is always kept."""

from __future__ import annotations

from django.db import transaction

from apps.accounts.models import Role, User
from apps.accounts.services.errors import AccountError


def _guard_last_owner(user: User) -> None:
    # Lock the owners so two managers demoting the last two owners at once cannot both win.
    owners = list(
        User.objects.select_for_update()
        .filter(role=Role.OWNER, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if owners == [user.pk]:
        raise AccountError(
            "A company needs at least one active owner. Make someone else an owner first."
        )


def user_change_role(*, user: User, role: str, by: User) -> User:
    if role not in Role.values:
        raise AccountError("Choose a role.", field="role")
    if user.pk == by.pk:
        raise AccountError("You can't change your own role.")
    if Role.OWNER in (role, user.role) and by.role != Role.OWNER:
        raise AccountError("Only an owner can make or unmake owners.")
    with transaction.atomic():
        if user.role == Role.OWNER and role != Role.OWNER:
            _guard_last_owner(user)
        user.role = role
        user.save(update_fields=["role"])
    return user


def user_set_active(*, user: User, active: bool, by: User) -> User:
    if user.pk == by.pk:
        raise AccountError("You can't deactivate yourself.")
    if user.role == Role.OWNER and by.role != Role.OWNER:
        raise AccountError("Only an owner can deactivate an owner.")
    with transaction.atomic():
        if not active and user.role == Role.OWNER:
            _guard_last_owner(user)
        user.is_active = active
        user.save(update_fields=["is_active"])
    # No session purge needed: the auth backend refuses inactive users on their next request.
    return user


def user_update_profile(*, user: User, full_name: str) -> User:
    user.full_name = full_name.strip()[:150]
    user.save(update_fields=["full_name"])
    return user


def user_set_display(*, user: User, high_contrast: bool, font_size: str) -> User:
    """Save one person's display preferences (high contrast, text size)."""
    from apps.accounts.models import FontSize
    from apps.accounts.services.errors import AccountError

    if font_size not in FontSize.values:
        raise AccountError("Choose a text size from the list.")
    user.high_contrast = bool(high_contrast)
    user.font_size = font_size
    user.save(update_fields=["high_contrast", "font_size"])
    return user
