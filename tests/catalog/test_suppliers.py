"""Suppliers and supplier items: services and pages."""

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.catalog.errors import CatalogError
from apps.catalog.models import Supplier, SupplierItem
from apps.catalog.services import (
    product_create,
    supplier_archive,
    supplier_create,
    supplier_item_create,
    supplier_item_delete,
    supplier_item_update,
    supplier_update,
)


def test_supplier_update_validates(in_tenant):
    acme = supplier_create(name="Acme")
    supplier_create(name="Bolt Co")
    with pytest.raises(CatalogError, match="already a supplier called bolt co"):
        supplier_update(supplier=acme, name="bolt co")
    with pytest.raises(CatalogError, match="not a currency we know"):
        supplier_update(supplier=acme, currency="XYZ")
    with pytest.raises(CatalogError, match="not an email address"):
        supplier_update(supplier=acme, email="nope")
    with pytest.raises(CatalogError, match="whole number of days"):
        supplier_update(supplier=acme, payment_terms_days=400)
    supplier_update(supplier=acme, currency="eur", phone=" 123 ", default_lead_time_days=3)
    acme.refresh_from_db()
    assert (acme.currency, acme.phone, acme.default_lead_time_days) == ("EUR", "123", 3)


def test_one_preferred_supplier_per_variant(in_tenant):
    variant = product_create(name="Bolt", sku="BOLT-1").variants.get()
    acme, bolt, cog = (supplier_create(name=n) for n in ("Acme", "Bolt Co", "Cog Ltd"))
    first = supplier_item_create(supplier=acme, variant=variant, cost=Decimal("2"))
    assert first.is_preferred  # the first supplier of a variant is preferred
    second = supplier_item_create(
        supplier=bolt, variant=variant, cost=Decimal("1.5"), is_preferred=True
    )
    first.refresh_from_db()
    assert second.is_preferred and not first.is_preferred
    third = supplier_item_create(supplier=cog, variant=variant, cost=Decimal("1.8"))
    assert not third.is_preferred
    supplier_item_update(item=third, is_preferred=True)
    assert list(
        SupplierItem.objects.filter(variant=variant, is_preferred=True).values_list(
            "supplier__name", flat=True
        )
    ) == ["Cog Ltd"]
    supplier_item_delete(item=SupplierItem.objects.get(supplier=cog))
    # the cheapest remaining supplier takes over
    assert SupplierItem.objects.get(variant=variant, is_preferred=True).supplier == bolt


def test_supplier_item_checks(in_tenant):
    variant = product_create(name="Bolt", sku="BOLT-1").variants.get()
    acme = supplier_create(name="Acme")
    with pytest.raises(CatalogError, match="Pack size must be more than 0"):
        supplier_item_create(supplier=acme, variant=variant, pack_size=Decimal(0))
    with pytest.raises(CatalogError, match="Cost must be 0 or more"):
        supplier_item_create(supplier=acme, variant=variant, cost=Decimal(-1))
    supplier_item_create(supplier=acme, variant=variant, supplier_sku="A-1")
    with pytest.raises(CatalogError, match="already has an item for BOLT-1"):
        supplier_item_create(supplier=acme, variant=variant)


