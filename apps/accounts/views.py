from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.forms import (
    AcceptInvitationForm,
    DisplayForm,
    InviteForm,
    ProfileForm,
    RoleForm,
    SecurityForm,
)
from apps.accounts.models import Invitation, User
from apps.accounts.permissions import capability_required, user_can
from apps.accounts.selectors import invitations_pending, team_list, user_has_totp
from apps.accounts.services import invitations, users
from apps.accounts.services.errors import AccountError
from apps.core.htmx import render_page_or_partial
from apps.core.pagination import paginate

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _modal_done(request) -> HttpResponse:
    """Close the modal and refresh the list behind it; the toast travels with HX-Trigger."""
    response = HttpResponse(status=204)
    response["HX-Trigger"] = "closeModal"
    response["HX-Refresh"] = "true"
    return response


@require_GET
@capability_required("users.view")
def team(request):
    search = request.GET.get("q", "").strip()
    sort = request.GET.get("sort", "email")
    page = paginate(request, team_list(search=search, sort=sort))
    context = {
        "page": page,
        "search": search,
        "default_sort": "email",
        "invitations": invitations_pending() if user_can(request.user, "users.manage") else [],
        "can_manage": user_can(request.user, "users.manage"),
    }
    return render_page_or_partial(request, "accounts/team.html", "team-table", context)


@require_http_methods(["GET", "POST"])
@capability_required("users.manage")
def invite(request):
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitations.invitation_create(
                tenant=request.tenant, invited_by=request.user, **form.cleaned_data
            )
        except AccountError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
            return _modal_done(request) if request.htmx else redirect("accounts:team")
    context = {"form": form, "ttl_days": settings.INVITATION_TTL_DAYS}
    return render(request, "accounts/invite.html", context, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@capability_required("users.manage")
def change_role(request, pk: int):
    member = get_object_or_404(User, pk=pk)
    form = RoleForm(request.POST or None, initial={"role": member.role})
    if request.method == "POST" and form.is_valid():
        try:
            users.user_change_role(user=member, role=form.cleaned_data["role"], by=request.user)
        except AccountError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{member.email} is now {member.get_role_display().lower()}.")
            return _modal_done(request) if request.htmx else redirect("accounts:team")
    return render(
        request,
        "accounts/change_role.html",
        {"form": form, "member": member},
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@capability_required("users.manage")
def set_active(request, pk: int):
    member = get_object_or_404(User, pk=pk)
    activate = not member.is_active
    if request.method == "POST":
        try:
            users.user_set_active(user=member, active=activate, by=request.user)
        except AccountError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                f"{member.email} {'can sign in again' if activate else 'can no longer sign in'}.",
            )
        return _modal_done(request) if request.htmx else redirect("accounts:team")
    return render(request, "accounts/confirm_active.html", {"member": member, "activate": activate})


@require_POST
@capability_required("users.manage")
def invitation_action(request, pk: int, action: str):
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        if action == "resend":
            invitations.invitation_resend(
                tenant=request.tenant, invitation=invitation, invited_by=request.user
            )
            messages.success(request, f"Invitation sent again to {invitation.email}.")
        else:
            invitations.invitation_revoke(invitation=invitation)
            messages.success(request, f"Invitation to {invitation.email} withdrawn.")
    except AccountError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:team")


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    try:
        invitation = invitations.invitation_for_token(token)
    except AccountError as exc:
        return render(
            request, "accounts/invitation_invalid.html", {"reason": exc.message}, status=410
        )
    if request.user.is_authenticated:
        messages.info(
            request,
            "You are already signed in. Sign out first to accept an invitation for someone else.",
        )
        return redirect("dashboard:home")
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitations.invitation_accept(
                raw_token=token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password"],
            )
        except AccountError as exc:
            return render(
                request, "accounts/invitation_invalid.html", {"reason": exc.message}, status=410
            )
        login(request, user, backend=BACKEND)
        messages.success(request, f"Welcome to {request.tenant.name}!")
        return redirect("dashboard:home")
    return render(
        request,
        "accounts/invitation_accept.html",
        {"form": form, "invitation": invitation},
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def profile(request):
    user = request.user
    posted = request.POST if request.method == "POST" else None
    display_posted = posted is not None and "save_display" in posted
    form = ProfileForm(None if display_posted else posted, initial={"full_name": user.full_name})
    display_form = DisplayForm(
        posted if display_posted else None,
        initial={"high_contrast": user.high_contrast, "font_size": user.font_size},
    )
    if display_posted and display_form.is_valid():
        users.user_set_display(user=user, **display_form.cleaned_data)
        messages.success(request, "Display settings saved.")
        return redirect("accounts:profile")
    if posted is not None and not display_posted and form.is_valid():
        users.user_update_profile(user=user, full_name=form.cleaned_data["full_name"])
        messages.success(request, "Profile saved.")
        return redirect("accounts:profile")
    failed = posted is not None and (display_form.errors or form.errors)
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "display_form": display_form, "has_totp": user_has_totp(user)},
        status=422 if failed else 200,
    )


@require_http_methods(["GET", "POST"])
@capability_required("settings.manage")
def security(request):
    tenant = request.tenant
    form = SecurityForm(request.POST or None, initial={"require_mfa": tenant.require_mfa})
    if request.method == "POST" and form.is_valid():
        from apps.tenants.services.settings import tenant_set_require_mfa

        tenant_set_require_mfa(tenant=tenant, required=form.cleaned_data["require_mfa"])
        messages.success(
            request,
            "Two-factor authentication is now "
            + ("required for everyone." if tenant.require_mfa else "optional."),
        )
        return redirect("accounts:security")
    without = User.objects.filter(is_active=True).exclude(authenticator__type="totp").count()
    return render(request, "accounts/security.html", {"form": form, "users_without_mfa": without})
