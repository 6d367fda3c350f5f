"""Product edit, archive/unarchive and variant edit: services and pages."""

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.catalog.errors import CatalogError
from apps.catalog.models import Product, Variant
from apps.catalog.services import (
    category_create,
    product_archive,
    product_create,
    product_unarchive,
    product_update,
    variant_create,
    variant_update,
)


def test_product_update_changes_only_given_fields_and_cleans_tags(in_tenant):
    product = product_create(name="Lamp", sku="LAMP-1", brand="Lumen")
    shoes = category_create(name="Lighting")
    product_update(product=product, name="  Desk lamp ", category=shoes, tags="Office, LED, office")
    product.refresh_from_db()
    assert product.name == "Desk lamp" and product.category == shoes and product.brand == "Lumen"
    assert product.tags == ["office", "led"]


def test_product_update_refuses_blank_name_and_unknown_unit(in_tenant):
    product = product_create(name="Lamp", sku="LAMP-1")
    with pytest.raises(CatalogError, match="Enter the product's name"):
        product_update(product=product, name="  ")
    with pytest.raises(CatalogError, match="Unknown unit"):
        product_update(product=product, unit="parsec")
    product.refresh_from_db()
    assert product.name == "Lamp" and product.unit == "each"


def test_archive_and_unarchive_keep_variants(in_tenant):
    product = product_create(name="Lamp", sku="LAMP-1")
    product_archive(product=product)
    assert Product.objects.get(pk=product.pk).is_active is False
    assert Variant.objects.filter(product=product).count() == 1
    product_unarchive(product=product)
    assert Product.objects.get(pk=product.pk).is_active is True


def test_variant_update_validates_sku_barcode_and_numbers(in_tenant):
    product = product_create(name="Lamp", sku="LAMP-1")
    other = variant_create(product=product, sku="LAMP-2", barcode="4006381333931")
    variant = product.variants.get(sku="LAMP-1")
    with pytest.raises(CatalogError, match="SKU LAMP-2 is already used"):
        variant_update(variant=variant, sku="lamp-2")
    with pytest.raises(CatalogError, match="already used by another variant"):
        variant_update(variant=variant, barcode=other.barcode)
    with pytest.raises(CatalogError, match="check digit should be 1"):
        variant_update(variant=variant, barcode="4006381333932")
    with pytest.raises(CatalogError, match="can't be negative"):
        variant_update(variant=variant, sale_price=Decimal("-1"))
    with pytest.raises(CatalogError, match="can't contain spaces"):
        variant_update(variant=variant, sku="LAMP 9")
    updated = variant_update(
        variant=variant,
        sku="lamp-x",
        sale_price=Decimal("19.999"),
        weight_kg=Decimal("1.2"),
        length_cm=Decimal("30"),
        reorder_point=Decimal("5"),
        lead_time_days=7,
    )
    assert updated.sku == "LAMP-X" and updated.sale_price == Decimal("20.00")
    assert updated.length_cm == Decimal("30.00") and updated.lead_time_days == 7


def test_variant_change_moves_the_products_updated_at(in_tenant):
    product = product_create(name="Lamp", sku="LAMP-1")
    before = Product.objects.get(pk=product.pk).updated_at
    variant_update(variant=product.variants.get(), sale_price=Decimal("5"))
    assert Product.objects.get(pk=product.pk).updated_at > before


def test_manager_edits_a_product_page(tenant_client, tenant, users):
    with schema_context(tenant.schema_name):
        product = product_create(name="Lamp", sku="LAMP-1")
    tenant_client.force_login(users[Role.MANAGER])
    page = tenant_client.get(f"/products/{product.pk}/edit/")
    assert page.status_code == 200 and 'value="Lamp"' in page.content.decode()
    response = tenant_client.post(
        f"/products/{product.pk}/edit/",
        {"name": "Desk lamp", "unit": "each", "tags": "office", "tax_class": "reduced"},
    )
    assert response.status_code == 302
    with schema_context(tenant.schema_name):
        product.refresh_from_db()
        assert product.name == "Desk lamp" and product.tax_class == "reduced"
    bad = tenant_client.post(f"/products/{product.pk}/edit/", {"name": "", "unit": "each"})
    assert bad.status_code == 422 and "This field is required" in bad.content.decode()


def test_clerk_cannot_edit_or_archive(tenant_client, tenant, users):
    with schema_context(tenant.schema_name):
        product = product_create(name="Lamp", sku="LAMP-1")
    tenant_client.force_login(users[Role.CLERK])
    assert tenant_client.get(f"/products/{product.pk}/edit/").status_code == 403
    assert tenant_client.post(f"/products/{product.pk}/archive/").status_code == 403
    detail = tenant_client.get(f"/products/{product.pk}/").content.decode()
    assert "Archive" not in detail and "/edit/" not in detail
    with schema_context(tenant.schema_name):
        assert Product.objects.get(pk=product.pk).is_active


def test_archive_page_flow(tenant_client, tenant, users):
    with schema_context(tenant.schema_name):
        product = product_create(name="Lamp", sku="LAMP-1")
    tenant_client.force_login(users[Role.OWNER])
    detail = tenant_client.get(f"/products/{product.pk}/").content.decode()
    assert 'data-confirm="Archive Lamp?' in detail  # asks before archiving
    link = f'href="/products/{product.pk}/"'
    tenant_client.post(f"/products/{product.pk}/archive/", {"action": "archive"}, follow=True)
    assert link not in tenant_client.get("/products/").content.decode()
    assert link in tenant_client.get("/products/", {"status": "archived"}).content.decode()
    tenant_client.post(f"/products/{product.pk}/archive/", {"action": "unarchive"})
    assert link in tenant_client.get("/products/").content.decode()


def test_variant_edit_page_saves_and_explains_errors(tenant_client, tenant, users):
    with schema_context(tenant.schema_name):
        product = product_create(name="Lamp", sku="LAMP-1")
        variant_create(product=product, sku="LAMP-2")
        variant = product.variants.get(sku="LAMP-1")
    tenant_client.force_login(users[Role.MANAGER])
    url = f"/products/{product.pk}/variants/{variant.pk}/edit/"
    prefix = f"v{variant.pk}-"
    data = {
        prefix + "sku": "LAMP-1",
        prefix + "barcode": "036000291452",
        prefix + "options": "colour=Red",
        prefix + "cost_price": "4",
        prefix + "sale_price": "9.5",
        prefix + "reorder_point": "3",
        prefix + "is_active": "on",
    }
    assert tenant_client.get(url).status_code == 200
    assert tenant_client.post(url, data).status_code == 302
    with schema_context(tenant.schema_name):
        variant.refresh_from_db()
        assert variant.barcode == "036000291452" and variant.options == {"colour": "Red"}
        assert variant.reorder_point == Decimal("3")
    taken = tenant_client.post(url, {**data, prefix + "sku": "lamp-2"})
    assert taken.status_code == 422 and "SKU LAMP-2 is already used" in taken.content.decode()
