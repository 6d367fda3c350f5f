"""The product list: pg_trgm search, filters, sorting, HTMX table, bulk actions, scan box,
and its query budget."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.catalog import bulk
from apps.catalog.errors import CatalogError
from apps.catalog.models import Category, Product, SupplierItem, Variant
from apps.catalog.selectors import products_list, products_pages, variant_by_code
from apps.catalog.services import (
    category_create,
    product_create,
    product_update,
    supplier_create,
    supplier_item_create,
    variant_create,
    variant_update,
)


def names(qs) -> list[str]:
    return [p.name for p in qs]


@pytest.fixture
def catalog(in_tenant):
    shoes = category_create(name="Shoes")
    trail = category_create(name="Trail", parent=shoes)
    hats = category_create(name="Hats")
    runner = product_create(
        name="Trail runner", sku="RUN-1", category=trail, barcode="4006381333931", brand="Fleet"
    )
    variant_create(product=runner, sku="RUN-2", sale_price=Decimal("80"))
    sandal = product_create(
        name="Beach sandal", sku="SAN-1", category=shoes, sale_price=Decimal(20)
    )
    cap = product_create(name="Sun cap", sku="CAP-1", category=hats, sale_price=Decimal(15))
    acme = supplier_create(name="Acme")
    supplier_item_create(supplier=acme, variant=cap.variants.get(), supplier_sku="ACME-CAP-77")
    product_update(product=cap, tags=["summer", "sale"])
    return {"shoes": shoes, "trail": trail, "hats": hats, "runner": runner, "sandal": sandal,
            "cap": cap, "acme": acme}  # fmt: skip


def test_search_covers_name_sku_barcode_and_supplier_sku(catalog):
    assert names(products_list(search="runner")) == ["Trail runner"]
    assert names(products_list(search="san-")) == ["Beach sandal"]
    assert names(products_list(search="4006381333931")) == ["Trail runner"]
    assert names(products_list(search="cap-77")) == ["Sun cap"]
    assert names(products_list(search="sandl")) == []  # no substring match …
    assert names(products_list(search="sandl", similar=True)) == ["Beach sandal"]  # … similar
    assert names(products_list(search="zzzz")) == []


def test_search_uses_the_trigram_indexes(catalog):
    """Django's icontains (UPPER(col) LIKE …) must match the expression indexes of migration
    0004; with sequential scans off the planner shows whether it can use them."""
    queries = {
        "product_name_upper_trgm": Product.objects.filter(name__icontains="runn"),
        "product_brand_upper_trgm": Product.objects.filter(brand__icontains="flee"),
        "product_name_trgm": Product.objects.filter(name__trigram_word_similar="runnr"),
        "variant_sku_upper_trgm": Variant.objects.filter(sku__icontains="run-"),
        "variant_barcode_upper_trgm": Variant.objects.filter(barcode__icontains="4006"),
        "supplier_item_sku_upper_trgm": SupplierItem.objects.filter(supplier_sku__icontains="cap"),
    }
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    for index, qs in queries.items():
        assert index in qs.order_by().explain(), index


def test_filters(catalog):
    assert names(products_list(category_id=catalog["shoes"].pk)) == ["Beach sandal", "Trail runner"]
    assert names(products_list(category_id=catalog["trail"].pk)) == ["Trail runner"]
    assert names(products_list(supplier_id=catalog["acme"].pk)) == ["Sun cap"]
    assert names(products_list(tag="SALE")) == ["Sun cap"]
    assert names(products_list(stock="out")) == ["Beach sandal", "Sun cap", "Trail runner"]
    assert names(products_list(stock="in")) == []
    variant_update(variant=catalog["cap"].variants.get(), reorder_point=Decimal(2))
    assert names(products_list(stock="low")) == ["Sun cap"]  # 0 on hand ≤ reorder point 2
    assert names(products_list(category_id=999999)) == []


def test_stock_status_uses_the_ledger(catalog):
    from apps.inventory.models import Location, StockMove, Warehouse
    from apps.inventory.services import MoveLine, stock_moves_post

    warehouse = Warehouse.objects.create(code="MAIN", name="Main")
    location = Location.objects.create(warehouse=warehouse, code="A-01", kind=Location.Kind.BIN)
    variant = catalog["cap"].variants.get()
    variant_update(variant=variant, reorder_point=Decimal(2))
    stock_moves_post(
        lines=[MoveLine(variant_id=variant.pk, location_id=location.pk, quantity=Decimal(5))],
        kind=StockMove.Kind.ADJUSTMENT,
        reason=StockMove.Reason.FOUND,
    )
    assert names(products_list(stock="in")) == ["Sun cap"]
    assert names(products_list(stock="low")) == []
    assert products_list(sort="-on_hand")[0].on_hand == Decimal(5)


@pytest.mark.parametrize("stock", ["", "in", "out", "low"])
@pytest.mark.parametrize("sort", ["name", "-on_hand", "on_hand", "sku", "-variants", "price"])
def test_pages_match_the_whole_list(catalog, sort, stock):
    """The page's ids come from a narrow query (aggregates for the sort and stock filter)
    and its figures from correlated subqueries: page by page they match the whole list."""
    from django.core.paginator import Paginator

    from apps.inventory.models import Location, StockMove, Warehouse
    from apps.inventory.services import MoveLine, stock_moves_post

    warehouse = Warehouse.objects.create(code="MAIN", name="Main")
    bins = [
        Location.objects.create(warehouse=warehouse, code=f"A-0{n}", kind=Location.Kind.BIN)
        for n in range(2)
    ]
    runner_2 = catalog["runner"].variants.get(sku="RUN-2")
    variant_update(variant=runner_2, reorder_point=Decimal(10))
    stock_moves_post(
        lines=[
            MoveLine(runner_2.pk, bins[0].pk, Decimal(4)),
            MoveLine(runner_2.pk, bins[1].pk, Decimal(3)),
            MoveLine(catalog["cap"].variants.get().pk, bins[0].pk, Decimal(2)),
        ],
        kind=StockMove.Kind.ADJUSTMENT,
        reason=StockMove.Reason.FOUND,
    )
    move = [MoveLine(runner_2.pk, bins[0].pk, Decimal(-1)), MoveLine(runner_2.pk, bins[1].pk, 1)]
    stock_moves_post(lines=move, kind=StockMove.Kind.TRANSFER_OUT)  # totals stay the same

    def rows(products):
        return [(p.name, p.on_hand, p.variant_count, p.first_sku, p.min_price) for p in products]

    whole = rows(products_list(sort=sort, stock=stock))
    paginator = Paginator(products_pages(sort=sort, stock=stock), 2)
    paged = [row for n in paginator.page_range for row in rows(paginator.page(n))]
    assert paged == whole and paginator.count == len(whole)
    expected = {"in": 2, "out": 1, "low": 1}.get(stock, 3)
    assert len(whole) == expected
    if sort == "-on_hand" and not stock:
        assert whole[0][:2] == ("Trail runner", Decimal(7))


@pytest.mark.parametrize(
    "sort,first",
    [
        ("name", "Beach sandal"),
        ("-name", "Trail runner"),
        ("sku", "Sun cap"),
        ("-variants", "Trail runner"),
        ("price", "Trail runner"),  # lowest price 0 (RUN-1)
        ("-price", "Beach sandal"),
        ("category", "Sun cap"),  # Hats < Shoes
        ("-category", "Trail runner"),  # Trail > Shoes
        ("-brand", "Trail runner"),
        ("updated", "Trail runner"),
        ("nonsense", "Beach sandal"),
    ],
)
def test_every_column_sorts(catalog, sort, first):
    assert products_list(sort=sort)[0].name == first


def test_page_keeps_filters_in_the_url_and_htmx_swaps_the_table(tenant_client, tenant, users):
    with schema_context(tenant.schema_name):
        product_create(name="Trail runner", sku="RUN-1")
        product_create(name="Beach sandal", sku="SAN-1")
    tenant_client.force_login(users[Role.VIEWER])
    page = tenant_client.get("/products/", {"q": "run", "sort": "-name"}).content.decode()
    assert "Trail runner" in page and "Beach sandal" not in page
    assert 'href="?q=run&amp;sort=name"' in page  # sort links keep the search
    fragment = tenant_client.get(
        "/products/", {"q": "san"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="product-table"
    ).content.decode()
    assert fragment.count('id="product-table"') == 1 and "<html" not in fragment
    assert 'hx-swap="outerHTML"' in fragment and "Beach sandal" in fragment
    assert "bulk-form" not in page  # viewers get no bulk actions
    typo = tenant_client.get("/products/", {"q": "sandl"}).content.decode()
    assert "Beach sandal" in typo and "No product contains “sandl”" in typo
    empty = tenant_client.get("/products/", {"q": "nothing-like-it"}).content.decode()
    assert "No product matches these filters" in empty


def test_bad_query_parameters_never_fail(tenant_client, users):
    tenant_client.force_login(users[Role.VIEWER])
    for params in (
        {"category": "abc"},
        {"supplier": "-1"},
        {"stock": "weird"},
        {"page": "999"},
        {"per_page": "x"},
        {"status": "?"},
        {"q": "x" * 500},
        {"category": "9" * 30, "supplier": "9" * 30},
        {"q": "%_\\'\""},
    ):
        assert tenant_client.get("/products/", params).status_code == 200


def test_bulk_price_change_rounds_to_cents(catalog):
    runner = catalog["runner"]
    variant_update(variant=runner.variants.get(sku="RUN-1"), sale_price=Decimal("9.99"))
    changed = bulk.prices_adjust_percent(product_ids=[runner.pk], percent="12.5")
    assert changed == 2
    prices = dict(runner.variants.values_list("sku", "sale_price"))
    assert prices == {"RUN-1": Decimal("11.24"), "RUN-2": Decimal("90.00")}  # 11.23875 → 11.24
    bulk.prices_adjust_percent(product_ids=[runner.pk], percent="-10", field="cost_price")
    with pytest.raises(CatalogError, match="between -99% and 1000%"):
        bulk.prices_adjust_percent(product_ids=[runner.pk], percent="-100")
    with pytest.raises(CatalogError, match="as a number"):
        bulk.prices_adjust_percent(product_ids=[runner.pk], percent="ten")
    with pytest.raises(CatalogError, match="Choose at least one product"):
        bulk.prices_adjust_percent(product_ids=[], percent="5")


def test_bulk_actions_page(tenant_client, tenant, users, catalog):
    runner, sandal = catalog["runner"], catalog["sandal"]
    tenant_client.force_login(users[Role.MANAGER])
    ids = [runner.pk, sandal.pk]
    moved = tenant_client.post(
        "/products/bulk/",
        {
            "product": ids,
            "action": "category",
            "category": catalog["hats"].pk,
            "query": "q=a&sort=-name",
        },
    )
    assert moved.status_code == 302 and moved["Location"] == "/products/?q=a&sort=-name"
    prices = tenant_client.post(
        "/products/bulk/", {"product": [sandal.pk], "action": "prices", "percent": "10"}
    )
    assert prices.status_code == 302
    bad = tenant_client.post(
        "/products/bulk/",
        {"product": [sandal.pk], "action": "prices", "percent": "lots"},
        follow=True,
    )
    assert "Enter the change as a number" in bad.content.decode()
    labels = tenant_client.post("/products/bulk/", {"product": ids, "action": "labels"})
    assert labels["Location"] == f"/products/labels/?product={runner.pk}&product={sandal.pk}"
    assert tenant_client.get(labels["Location"]).status_code == 200
    nonsense = tenant_client.post(
        "/products/bulk/", {"product": ["9" * 30, "x"], "action": "archive"}, follow=True
    )
    assert nonsense.status_code == 200 and "0 products archived" in nonsense.content.decode()
    nothing = tenant_client.post("/products/bulk/", {"action": "archive"}, follow=True)
    assert "Choose at least one product" in nothing.content.decode()
    archived = tenant_client.post("/products/bulk/", {"product": ids, "action": "archive"})
    assert archived.status_code == 302
    with schema_context(tenant.schema_name):
        assert Variant.objects.get(sku="SAN-1").sale_price == Decimal("22.00")
        assert set(Product.objects.filter(pk__in=ids).values_list("category", flat=True)) == {
            catalog["hats"].pk
        }
        assert not Product.objects.filter(pk__in=ids, is_active=True).exists()
    tenant_client.force_login(users[Role.CLERK])
    assert (
        tenant_client.post("/products/bulk/", {"product": ids, "action": "unarchive"}).status_code
        == 403
    )


def test_scan_box_goes_to_the_variant(tenant_client, tenant, users):
    with schema_context(tenant.schema_name):
        product = product_create(name="Bolt", sku="BOLT-1", barcode="036000291452")
        variant = product.variants.get()
        assert variant_by_code(" 036000291452 ") == variant
        assert variant_by_code("bolt-1") == variant
        assert variant_by_code("") is None
    tenant_client.force_login(users[Role.CLERK])
    found = tenant_client.get("/products/scan/", {"code": "036000291452"})
    assert found["Location"] == f"/products/{product.pk}/#variant-{variant.pk}"
    missing = tenant_client.get("/products/scan/", {"code": "999"}, follow=True)
    assert "No variant has the barcode or SKU “999”" in missing.content.decode()


def test_product_list_query_budget_1_vs_500_rows(tenant_client, tenant, users):
    tenant_client.force_login(users[Role.MANAGER])
    views = [
        {"per_page": 100, "sort": "-on_hand"},
        {"per_page": 25, "page": 2, "stock": "out", "sort": "-variants"},
        {"per_page": 100, "q": "item", "stock": "low", "sort": "price"},
        {"per_page": 100, "q": "itme"},  # no substring match: the similar-names fallback
    ]

    def counts() -> list[int]:
        result = []
        for params in views:
            with CaptureQueriesContext(connection) as ctx:
                assert tenant_client.get("/products/", params).status_code == 200
            result.append(len(ctx.captured_queries))
        return result

    with schema_context(tenant.schema_name):
        category = category_create(name="Bulk")
        product_create(name="First item", sku="F-1", category=category)
    counts()  # warm caches (session, tenant)
    one = counts()
    with schema_context(tenant.schema_name):
        products = Product.objects.bulk_create(
            Product(name=f"Item {n:03d}", category=category, tags=["x"]) for n in range(499)
        )
        Variant.objects.bulk_create(
            Variant(product=p, sku=f"I-{n:03d}-{v}")
            for n, p in enumerate(products)
            for v in range(2)
        )
        assert Product.objects.count() == 500 and Category.objects.count() == 1
    assert counts() == one
