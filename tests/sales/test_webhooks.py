"""order.created / order.confirmed / order.shipped reach subscribed endpoints, signed."""

import json

from apps.api.models import WebhookDelivery
from apps.api.webhooks.services import webhook_endpoint_create
from apps.sales.services import LineInput, sales_order_confirm
from apps.sales.shipping import shipment_create
from tests.api.test_webhooks import Receiver

from .conftest import D, receive


def test_order_events_are_delivered_to_their_subscribers(selling, make_order, sync_jobs):
    receiver = Receiver()
    try:
        webhook_endpoint_create(
            url=receiver.url, events=["order.created", "order.confirmed", "order.shipped"]
        )
        webhook_endpoint_create(url=receiver.url + "/stock", events=["stock.low"])
        receive(selling["shirt"], selling["a2"], 5)
        with sync_jobs():
            order = make_order(LineInput(selling["shirt"].pk, D(2)))
            sales_order_confirm(order=order)
            shipment_create(order=order, carrier="ups", tracking_number="1Z9")
        kinds = [json.loads(body)["type"] for _headers, body in receiver.requests]
        assert kinds == ["order.created", "order.confirmed", "order.shipped"]
        shipped = json.loads(receiver.requests[-1][1])["data"]
        assert shipped["number"] == order.number and shipped["status"] == "shipped"
        assert shipped["shipment"]["tracking_url"] == "https://www.ups.com/track?tracknum=1Z9"
        assert shipped["lines"][0]["shipped"] == "2.000"
        assert WebhookDelivery.objects.filter(state="succeeded").count() == 3
    finally:
        receiver.close()


def test_no_subscriber_no_delivery(selling, make_order):
    make_order()
    assert not WebhookDelivery.objects.exists()


def test_cancelling_emits_order_cancelled(selling, make_order, sync_jobs):
    from apps.sales.services import sales_order_cancel

    receiver = Receiver()
    try:
        webhook_endpoint_create(url=receiver.url, events=["order.cancelled"])
        with sync_jobs():
            order = make_order()
            sales_order_cancel(order=order, reason="duplicate")
        (body,) = [json.loads(b) for _h, b in receiver.requests]
        assert body["type"] == "order.cancelled" and body["data"]["status"] == "cancelled"
    finally:
        receiver.close()
