"""SKU generation from the company's pattern and sequence."""

import pytest
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.catalog.models import CatalogSettings, Variant
from apps.catalog.services import category_create, product_create, variant_create
from apps.catalog.sku import pattern_problem, sku_generate


def test_blank_sku_is_generated_from_the_pattern(in_tenant):
    shoes = category_create(name="Shoes")
    product = product_create(name="Trail runner", category=shoes, options={"size": "M"})
    sku = product.variants.get().sku
    assert sku.startswith("SHO-TRAI-M-") and sku.split("-")[-1].isdigit()
    assert len(sku.split("-")[-1]) == 4


def test_generated_skus_differ_and_skip_empty_tokens(in_tenant):
    product = product_create(name="Mug")  # no category, no options: no "--"
    second = variant_create(product=product)
    first = product.variants.exclude(pk=second.pk).get()
    assert "--" not in first.sku and not first.sku.startswith("-")
    assert first.sku != second.sku
    assert int(second.sku.split("-")[-1]) == int(first.sku.split("-")[-1]) + 1


def test_pattern_and_width_come_from_settings(in_tenant):
    CatalogSettings.objects.update_or_create(
        pk=1, defaults={"sku_pattern": "X/{BRAND}/{SEQ}", "sku_sequence_width": 6}
    )
    product = product_create(name="Mug", brand="Acme")
    assert product.variants.get().sku.startswith("X/ACM/") and len(product.variants.get().sku) == 12


def test_a_taken_generated_sku_is_skipped(in_tenant):
    CatalogSettings.objects.update_or_create(pk=1, defaults={"sku_pattern": "M-{SEQ}"})
    first = sku_generate(product_name="Mug")
    number = int(first.split("-")[1])
    product_create(name="Typed", sku=f"M-{number + 1:04d}")  # someone typed the next one
    assert sku_generate(product_name="Mug") == f"M-{number + 2:04d}"


@pytest.mark.parametrize(
    "pattern,message",
    [
        ("", "Enter a pattern"),
        ("{CAT}-{NAME}", "needs {SEQ}"),
        ("{FOO}-{SEQ}", "Unknown token {FOO}"),
        ("A B{SEQ}", "letters, digits"),
    ],
)
def test_bad_patterns_are_explained(pattern, message):
    assert message in pattern_problem(pattern)


def test_settings_page_saves_pattern_and_shows_preview(tenant_client, tenant, users):
    tenant_client.force_login(users[Role.OWNER])
    page = tenant_client.get("/products/settings/")
    assert page.status_code == 200 and "SHO-TRAI-M-RED-" in page.content.decode()
    bad = tenant_client.post(
        "/products/settings/", {"sku_pattern": "{CAT}", "sku_sequence_width": 4}
    )
    assert bad.status_code == 422 and "needs {SEQ}" in bad.content.decode()
    ok = tenant_client.post(
        "/products/settings/", {"sku_pattern": "{NAME}{SEQ}", "sku_sequence_width": 3}
    )
    assert ok.status_code == 302
    with schema_context(tenant.schema_name):
        product = product_create(name="Kettle")
        assert Variant.objects.get(product=product).sku.startswith("KETT")
    tenant_client.force_login(users[Role.CLERK])
    assert (
        tenant_client.post(
            "/products/settings/", {"sku_pattern": "{SEQ}", "sku_sequence_width": 3}
        ).status_code
        == 403
    )


def test_new_product_page_generates_sku_when_blank(tenant_client, tenant, users):
    tenant_client.force_login(users[Role.MANAGER])
    response = tenant_client.post(
        "/products/new/", {"name": "Kettle", "unit": "each", "cost_price": "1", "sale_price": "2"}
    )
    assert response.status_code == 302
    with schema_context(tenant.schema_name):
        assert Variant.objects.get(product__name="Kettle").sku.startswith("KETT-")


def test_each_company_has_its_own_sku_sequence(tenant, other_tenant):
    with schema_context(tenant.schema_name):
        CatalogSettings.objects.update_or_create(pk=1, defaults={"sku_pattern": "A-{SEQ}"})
        first = [sku_generate(product_name="Mug") for _ in range(3)]
    with schema_context(other_tenant.schema_name):
        CatalogSettings.objects.update_or_create(pk=1, defaults={"sku_pattern": "A-{SEQ}"})
        other = sku_generate(product_name="Mug")
    numbers = [int(s.split("-")[1]) for s in first]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]
    assert int(other.split("-")[1]) < numbers[2]  # beta's counter did not move with alpha's
