from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.core.htmx import render_page_or_partial
from apps.core.pagination import paginate, query_without
from apps.notifications import selectors, services
from apps.notifications.forms import PreferencesForm
from apps.notifications.kinds import KINDS
from apps.notifications.models import NotificationPreference, NotificationSettings

BELL_SIZE = 8


@require_GET
@login_required
def bell(request):
    """The topbar bell: unread count and the latest few (loaded by HTMX, refreshed each minute)."""
    return render(
        request,
        "notifications/bell.html",
        {
            "unread": selectors.unread_count(request.user),
            "latest": list(selectors.inbox(request.user)[:BELL_SIZE]),
        },
    )


@require_GET
@login_required
def inbox(request):
    only_unread = request.GET.get("show") == "unread"
    rows = selectors.inbox(request.user)
    if only_unread:
        rows = rows.filter(read_at__isnull=True)
    context = {
        "page": paginate(request, rows),
        "only_unread": only_unread,
        "unread": selectors.unread_count(request.user),
        "base": "?" + query_without(request, "page"),
    }
    return render_page_or_partial(
        request, "notifications/inbox.html", "notification-table", context
    )


@require_POST
@login_required
def open_notification(request, pk: int):
    """Mark it read and go where it points (only to this site)."""
    notification = get_object_or_404(selectors.inbox(request.user), pk=pk)
    services.notifications_mark_read(user=request.user, ids=[notification.pk])
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        target = "notifications:inbox"
    return redirect(target)


@require_POST
@login_required
def mark_all_read(request):
    count = services.notifications_mark_read(user=request.user)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    return redirect("notifications:inbox")


@require_http_methods(["GET", "POST"])
@login_required
def preferences(request):
    user = request.user
    saved = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    person = NotificationSettings.objects.filter(user=user).first()
    initial = {
        "daily_digest": bool(person and person.daily_digest),
        "quiet_from": person.quiet_from if person else None,
        "quiet_until": person.quiet_until if person else None,
    }
    for code in KINDS:
        pref = saved.get(code)
        initial[f"{code}__in_app"] = pref.in_app if pref else True
        initial[f"{code}__email"] = pref.email if pref else True
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.notification_preferences_save(
            user=user,
            choices=form.choices(),
            daily_digest=form.cleaned_data["daily_digest"],
            quiet_from=form.cleaned_data["quiet_from"],
            quiet_until=form.cleaned_data["quiet_until"],
        )
        messages.success(request, "Notification preferences saved.")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
