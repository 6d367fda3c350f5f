from decimal import Decimal

from django.core import mail
from django.core.cache import cache
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.catalog.models import Variant
from apps.catalog.services import product_create
from apps.inventory.selectors import low_stock
from apps.inventory.services import MoveLine, stock_moves_post
from apps.inventory.tasks import low_stock_digest
from apps.inventory.warehousing import location_create, warehouse_create


def stocked(sku: str, on_hand: int, reorder_point: int, reorder_quantity: int = 0, safety: int = 0):
    bin_ = location_create(warehouse=warehouse_create(code=f"W{sku}", name=sku), code="A")
    variant = product_create(name=sku, sku=sku).variants.get()
    Variant.objects.filter(pk=variant.pk).update(
        reorder_point=reorder_point, reorder_quantity=reorder_quantity, safety_stock=safety
    )
    if on_hand:
        stock_moves_post(lines=[MoveLine(variant.pk, bin_.pk, Decimal(on_hand))], kind="receipt")
    return variant


def test_low_stock_lists_items_at_or_below_reorder_point_with_a_suggestion(in_tenant):
    stocked("LOW", on_hand=3, reorder_point=5, reorder_quantity=10, safety=4)
    stocked("EDGE", on_hand=5, reorder_point=5, safety=2)
    stocked("FINE", on_hand=9, reorder_point=5)
    stocked("NONE", on_hand=0, reorder_point=0)  # no reorder point: never listed
    rows = {v.sku: v.suggested for v in low_stock()}
    # LOW: max(10, 5 + 4 - 3) = 10; EDGE: no usual quantity, 5 + 2 - 5 = 2
    assert rows == {"LOW": Decimal(10), "EDGE": Decimal(2)}


def test_daily_digest_emails_owners_and_managers(tenant, users, in_tenant):
    stocked("LOW", on_hand=1, reorder_point=5, reorder_quantity=10)
    assert low_stock_digest() == 1
    (message,) = mail.outbox
    assert set(message.to) == {
        "founder@alpha.test",
        users[Role.OWNER].email,
        users[Role.MANAGER].email,
    }
    assert "LOW" in message.body and "/inventory/low-stock/" in message.body


def test_no_digest_when_nothing_is_low(users, in_tenant):
    stocked("FINE", on_hand=9, reorder_point=5)
    assert low_stock_digest() == 0 and mail.outbox == []


def test_sidebar_badge_counts_low_stock(tenant_client, tenant, users):
    cache.clear()
    with schema_context(tenant.schema_name):
        stocked("LOW", on_hand=1, reorder_point=5)
    tenant_client.force_login(users[Role.CLERK])
    content = tenant_client.get("/").content.decode()
    inventory_link = content[
        content.index('href="/inventory/"') : content.index('href="/inventory/"') + 400
    ]
    assert '>1<span class="visually-hidden"> need attention' in inventory_link
    assert "LOW" in tenant_client.get("/inventory/low-stock/").content.decode()