def test_supplier_pages(tenant_client, tenant, users):
    with schema_context(tenant.schema_name):
        variant = product_create(name="Bolt", sku="BOLT-1", barcode="4006381333931").variants.get()
    tenant_client.force_login(users[Role.MANAGER])
    created = tenant_client.post(
        "/products/suppliers/",
        {
            "name": "Acme",
            "currency": "USD",
            "payment_terms_days": 30,
            "default_lead_time_days": 10,
            "email": "orders@acme.test",
        },
    )
    assert created.status_code == 302
    with schema_context(tenant.schema_name):
        acme = Supplier.objects.get(name="Acme")
    url = f"/products/suppliers/{acme.pk}/"
    assert created["Location"] == url
    item = tenant_client.post(
        url,
        {
            "variant_code": "4006381333931",  # scanned
            "supplier_sku": "AC-77",
            "cost": "1.25",
            "minimum_order_quantity": "10",
            "pack_size": "5",
        },
    )
    assert item.status_code == 302
    unknown = tenant_client.post(
        url, {"variant_code": "NOPE", "cost": "1", "minimum_order_quantity": 1, "pack_size": 1}
    )
    assert unknown.status_code == 422 and "No variant has the SKU or barcode NOPE" in (
        unknown.content.decode()
    )
    with schema_context(tenant.schema_name):
        si = SupplierItem.objects.get(supplier=acme, variant=variant)
        assert si.supplier_sku == "AC-77" and si.pack_size == Decimal(5) and si.is_preferred
    page = tenant_client.get(url).content.decode()
    assert "AC-77" in page and "orders@acme.test" in page
    saved = tenant_client.post(
        f"{url}items/{si.pk}/",
        {
            "action": "save",
            f"item{si.pk}-supplier_sku": "AC-78",
            f"item{si.pk}-cost": "1.30",
            f"item{si.pk}-minimum_order_quantity": "10",
            f"item{si.pk}-pack_size": "5",
            f"item{si.pk}-is_preferred": "on",
        },
    )
    assert saved.status_code == 302
    with schema_context(tenant.schema_name):
        si.refresh_from_db()
        assert si.supplier_sku == "AC-78" and si.cost == Decimal("1.30")
    edit = tenant_client.post(
        f"{url}edit/",
        {
            "name": "Acme Parts",
            "currency": "GBP",
            "payment_terms_days": 45,
            "default_lead_time_days": 7,
        },
    )
    assert edit.status_code == 302
    tenant_client.post(f"{url}edit/", {"action": "archive"}, follow=True)
    listing = tenant_client.get("/products/suppliers/").content.decode()
    assert f'href="{url}"' not in listing
    everything = tenant_client.get("/products/suppliers/", {"status": "all"}).content.decode()
    assert f'href="{url}"' in everything and "Archived" in everything
    # sorting and search stay in the URL
    assert (
        tenant_client.get("/products/suppliers/", {"sort": "-items", "q": "acme"}).status_code
        == 200
    )
    tenant_client.post(f"{url}items/{si.pk}/", {"action": "delete"})
    with schema_context(tenant.schema_name):
        assert not SupplierItem.objects.filter(pk=si.pk).exists()
    tenant_client.force_login(users[Role.CLERK])
    assert tenant_client.get(f"{url}edit/").status_code == 403
    assert tenant_client.get(url).status_code == 200


def test_archived_supplier_leaves_purchase_order_picker(in_tenant):
    from apps.purchasing.forms import OrderForm

    acme = supplier_create(name="Acme")
    bolt = supplier_create(name="Bolt Co")
    supplier_archive(supplier=acme)
    assert list(OrderForm().fields["supplier"].queryset) == [bolt]


def test_supplier_pages_query_budget(tenant_client, tenant, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    tenant_client.force_login(users[Role.MANAGER])
    with schema_context(tenant.schema_name):
        acme = supplier_create(name="Acme")
        variant = product_create(name="Bolt", sku="BOLT-0").variants.get()
        supplier_item_create(supplier=acme, variant=variant)

    def count(url) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert tenant_client.get(url, {"per_page": 100}).status_code == 200
        return len(ctx.captured_queries)

    urls = ["/products/suppliers/", f"/products/suppliers/{acme.pk}/"]
    [count(u) for u in urls]
    before = [count(u) for u in urls]
    with schema_context(tenant.schema_name):
        for i in range(1, 40):
            other = supplier_create(name=f"Supplier {i:02d}")
            variant = product_create(name=f"Bolt {i}", sku=f"BOLT-{i}").variants.get()
            supplier_item_create(supplier=acme, variant=variant, supplier_sku=f"A-{i}")
            supplier_item_create(supplier=other, variant=variant)
    assert [count(u) for u in urls] == before


def test_supplier_added_from_the_product_page(tenant_client, tenant, users):
    with schema_context(tenant.schema_name):
        product = product_create(name="Bolt", sku="BOLT-1")
        variant = product.variants.get()
        acme = supplier_create(name="Acme")
        archived = supplier_create(name="Old Co")
        supplier_archive(supplier=archived)
    tenant_client.force_login(users[Role.MANAGER])
    page = tenant_client.get(f"/products/{product.pk}/").content.decode()
    assert "Add a supplier of a variant" in page and "Old Co" not in page
    url = f"/products/{product.pk}/suppliers/"
    data = {
        "variant": variant.pk,
        "supplier": acme.pk,
        "supplier_sku": "AC-9",
        "cost": "2.5",
        "minimum_order_quantity": "1",
        "pack_size": "10",
    }
    assert tenant_client.post(url, data).status_code == 302
    again = tenant_client.post(url, data)
    assert (
        again.status_code == 422 and "Acme already has an item for BOLT-1" in again.content.decode()
    )
    with schema_context(tenant.schema_name):
        item = SupplierItem.objects.get(variant=variant)
        assert item.supplier == acme and item.is_preferred and item.pack_size == Decimal(10)
    detail = tenant_client.get(f"/products/{product.pk}/").content.decode()
    assert "AC-9" in detail and "preferred" in detail
    tenant_client.force_login(users[Role.CLERK])
    assert tenant_client.post(url, {**data, "supplier": archived.pk}).status_code == 403
