"""Outbound webhook events of sales orders (``order.created``, ``order.confirmed``,
``order.shipped``, ``order.cancelled``), sent after the order's transaction commits."""

from __future__ import annotations

from apps.api.webhooks.services import webhook_event_emit


def order_payload(order, *, shipment=None) -> dict:
    data = {
        "id": order.pk,
        "number": order.number,
        "status": order.status,
        "customer": {"id": order.customer_id, "name": order.customer.name},
        "currency": order.currency,
        "exchange_rate": str(order.exchange_rate),
        "total": str(order.total),
        "promised_date": order.promised_date.isoformat() if order.promised_date else None,
        "lines": [
            {
                "id": line.pk,
                "sku": line.variant.sku,
                "quantity": str(line.quantity),
                "allocated": str(line.allocated_quantity),
                "shipped": str(line.shipped_quantity),
                "unit_price": str(line.unit_price),
                "line_total": str(line.line_total),
            }
            for line in order.lines.select_related("variant")
        ],
    }
    if shipment is not None:
        data["shipment"] = {
            "number": shipment.number,
            "carrier": shipment.carrier,
            "service": shipment.service,
            "tracking_number": shipment.tracking_number,
            "tracking_url": shipment.tracking_url,
            "shipped_at": shipment.shipped_at.isoformat(),
        }
    return data


def order_event_emit(*, event: str, order, shipment=None) -> int:
    from apps.api.models import WebhookEndpoint

    # No subscriber: skip building the payload (one cheap query).
    if not any(event in e.events for e in WebhookEndpoint.objects.filter(is_active=True)):
        return 0
    return webhook_event_emit(event=event, data=order_payload(order, shipment=shipment))
