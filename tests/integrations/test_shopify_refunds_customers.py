"""Shopify refunds become sales returns; Shopify customers become sales customers."""

from __future__ import annotations

from decimal import Decimal

from django_tenants.utils import schema_context

from apps.integrations.models import ExternalId, InboxEvent
from apps.integrations.sync import sync_run_start
from apps.sales.models import Customer, SalesOrder, SalesReturn
from apps.sales.shipping import shipment_create
from tests.integrations.test_orders import _deliver, _level

D = Decimal


def _shipped_order(tenant, tenant_client, shop, fake, sync_jobs):
    payload = fake.create_order([("MUG-BLUE", 3), ("PLATE", 1)])
    with sync_jobs():
        _deliver(tenant_client, shop, fake, "orders/create", payload)
    with schema_context(tenant.schema_name), sync_jobs():
        shipment_create(order=SalesOrder.objects.get())
    return payload


def test_shopify_refund_becomes_a_sales_return_once(
    tenant,
    tenant_client,
    shop,
    shopify_fake,
    sync_jobs,
):
    order = _shipped_order(tenant, tenant_client, shop, shopify_fake, sync_jobs)
    refund = shopify_fake.refund_payload(
        order, [("MUG-BLUE", 2, "return"), ("PLATE", 1, "no_restock")], amount="30.00"
    )
    with sync_jobs():
        _deliver(tenant_client, shop, shopify_fake, "refunds/create", refund)
        _deliver(tenant_client, shop, shopify_fake, "refunds/create", refund)  # re-sent
    with schema_context(tenant.schema_name):
        sales_return = SalesReturn.objects.get()
        assert sales_return.refund_amount == D("30.00") and sales_return.credit_note_number
        lines = {(r.order_line.variant.sku, r.quantity, r.disposition)
                 for r in sales_return.lines.select_related("order_line__variant")}  # fmt: skip
        assert lines == {("MUG-BLUE", D(2), "restock"), ("PLATE", D(1), "scrap")}
        # The restocked mugs are back on hand; the scrapped plate is not.
        assert _level("MUG-BLUE").on_hand == D(10 - 3 + 2)
        assert _level("PLATE").on_hand == D(9)
        assert ExternalId.objects.filter(connection=shop, entity="return").count() == 1
        states = list(InboxEvent.objects.filter(topic="refunds/create").values_list("state"))
        assert states == [("processed",), ("processed",)]  # the re-sent one changed nothing


def test_refund_of_goods_never_shipped_or_of_an_unknown_order_makes_no_return(
    tenant,
    tenant_client,
    shop,
    shopify_fake,
    sync_jobs,
):
    payload = shopify_fake.create_order([("MUG-BLUE", 1)])
    with sync_jobs():
        _deliver(tenant_client, shop, shopify_fake, "orders/create", payload)
        cancel_only = shopify_fake.refund_payload(payload, [("MUG-BLUE", 1, "cancel")], "12.50")
        _deliver(tenant_client, shop, shopify_fake, "refunds/create", cancel_only)
        stranger = dict(cancel_only, id=999, admin_graphql_api_id="gid://shopify/Refund/999",
                        order_id=424242)  # fmt: skip
        _deliver(tenant_client, shop, shopify_fake, "refunds/create", stranger)
    with schema_context(tenant.schema_name):
        assert not SalesReturn.objects.exists()
        results = set(InboxEvent.objects.filter(topic="refunds/create").values_list("result"))
        assert ("refund without goods coming back: no return",) in results
        assert ("refund of order 424242, not imported here",) in results


def test_refund_of_an_unshipped_line_fails_in_words(
    tenant,
    tenant_client,
    shop,
    shopify_fake,
    sync_jobs,
):
    payload = shopify_fake.create_order([("MUG-BLUE", 1)])
    with sync_jobs():
        _deliver(tenant_client, shop, shopify_fake, "orders/create", payload)
        refund = shopify_fake.refund_payload(payload, [("MUG-BLUE", 1, "return")], "12.50")
        _deliver(tenant_client, shop, shopify_fake, "refunds/create", refund)
    with schema_context(tenant.schema_name):
        event = InboxEvent.objects.get(topic="refunds/create")
        assert event.state == "failed" and "shipped" in event.error
        assert not SalesReturn.objects.exists()


def test_customers_import_creates_links_updates_and_skips(
    tenant,
    shop,
    shopify_fake,
    sync_jobs,
):
    ann = shopify_fake.add_customer("Ann", "Lee", "ann@example.com", "+1 555 0100")
    bob = shopify_fake.add_customer("Bob", "Stone", "bob@example.com")
    with schema_context(tenant.schema_name):
        from apps.sales.customers.services import CustomerData, customer_create

        existing = customer_create(data=CustomerData(name="Bob S.", email="BOB@example.com"))

        def run():
            with sync_jobs():
                started = sync_run_start(connection=shop, entity="customers")
            started.refresh_from_db()
            return started

        first = run()
        assert (first.state, first.created, first.updated) == ("succeeded", 1, 1)
        created = Customer.objects.get(email="ann@example.com")
        assert (created.name, created.phone, created.currency) == ("Ann Lee", "+1 555 0100", "USD")
        # Bob was matched by email to the existing customer, not duplicated.
        assert Customer.objects.filter(email__iexact="bob@example.com").count() == 1
        assert ExternalId.objects.get(connection=shop, entity="customer",
                                      external_id=bob["id"]).local_id == existing.pk  # fmt: skip
        # Nothing changed: the next run asks only for what changed and changes nothing.
        again = run()
        assert (again.created, again.updated, again.skipped) == (0, 0, 0)
        shopify_fake.touch_customer(ann, lastName="Lee-Park")
        third = run()
        assert (third.created, third.updated) == (0, 1)
        assert Customer.objects.get(pk=created.pk).name == "Ann Lee-Park"
        assert Customer.objects.count() == 2
