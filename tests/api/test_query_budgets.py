"""Query budgets: every list endpoint (and the developer pages that list things) runs the same
number of queries for N rows as for 3N rows, so an N+1 anywhere fails here.

Each case is a URL and a ``grow(n)`` that adds n more rows of what that URL lists (inside the
company's schema); the test fetches with N rows, then with 3N, and asserts the count of rows
grew and the count of queries did not.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.accounts.services.api_keys import api_key_create
from apps.api.models import ApiUsage, WebhookDelivery, WebhookEndpoint
from apps.catalog.models import Variant
from apps.catalog.services import (
    category_create,
    product_create,
    supplier_create,
    variant_create,
)
from apps.core.models import JobProgress
from apps.inventory import transfers
from apps.inventory.models import StockMove
from apps.inventory.services import MoveLine, stock_moves_post
from apps.inventory.warehousing import location_create, warehouse_create
from apps.purchasing import services as purchasing
from apps.sales import services as sales
from apps.sales.models import Customer

N = 3
_seq = itertools.count(1)


def _unique(prefix: str) -> str:
    return f"{prefix}-{next(_seq)}"


@pytest.fixture
def base(tenant):
    """A warehouse with a bin, a second warehouse, a supplier and a customer."""
    with schema_context(tenant.schema_name):
        main = warehouse_create(code="MAIN", name="Main")
        east = warehouse_create(code="EAST", name="East")
        bin_ = location_create(warehouse=main, code="A-01")
        supplier = supplier_create(name="Acme Parts", email="orders@acme.test", currency="USD")
        customer = Customer.objects.create(name="Ada Shop", email="ada@shop.test")
    return {"main": main, "east": east, "bin": bin_, "supplier": supplier, "customer": customer}


def _variant(sale_price="9.99") -> Variant:
    name = _unique("Item")
    return product_create(
        name=name, sku=name.upper(), brand="Acme", sale_price=Decimal(sale_price)
    ).variants.get()


def _stocked(base, quantity="10") -> Variant:
    variant = _variant()
    stock_moves_post(
        lines=[MoveLine(variant.pk, base["bin"].pk, Decimal(quantity), Decimal(2))],
        kind=StockMove.Kind.RECEIPT,
    )
    return variant


def grow_products(base, n, ctx):
    for _ in range(n):
        product = product_create(name=_unique("Product"), sku=_unique("P").upper())
        variant_create(product=product, sku=_unique("PV").upper())


def grow_variants(base, n, ctx):
    for _ in range(n):
        _variant()


def grow_categories(base, n, ctx):
    for _ in range(n):
        parent = category_create(name=_unique("Cat"), parent=None)
        category_create(name=_unique("Sub"), parent=parent)


def grow_suppliers(base, n, ctx):
    for _ in range(n):
        supplier_create(name=_unique("Supplier"), currency="USD")


def grow_stock(base, n, ctx):
    for _ in range(n):
        _stocked(base)


def grow_low_stock(base, n, ctx):
    for _ in range(n):
        variant = _stocked(base, quantity="2")
        Variant.objects.filter(pk=variant.pk).update(reorder_point=5, reorder_quantity=20)


def grow_transfers(base, n, ctx):
    for _ in range(n):
        variant = _stocked(base)
        transfers.transfer_create(
            source=base["main"],
            destination=base["east"],
            items=[transfers.TransferItem(variant.pk, base["bin"].pk, Decimal(1))],
        )


def grow_warehouses(base, n, ctx):
    for _ in range(n):
        warehouse_create(code=_unique("W"), name="More")


def grow_locations(base, n, ctx):
    for _ in range(n):
        location_create(warehouse=base["main"], code=_unique("B"))


def grow_purchase_orders(base, n, ctx):
    for _ in range(n):
        lines = [purchasing.LineInput(_variant().pk, Decimal(5)) for _ in range(2)]
        purchasing.purchase_order_create(
            supplier=base["supplier"], warehouse=base["main"], lines=lines
        )


def grow_orders(base, n, ctx):
    for _ in range(n):
        customer = Customer.objects.create(name=_unique("Buyer"))
        lines = [sales.LineInput(_stocked(base).pk, Decimal(1)) for _ in range(2)]
        order = sales.sales_order_create(customer=customer, lines=lines, warehouse=base["main"])
        sales.sales_order_confirm(order=order)


def grow_customers(base, n, ctx):
    for _ in range(n):
        customer = Customer.objects.create(name=_unique("Customer"), tags=["vip"])
        sales.sales_order_create(
            customer=customer, lines=[sales.LineInput(_variant().pk, Decimal(1))]
        )


def grow_jobs(base, n, ctx):
    for _ in range(n):
        JobProgress.objects.create(
            schema_name=connection.schema_name, label=_unique("Job"), func_path="x.y"
        )


def grow_endpoints(base, n, ctx):
    for _ in range(n):
        endpoint = WebhookEndpoint.objects.create(
            url=f"https://hooks.example.com/{_unique('e')}",
            events=["order.created"],
            secret_encrypted="x",
        )
        _deliveries(endpoint, 2)


def _deliveries(endpoint, n):
    import uuid

    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint,
            event_id=uuid.uuid4(),
            event="order.created",
            payload={"n": i},
            state=WebhookDelivery.State.FAILED,
            attempts=3,
            last_status_code=500,
        )
        for i in range(n)
    )


def grow_deliveries(base, n, ctx):
    if "endpoint" not in ctx:
        ctx["endpoint"] = WebhookEndpoint.objects.create(
            url="https://hooks.example.com/one", events=["order.created"], secret_encrypted="x"
        )
    _deliveries(ctx["endpoint"], n)


def grow_api_keys(base, n, ctx):
    owner = ctx["owner"]
    today = timezone.now().date()
    for _ in range(n):
        key, _raw = api_key_create(name=_unique("key"), scopes=["catalog:read"], created_by=owner)
        ApiUsage.objects.bulk_create(
            ApiUsage(day=today - dt.timedelta(days=d), api_key=key, requests=5, errors=1)
            for d in range(3)
        )


def _api_rows(body) -> int:
    return len(body["results"])


# (id, URL or URL(ctx), grow(base, n, ctx), rows(body) → how many rows the response shows)
CASES = [
    ("products", "/api/products/", grow_products, _api_rows),
    ("products-sparse", "/api/products/?fields=id,name,variants", grow_products, _api_rows),
    ("variants", "/api/variants/", grow_variants, _api_rows),
    ("categories", "/api/categories/", grow_categories, _api_rows),
    ("suppliers", "/api/suppliers/", grow_suppliers, _api_rows),
    ("stock-items", "/api/inventory/stock-items/", grow_stock, _api_rows),
    ("moves", "/api/inventory/moves/", grow_stock, _api_rows),
    ("low-stock", "/api/inventory/low-stock/", grow_low_stock, _api_rows),
    ("transfers", "/api/inventory/transfers/", grow_transfers, _api_rows),
    ("warehouses", "/api/warehouses/", grow_warehouses, _api_rows),
    ("locations", "/api/locations/", grow_locations, _api_rows),
    ("purchase-orders", "/api/purchase-orders/", grow_purchase_orders, _api_rows),
    ("orders", "/api/orders/", grow_orders, _api_rows),
    ("customers", "/api/customers/", grow_customers, _api_rows),
    ("jobs", "/api/jobs/", grow_jobs, _api_rows),
    ("report-stock-levels", "/api/reports/stock-levels/?format=json", grow_stock, _api_rows),
    ("report-movements", "/api/reports/movements/?format=json", grow_stock, _api_rows),
    ("webhooks", "/api/webhooks/", grow_endpoints, _api_rows),
    (
        "webhook-deliveries",
        lambda ctx: f"/api/webhooks/{ctx['endpoint'].pk}/deliveries/",
        grow_deliveries,
        _api_rows,
    ),
]

PAGES = [
    ("webhooks-page", lambda ctx: "/developers/webhooks/", grow_endpoints, "hooks.example.com/"),
    (
        "deliveries-page",
        lambda ctx: f"/developers/webhooks/{ctx['endpoint'].pk}/",
        grow_deliveries,
        "order.created",
    ),
    ("api-keys-page", lambda ctx: "/team/api-keys/", grow_api_keys, "catalog:read"),
]


@pytest.mark.parametrize(("url", "grow", "rows"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_api_list_query_count_does_not_grow_with_rows(
    url, grow, rows, api_as, base, tenant, django_assert_max_num_queries
):
    api = api_as(Role.OWNER)
    ctx: dict = {}
    with schema_context(tenant.schema_name):
        grow(base, N, ctx)
    url = url(ctx) if callable(url) else url
    with django_assert_max_num_queries(60) as small:
        first = api.get(url)
    assert first.status_code == 200, first.content
    few = rows(first.json_body)
    assert few >= N
    with schema_context(tenant.schema_name):
        grow(base, 2 * N, ctx)
    with django_assert_max_num_queries(len(small.captured_queries)):
        second = api.get(url)
    assert second.status_code == 200, second.content
    assert rows(second.json_body) >= few + 2 * N  # the rows really grew


@pytest.mark.parametrize(
    ("url", "grow", "marker"), [p[1:] for p in PAGES], ids=[p[0] for p in PAGES]
)
def test_developer_list_pages_query_count_does_not_grow_with_rows(
    url, grow, marker, tenant, tenant_client, owner, base, django_assert_max_num_queries
):
    ctx: dict = {"owner": owner}
    tenant_client.force_login(owner)
    with schema_context(tenant.schema_name):
        grow(base, N, ctx)
    with django_assert_max_num_queries(60) as small:
        first = tenant_client.get(url(ctx))
    assert first.status_code == 200
    few = first.content.decode().count(marker)
    assert few >= N
    with schema_context(tenant.schema_name):
        grow(base, 2 * N, ctx)
    with django_assert_max_num_queries(len(small.captured_queries)):
        second = tenant_client.get(url(ctx))
    assert second.status_code == 200
    assert second.content.decode().count(marker) >= few + 2 * N


# --- detail endpoints: nested rows (variants, lines, shipments) must not cost a query each ----


def _product_with(base, n):
    product = product_create(name=_unique("Wide"), sku=_unique("W").upper())
    for _ in range(n - 1):
        variant_create(product=product, sku=_unique("WV").upper())
    return f"/api/products/{product.pk}/"


def _order_with(base, n):
    lines = [sales.LineInput(_stocked(base).pk, Decimal(1)) for _ in range(n)]
    order = sales.sales_order_create(customer=base["customer"], lines=lines, warehouse=base["main"])
    sales.sales_order_confirm(order=order)
    return f"/api/orders/{order.pk}/"


def _purchase_order_with(base, n):
    lines = [purchasing.LineInput(_variant().pk, Decimal(5)) for _ in range(n)]
    order = purchasing.purchase_order_create(
        supplier=base["supplier"], warehouse=base["main"], lines=lines
    )
    return f"/api/purchase-orders/{order.pk}/"


def _transfer_with(base, n):
    items = [
        transfers.TransferItem(_stocked(base).pk, base["bin"].pk, Decimal(1)) for _ in range(n)
    ]
    transfer = transfers.transfer_create(source=base["main"], destination=base["east"], items=items)
    return f"/api/inventory/transfers/{transfer.pk}/"


DETAILS = [
    ("product", _product_with, "variants"),
    ("order", _order_with, "lines"),
    ("purchase-order", _purchase_order_with, "lines"),
    ("transfer", _transfer_with, "lines"),
]


@pytest.mark.parametrize(("make", "nested"), [d[1:] for d in DETAILS], ids=[d[0] for d in DETAILS])
def test_api_detail_query_count_does_not_grow_with_nested_rows(
    make, nested, api_as, base, tenant, django_assert_max_num_queries
):
    api = api_as(Role.OWNER)
    with schema_context(tenant.schema_name):
        small_url, large_url = make(base, N), make(base, 3 * N)
    with django_assert_max_num_queries(40) as small:
        first = api.get(small_url)
    assert first.status_code == 200 and len(first.json_body[nested]) == N
    with django_assert_max_num_queries(len(small.captured_queries)):
        second = api.get(large_url)
    assert second.status_code == 200 and len(second.json_body[nested]) == 3 * N
