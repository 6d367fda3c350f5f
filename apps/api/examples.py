"""Request and response examples of the main write operations, by OpenAPI operation id.

apps/api/openapi.py adds them to the operations; the views stay free of documentation.
Ids in the examples are illustrative: use your company's own.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample

_ORDER_LINE = {
    "id": 81, "variant": 12, "sku": "MUG-BLUE", "description": "Enamel mug — blue",
    "quantity": "2.000", "unit_price": "7.99", "price_overridden": False,
    "discount_percent": "0.00", "tax_rate": "20.000", "line_subtotal": "15.98",
    "discount_amount": "0.00", "tax_amount": "3.20", "line_total": "19.18",
    "allocated_quantity": "2.000", "backordered_quantity": "0.000", "shipped_quantity": "0.000",
    "invoiced_quantity": "0.000", "returned_quantity": "0.000",
}  # fmt: skip

_ORDER = {
    "id": 41, "number": "SO-00041", "status": "confirmed",
    "customer": {"id": 7, "name": "Ada Shop"}, "channel": "api", "warehouse": "MAIN",
    "currency": "USD", "order_date": "2026-03-02", "customer_reference": "PO-5521",
    "shipping_address": "1 Harbour St, Bristol", "notes": "", "subtotal": "15.98",
    "discount_total": "0.00", "tax_total": "3.20", "total": "19.18",
    "created_at": "2026-03-02T09:14:03Z", "updated_at": "2026-03-02T09:14:03Z",
    "confirmed_at": "2026-03-02T09:14:03Z", "shipped_at": None, "delivered_at": None,
    "cancelled_at": None, "lines": [_ORDER_LINE], "shipments": [],
}  # fmt: skip

_SHIPPED = {
    **_ORDER,
    "status": "shipped",
    "shipped_at": "2026-03-03T15:40:00Z",
    "lines": [{**_ORDER_LINE, "allocated_quantity": "0.000", "shipped_quantity": "2.000"}],
    "shipments": [
        {
            "id": 19, "number": "SH-00019", "warehouse": "MAIN", "carrier": "ups",
            "service": "Ground", "tracking_number": "1Z999AA10123456784",
            "tracking_url": "https://www.ups.com/track?tracknum=1Z999AA10123456784",
            "weight_kg": "0.800", "packages": 1, "shipped_at": "2026-03-03T15:40:00Z",
            "delivered_at": None,
        }
    ],
}  # fmt: skip

_MOVE = {
    "id": 901, "variant": {"id": 12, "sku": "MUG-BLUE"},
    "location": {"id": 3, "code": "A-01", "warehouse": "MAIN"}, "quantity": "-2.000",
    "balance": "8.000", "unit_cost": "2.4000", "kind": "adjustment", "reason": "damaged",
    "note": "Dropped in aisle 3", "reference_type": "", "reference_id": None,
    "user": "ana@acme.test", "created_at": "2026-03-02T10:01:12Z",
}  # fmt: skip

_TRANSFER = {
    "id": 5, "number": "TR-00005", "source": 1, "destination": 2, "status": "draft",
    "note": "Restock the east store", "created_at": "2026-03-02T11:00:00Z",
    "lines": [
        {"id": 9, "variant": 12, "source_location": 3, "quantity": "6.000",
         "received_quantity": None}
    ],
}  # fmt: skip

_WEBHOOK = {
    "id": 4, "url": "https://erp.example.com/stockroom-hooks", "description": "ERP sync",
    "events": ["order.created", "order.shipped", "stock.low"], "is_active": True,
    "disabled_reason": "", "consecutive_failures": 0, "created_at": "2026-03-02T12:00:00Z",
}  # fmt: skip

_DELIVERY = {
    "id": 310, "endpoint": 4, "event": "order.shipped",
    "event_id": "6f1c2a9e-4b1d-4e8a-9c2f-1d2e3f4a5b6c", "state": "pending", "attempts": 3,
    "next_attempt_at": "2026-03-03T16:00:00Z", "last_status_code": 503,
    "last_error": "HTTP 503", "created_at": "2026-03-03T15:40:00Z", "delivered_at": None,
    "payload": {
        "id": "6f1c2a9e-4b1d-4e8a-9c2f-1d2e3f4a5b6c", "type": "order.shipped",
        "created": "2026-03-03T15:40:00+00:00", "data": {"id": 41, "number": "SO-00041"},
    },
    "last_response": "Service Unavailable",
}  # fmt: skip


def _request(name: str, value: dict, summary: str = "") -> OpenApiExample:
    return OpenApiExample(name, value=value, summary=summary or name, request_only=True)


def _response(name: str, value, status: int = 200) -> OpenApiExample:
    return OpenApiExample(name, value=value, response_only=True, status_codes=[str(status)])


EXAMPLES: dict[str, list[OpenApiExample]] = {
    "products_create": [
        _request(
            "Product with two variants",
            {
                "name": "Enamel mug",
                "brand": "Acme",
                "unit": "each",
                "tags": ["kitchen"],
                "new_variants": [
                    {
                        "sku": "MUG-BLUE",
                        "barcode": "4006381333931",
                        "options": {"colour": "blue"},
                        "cost_price": "2.4000",
                        "sale_price": "7.99",
                    },
                    {"sku": "", "options": {"colour": "red"}, "sale_price": "7.99"},
                ],
            },  # fmt: skip
        ),
        _response(
            "Created",
            {
                "id": 12,
                "name": "Enamel mug",
                "description": "",
                "category": None,
                "brand": "Acme",
                "unit": "each",
                "tags": ["kitchen"],
                "tax_class": "standard",
                "is_active": True,
                "tracks_lots": False,
                "tracks_serials": False,
                "created_at": "2026-03-02T09:00:00Z",
                "updated_at": "2026-03-02T09:00:00Z",
                "variants": [
                    {
                        "id": 12,
                        "product": 12,
                        "sku": "MUG-BLUE",
                        "barcode": "4006381333931",
                        "options": {"colour": "blue"},
                        "cost_price": "2.4000",
                        "sale_price": "7.99",
                        "weight_kg": None,
                        "length_cm": None,
                        "width_cm": None,
                        "height_cm": None,
                        "reorder_point": "0.000",
                        "reorder_quantity": "0.000",
                        "safety_stock": "0.000",
                        "lead_time_days": 7,
                        "is_active": True,
                    },
                ],
            },  # fmt: skip
            201,
        ),
    ],
    "inventory_adjust_create": [
        _request(
            "Write off damaged",
            {
                "sku": "MUG-BLUE",
                "location": 3,
                "quantity": "-2",
                "reason": "damaged",
                "note": "Dropped in aisle 3",
            },  # fmt: skip
        ),
        _request(
            "Found during a count",
            {
                "variant": 12,
                "location": 3,
                "quantity": "5",
                "reason": "found",
                "unit_cost": "2.4000",
            },  # fmt: skip
        ),
        _response("Posted", [_MOVE], 201),
    ],
    "inventory_transfers_create": [
        _request(
            "Move six mugs to the east store",
            {
                "source": 1,
                "destination": 2,
                "note": "Restock the east store",
                "lines": [{"variant": 12, "source_location": 3, "quantity": "6"}],
            },  # fmt: skip
        ),
        _response("Draft transfer", _TRANSFER, 201),
    ],
    "inventory_transfers_ship_create": [
        _response("Shipped (stock in transit)", {**_TRANSFER, "status": "shipped"}),
    ],
    "inventory_transfers_receive_create": [
        _request("Everything arrived", {"location": 7}),
        _request("Five of six arrived", {"location": 7, "received": {"9": "5"}}),
        _response(
            "Received",
            {
                **_TRANSFER,
                "status": "received",
                "lines": [{**_TRANSFER["lines"][0], "received_quantity": "6.000"}],
            },  # fmt: skip
        ),
    ],
    "orders_create": [
        _request(
            "Order by SKU, reserved at once",
            {
                "customer": 7,
                "warehouse": 1,
                "customer_reference": "PO-5521",
                "shipping_address": "1 Harbour St, Bristol",
                "confirm": True,
                "lines": [{"sku": "MUG-BLUE", "quantity": "2"}],
            },  # fmt: skip
        ),
        _request(
            "Draft with a manager's price",
            {
                "customer": 7,
                "lines": [
                    {"variant": 12, "quantity": "10", "unit_price": "6.50", "discount_percent": "5"}
                ],
            },  # fmt: skip
        ),
        _response("Created", _ORDER, 201),
    ],
    "orders_confirm_create": [_response("Confirmed (stock reserved)", _ORDER)],
    "orders_fulfill_create": [
        _request(
            "Ship everything reserved",
            {
                "carrier": "ups",
                "service": "Ground",
                "tracking_number": "1Z999AA10123456784",
                "weight_kg": "0.800",
                "packages": 1,
            },  # fmt: skip
        ),
        _request("Ship part of a line", {"lines": [{"line": 81, "quantity": "1"}]}),
        _response("Shipped", _SHIPPED),
    ],
    "purchase_orders_receive_create": [
        _request(
            "Receive with a rejection",
            {
                "location": 4,
                "note": "Two boxes crushed",
                "items": [
                    {"line": 31, "quantity": "10"},
                    {"line": 32, "quantity": "22", "rejected": "2", "reject_reason": "damaged"},
                ],
            },  # fmt: skip
        ),
        _request(
            "Lot-tracked goods",
            {
                "location": 4,
                "items": [
                    {"line": 33, "quantity": "48", "lot": "L2026-03", "expiry": "2027-03-31"}
                ],
            },  # fmt: skip
        ),
    ],
    "ml_forecast_create": [
        _response(
            "Fresh forecasts",
            {
                "status": "fresh",
                "forecasts": [
                    {
                        "variant": 12,
                        "sku": "MUG-BLUE",
                        "run": 88,
                        "finished_at": "2026-03-01T02:10:00Z",
                        "policy": {
                            "model": "ets",
                            "demand_class": "smooth",
                            "pattern": "seasonal",
                            "metrics": {"mase": 0.82},
                            "abc": "A",
                            "xyz": "X",
                            "service_level": "0.950",
                            "lead_time_days": 7,
                            "daily_demand": "3.400",
                            "safety_stock": "9.000",
                            "reorder_point": "33.000",
                            "order_quantity": "60.000",
                            "stock_position": "41.000",
                            "stockout_date": "2026-03-13",
                            "stockout_probability": "0.120",
                        },
                        "days": [
                            {
                                "date": "2026-03-02",
                                "forecast": "3.400",
                                "lower_80": "1.900",
                                "upper_80": "4.900",
                                "lower_95": "1.100",
                                "upper_95": "5.700",
                            },
                        ],
                    }
                ],
            },  # fmt: skip
        ),
        _response(
            "Run queued",
            {
                "status": "queued",
                "job": "3f6c1f5e-2b7a-4c1e-9a55-0d6a1e1c2b3d",
                "job_url": "/api/jobs/3f6c1f5e-2b7a-4c1e-9a55-0d6a1e1c2b3d/",
                "run": 89,
            },  # fmt: skip
            202,
        ),
    ],
    "webhooks_create": [
        _request(
            "Subscribe the ERP to orders and low stock",
            {
                "url": "https://erp.example.com/stockroom-hooks",
                "description": "ERP sync",
                "events": ["order.created", "order.shipped", "stock.low"],
            },  # fmt: skip
        ),
        _response(
            "Created (the secret is in this answer only)",
            {**_WEBHOOK, "secret": "whsec_3q2+7mJkP0s…"},
            201,
        ),
    ],
    "webhooks_partial_update": [
        _request("Turn it back on after it was disabled", {"is_active": True}),
        _request("Change the events", {"events": ["stock.changed"]}),
        _response("Saved", _WEBHOOK),
    ],
    "webhooks_test_create": [
        _response(
            "Queued",
            {
                "queued": 1,
                "message": "Test event queued; it appears in the delivery log within seconds.",
            },
            202,
        ),
    ],
    "webhooks_deliveries_redeliver_create": [_response("Queued again", _DELIVERY, 202)],
}

# The operations whose documentation must carry examples (tests/api/test_openapi_docs.py).
DOCUMENTED_WRITES = sorted(EXAMPLES)
