"""``{% invoice_pay_card invoice %}``: the "Pay by card" box on the invoice page (Stripe)."""

from __future__ import annotations

from django import template

from apps.accounts.permissions import user_can

register = template.Library()


@register.inclusion_tag("integrations/_invoice_pay.html", takes_context=True)
def invoice_pay_card(context, invoice):
    from apps.integrations.stripe_payments import payment_link_of, stripe_connection

    request = context.get("request")
    connected = stripe_connection() is not None
    link = payment_link_of(invoice) if connected else None
    return {
        "invoice": invoice,
        "connected": connected,
        "link": link,
        "balance": invoice.total - invoice.amount_paid,
        "can_send": bool(request and user_can(request.user, "sales.refund")),
        "csrf_token": context.get("csrf_token"),
    }
