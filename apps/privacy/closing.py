"""An owner closes their company: it is closed to everyone at once and deleted when the
grace period ends (apps.tenants purge job), unless platform staff cancel from the console.

The page offers a final data export first; the request also starts one, so a ZIP of the
data as it was at closing exists even if the owner did not download one (staff can hand
it over during the grace period).
"""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction
from django_tenants.utils import schema_context

from apps.privacy.company_export import company_export_start
from apps.privacy.models import PrivacyRequest
from apps.privacy.records import privacy_request_record
from apps.tenants.models import Tenant
from apps.tenants.services.errors import TenantError
from apps.tenants.services.lifecycle import DEFAULT_GRACE_DAYS, tenant_schedule_deletion


def company_closing_request(
    *, tenant: Tenant, user, confirm_slug: str, grace_days: int = DEFAULT_GRACE_DAYS
) -> Tenant:
    if (confirm_slug or "").strip().lower() != tenant.slug:
        raise TenantError(f"Type “{tenant.slug}” exactly to confirm.", field="confirm_slug")
    if tenant.status != Tenant.Status.ACTIVE:
        raise TenantError(f"{tenant.name} is {tenant.get_status_display().lower()}, not active.")
    with transaction.atomic():
        export = company_export_start(user=user)
        privacy_request_record(
            kind=PrivacyRequest.Kind.COMPANY_CLOSING,
            subject=tenant.name,
            user=user,
            detail={"grace_days": grace_days, "final_export": str(export.token)},
        )
        with schema_context("public"):
            tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
            tenant_schedule_deletion(tenant=tenant, grace_days=grace_days, actor=user)
            tenant.suspended_reason = f"Closed at the owner's request ({user.email})."[:255]
            tenant.save(update_fields=["suspended_reason"])
        transaction.on_commit(lambda: _owners_tell(tenant=tenant, user=user))
    return tenant


def _owners_tell(*, tenant: Tenant, user) -> None:
    """Every owner hears of it (they can no longer sign in to see a notification)."""
    from apps.accounts.models import Role, User

    with schema_context(tenant.schema_name):
        emails = list(
            User.objects.filter(is_active=True, role=Role.OWNER).values_list("email", flat=True)
        )
    if not emails:
        return
    send_mail(
        f"{tenant.name} is closed and will be deleted on {tenant.deletion_scheduled_for:%d %B %Y}",
        f"{user.email} closed {tenant.name} on Stockroom. Nobody can sign in any more, and all "
        f"of its data will be deleted on {tenant.deletion_scheduled_for:%d %B %Y}.\n\n"
        "A final export of all data was prepared at closing; contact Stockroom support to "
        "receive it, or to cancel the closing before that date.",
        None,
        emails,
    )
