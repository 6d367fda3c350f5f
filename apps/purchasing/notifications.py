"""Emails about purchase orders. Sent after the transaction commits, so nobody is told
about a change that was rolled back. Approvers also see it in the app's notification bell."""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string

from apps.purchasing.config import company_currency, current_company
from apps.purchasing.models import PurchaseOrder


def _order_url(order: PurchaseOrder) -> str:
    tenant = current_company()
    path = f"/purchasing/orders/{order.pk}/"
    return tenant.site_url(path) if tenant is not None else path


def _send_later(subject: str, template: str, context: dict, recipients: list[str]) -> None:
    recipients = sorted({r for r in recipients if r})
    if not recipients:
        return
    body = render_to_string(template, context)
    transaction.on_commit(lambda: send_mail(subject, body, None, recipients))


def approval_requested(*, order: PurchaseOrder, requested_by=None) -> None:
    from apps.purchasing.services import approvers

    company = company_currency()
    _send_later(
        f"{order.number} from {order.supplier.name} is waiting for your approval",
        "purchasing/email/approval_requested.txt",
        {
            "order": order,
            "requested_by": requested_by,
            "url": _order_url(order),
            "company_currency": company,
        },
        [user.email for user in approvers(order)],
    )
    from apps.notifications.services import notification_send

    notification_send(  # the bell; the email above says more than the generic one would
        kind="po_awaiting_approval",
        title=f"{order.number} from {order.supplier.name} is waiting for your approval",
        url=f"/purchasing/orders/{order.pk}/",
        users=approvers(order),
        email=False,
    )


def order_rejected(*, order: PurchaseOrder, rejected_by, comment: str) -> None:
    author = order.created_by
    _send_later(
        f"{order.number} was rejected",
        "purchasing/email/rejected.txt",
        {"order": order, "rejected_by": rejected_by, "comment": comment, "url": _order_url(order)},
        [author.email] if author else [],
    )
