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
    stocked("NEVER", on_hand=0, reorder_point=2)  # never moved: no balance, no total yet
    rows = {v["variant_sku"]: (v["on_hand"], v["suggested"]) for v in low_stock()}
    # LOW: max(10, 5 + 4 - 3) = 10; EDGE: no usual quantity, 5 + 2 - 5 = 2; NEVER: 2 - 0
    assert rows == {
        "LOW": (Decimal(3), Decimal(10)),
        "EDGE": (Decimal(5), Decimal(2)),
        "NEVER": (Decimal(0), Decimal(2)),
    }


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


def test_a_warehouse_rule_judges_that_warehouse_on_its_own_stock(in_tenant):
    from apps.inventory.reorder import reorder_rule_set
    from apps.inventory.warehousing import location_create, warehouse_create

    variant = stocked("HOT", on_hand=10, reorder_point=5, reorder_quantity=20)
    pooled_bin = variant.stock_levels.get().location  # WHOT holds 10
    shop = warehouse_create(code="SHOP", name="Shop")
    shop_bin = location_create(warehouse=shop, code="S1")
    stock_moves_post(lines=[MoveLine(variant.pk, shop_bin.pk, Decimal(2))], kind="receipt")
    assert list(low_stock()) == []  # pooled: 12 > 5
    reorder_rule_set(
        variant=variant, warehouse=shop, reorder_point=3, reorder_quantity=4, safety_stock=1
    )
    (row,) = low_stock()
    # SHOP alone: 2 <= 3, suggested max(4, 3 + 1 - 2) = 4; the pool (WHOT, 10) is fine.
    assert (row["variant_sku"], row["warehouse_code"], row["on_hand"], row["suggested"]) == (
        "HOT",
        "SHOP",
        Decimal(2),
        Decimal(4),
    )
    # The pool no longer counts SHOP's stock: take WHOT down to 5 and it is low too.
    stock_moves_post(lines=[MoveLine(variant.pk, pooled_bin.pk, Decimal(-5))], kind="shipment")
    assert sorted((r["warehouse_code"], r["on_hand"]) for r in low_stock()) == [
        ("", Decimal(5)),
        ("SHOP", Decimal(2)),
    ]
    # A rule with reorder point 0 switches SHOP's alerts off.
    reorder_rule_set(variant=variant, warehouse=shop, reorder_point=0)
    assert [r["warehouse_code"] for r in low_stock()] == [""]


def test_rule_pages_set_and_remove_with_errors_in_words(tenant_client, tenant, users):
    from apps.inventory.models import ReorderRule
    from apps.inventory.warehousing import warehouse_create

    with schema_context(tenant.schema_name):
        stocked("LAMP", on_hand=1, reorder_point=0)
        shop = warehouse_create(code="SHOP", name="Shop")
    url = f"/inventory/warehouses/{shop.pk}/reorder-rules/"
    tenant_client.force_login(users[Role.CLERK])
    assert tenant_client.post(url, {"code": "LAMP", "reorder_point": "2"}).status_code == 403
    tenant_client.force_login(users[Role.MANAGER])
    bad = tenant_client.post(url, {"code": "NOPE", "reorder_point": "-1"})
    assert bad.status_code == 422
    assert "No variant has the barcode or SKU “NOPE”" in bad.content.decode()
    assert "greater than or equal to 0" in bad.content.decode()
    response = tenant_client.post(url, {"code": "LAMP", "reorder_point": "2", "safety_stock": ""})
    assert response.status_code == 302
    cache.clear()
    page = tenant_client.get(f"/inventory/warehouses/{shop.pk}/").content.decode()
    assert "LAMP" in page and "variant: 0" in page
    assert "SHOP" in tenant_client.get("/inventory/low-stock/").content.decode()
    with schema_context(tenant.schema_name):
        rule = ReorderRule.objects.get()
        assert (rule.reorder_point, rule.safety_stock) == (Decimal(2), Decimal(0))
    delete = tenant_client.post(f"{url}{rule.pk}/delete/")
    assert delete.status_code == 302
    with schema_context(tenant.schema_name):
        assert not ReorderRule.objects.exists()


def test_low_stock_page_has_a_fixed_query_count(tenant_client, tenant, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.inventory.reorder import reorder_rule_set

    tenant_client.force_login(users[Role.VIEWER])

    def queries() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert tenant_client.get("/inventory/low-stock/", {"per_page": 100}).status_code == 200
        return len(ctx.captured_queries)

    with schema_context(tenant.schema_name):
        stocked("ONE", on_hand=1, reorder_point=5)
    queries()  # the first request of a session does some bookkeeping
    few = queries()
    with schema_context(tenant.schema_name):
        for n in range(20):
            v = stocked(f"V{n}", on_hand=1, reorder_point=5)
            reorder_rule_set(
                variant=v, warehouse=v.stock_levels.get().location.warehouse, reorder_point=2
            )
    assert queries() == few


def test_low_stock_page_searches_filters_by_warehouse_sorts_and_answers_htmx(
    tenant_client, tenant, users
):
    from apps.inventory.reorder import reorder_rule_set

    with schema_context(tenant.schema_name):
        stocked("AAA", on_hand=4, reorder_point=5)
        hot = stocked("BBB", on_hand=1, reorder_point=5)
        own = hot.stock_levels.get().location.warehouse
        reorder_rule_set(variant=hot, warehouse=own, reorder_point=3, reorder_quantity=9)
    tenant_client.force_login(users[Role.CLERK])

    def table(**params) -> str:
        content = tenant_client.get("/inventory/low-stock/", params).content.decode()
        return content[content.index("<tbody>") :]

    page = table()
    assert page.index("BBB") < page.index("AAA")  # lowest stock first
    by_sku = table(sort="sku")
    assert by_sku.index("AAA") < by_sku.index("BBB")
    # BBB's own rule there, and AAA's pool (which includes that warehouse); not BBB's pool.
    mine = table(warehouse=own.pk)
    assert "(own rule)" in mine and mine.count(">BBB</a>") == 1 and ">AAA</a>" in mine
    partial = tenant_client.get(
        "/inventory/low-stock/",
        {"q": "aaa"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="low-stock-table",
    ).content.decode()
    assert partial.lstrip().startswith('<div id="low-stock-table"')
    assert "AAA" in partial and "BBB" not in partial
    empty = tenant_client.get("/inventory/low-stock/", {"q": "zzz"}).content.decode()
    assert "Nothing low matches" in empty
