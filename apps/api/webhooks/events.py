"""The events a company can subscribe to. An app emits one with ``webhook_event_emit``."""

EVENTS: dict[str, str] = {
    "order.created": "A sales order was created",
    "order.confirmed": "A sales order was confirmed (stock reserved)",
    "order.shipped": "A shipment of a sales order left",
    "order.cancelled": "A sales order was cancelled",
    "stock.changed": "Stock of a variant changed at a location",
    "stock.low": "A variant fell to or below its reorder point",
    "po.approved": "A purchase order was approved",
    "po.received": "Goods were received against a purchase order",
    "forecast.completed": "A forecast run finished",
    "webhook.test": "A test event sent from the webhooks page",
}
