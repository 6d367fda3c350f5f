"""Option values and the generated variant matrix."""

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.catalog.errors import CatalogError
from apps.catalog.matrix import product_options_set, variant_matrix_generate
from apps.catalog.models import Product
from apps.catalog.services import product_create


def test_size_by_colour_makes_every_combination_once(in_tenant):
    product = product_create(name="Tee", sku="TEE-S-RED", options={"size": "S", "colour": "Red"})
    product_options_set(
        product=product,
        axes=[
            {"name": "Size", "values": ["S", "M"]},
            {"name": "colour", "values": ["Red", "Blue"]},
        ],
    )
    created = variant_matrix_generate(product=product, sale_price=Decimal("9.90"))
    assert len(created) == 3  # S/Red already existed
    combos = {(v.options["size"], v.options["colour"]) for v in product.variants.all()}
    assert combos == {("S", "Red"), ("S", "Blue"), ("M", "Red"), ("M", "Blue")}
    assert all(v.sale_price == Decimal("9.90") for v in created)
    assert len({v.sku for v in product.variants.all()}) == 4
    assert variant_matrix_generate(product=product) == []  # nothing left to add


def test_existing_combination_matches_regardless_of_case(in_tenant):
    product = product_create(name="Cap", sku="CAP-1", options={"size": "m"})
    product_options_set(product=product, axes=[{"name": "size", "values": ["M", "L"]}])
    assert [v.options for v in variant_matrix_generate(product=product)] == [{"size": "L"}]


@pytest.mark.parametrize(
    "axes,message",
    [
        ([{"name": "", "values": ["S"]}], "needs a name"),
        ([{"name": "size", "values": []}], "at least one value"),
        ([{"name": "size", "values": ["S"]}, {"name": "Size", "values": ["M"]}], "listed twice"),
        ([{"name": n, "values": ["a"]} for n in "abcd"], "at most 3 options"),
        (
            [{"name": "a", "values": [str(i) for i in range(20)]}] * 1
            + [{"name": "b", "values": [str(i) for i in range(20)]}],
            "limit is 300",
        ),
    ],
)
def test_bad_options_are_explained_and_nothing_changes(in_tenant, axes, message):
    product = product_create(name="Cap", sku="CAP-1")
    with pytest.raises(CatalogError, match=message):
        product_options_set(product=product, axes=axes)
    assert Product.objects.get(pk=product.pk).option_axes == []


def test_generating_without_options_is_refused(in_tenant):
    product = product_create(name="Cap", sku="CAP-1")
    with pytest.raises(CatalogError, match="Set the product's options first"):
        variant_matrix_generate(product=product)


def test_matrix_page(tenant_client, tenant, users):
    with schema_context(tenant.schema_name):
        product = product_create(name="Tee", sku="TEE-1", options={"size": "S"})
    tenant_client.force_login(users[Role.MANAGER])
    url = f"/products/{product.pk}/options/"
    response = tenant_client.post(
        url, {"axes": "size: S, M, L", "sale_price": "5", "cost_price": "2", "generate": "1"}
    )
    assert response.status_code == 302
    with schema_context(tenant.schema_name):
        assert product.variants.count() == 3
    bad = tenant_client.post(url, {"axes": "size S M", "generate": "1"})
    assert bad.status_code == 422 and "Line 1" in bad.content.decode()
    tenant_client.force_login(users[Role.VIEWER])
    assert tenant_client.post(url, {"axes": "size: XL", "generate": "1"}).status_code == 403
