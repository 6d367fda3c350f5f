"""Field mapping in a connection's settings: channel fields (Shopify metafields, WooCommerce
attributes and meta_data) fill Stockroom fields on product import."""

from __future__ import annotations

import time

import pytest
from django_tenants.utils import schema_context

from apps.catalog.models import Variant
from apps.integrations.errors import IntegrationError
from apps.integrations.field_map import field_map_parse
from apps.integrations.models import Connection
from apps.integrations.services import connection_field_map_save
from apps.integrations.sync import sync_run_start
from tests.fakes.woocommerce import FakeWooCommerce
from tests.integrations.conftest import shopify_connect

EAN = "4006381333931"  # a valid EAN-13


def _run(sync_jobs, connection, entity="products"):
    with sync_jobs():
        run = sync_run_start(connection=connection, entity=entity)
    run.refresh_from_db()
    return run


# --- the rules -------------------------------------------------------------------------------


def test_rules_parse_from_lines_with_comments():
    text = """
    # brand lives in a metafield
    metafield:custom.brand = brand
    metafield:custom.gtin=barcode
    vendor = tag   # the vendor becomes a tag
    metafield:specs.material = option: Material
    """
    assert field_map_parse("shopify", text) == [
        {"source": "metafield:custom.brand", "target": "brand"},
        {"source": "metafield:custom.gtin", "target": "barcode"},
        {"source": "vendor", "target": "tag"},
        {"source": "metafield:specs.material", "target": "option:material"},
    ]
    assert field_map_parse("woocommerce", "attribute:Brand = brand\nmeta:_gtin = barcode") == [
        {"source": "attribute:Brand", "target": "brand"},
        {"source": "meta:_gtin", "target": "barcode"},
    ]


@pytest.mark.parametrize(
    ("provider", "text", "message"),
    [
        ("shopify", "vendor = colour", "Line 1: unknown Stockroom field “colour”"),
        ("shopify", "vendor = brand\nmetafield:nodot = tag", "Line 2: unknown channel field"),
        ("shopify", "meta:x = brand", "unknown channel field “meta:x”"),
        ("woocommerce", "metafield:custom.brand = brand", "unknown channel field"),
        ("woocommerce", "attribute:Brand brand", "Line 1: write “channel field = Stockroom"),
        ("shopify", "vendor = brand\nmetafield:c.b = brand", "“brand” is already filled"),
        ("stripe", "vendor = brand", "This channel has no field mapping."),
    ],
)
def test_bad_rules_are_refused_naming_the_line(provider, text, message):
    with pytest.raises(IntegrationError) as refused:
        field_map_parse(provider, text)
    assert message in refused.value.message


# --- Shopify ---------------------------------------------------------------------------------


@pytest.fixture
def connected(tenant, manager_client, shopify_fake, warehouse, sync_jobs):
    shopify_connect(manager_client, shopify_fake, sync_jobs=sync_jobs)
    with schema_context(tenant.schema_name):
        yield Connection.objects.get(provider="shopify")


def test_shopify_metafields_fill_barcode_brand_tag_and_attribute(
    in_tenant, connected, shopify_fake, sync_jobs
):
    connection_field_map_save(
        connection=connected,
        text="metafield:custom.brand = brand\nmetafield:custom.gtin = barcode\n"
        "vendor = tag\nmetafield:specs.material = option:Material",
    )
    mug = shopify_fake.add_product("Blue mug", [("MUG-BLUE", "12.50"), ("MUG-RED", "12.50")])
    mug["vendor"] = "Acme Pottery"
    shopify_fake.set_metafield(mug, "custom", "brand", "Acme")
    shopify_fake.set_metafield(mug, "specs", "material", "Stoneware")
    blue, red = mug["variants"]
    shopify_fake.set_metafield(blue, "custom", "gtin", EAN)
    shopify_fake.set_metafield(red, "specs", "material", "Porcelain")  # the variant's wins

    run = _run(sync_jobs, connected)

    assert (run.state, run.created, run.failed) == ("succeeded", 2, 0)
    blue_v = Variant.objects.select_related("product").get(sku="MUG-BLUE")
    red_v = Variant.objects.get(sku="MUG-RED")
    assert blue_v.barcode == EAN and red_v.barcode == ""
    assert blue_v.product.brand == "Acme"
    assert blue_v.product.tags == ["acme pottery"]
    assert blue_v.options["material"] == "Stoneware" and red_v.options["material"] == "Porcelain"

    # a changed metafield updates on the next (incremental) import; a blank one erases nothing
    time.sleep(0.01)
    shopify_fake.set_metafield(mug, "custom", "brand", "Acme Home")
    shopify_fake.set_metafield(blue, "custom", "gtin", "")
    shopify_fake.touch(mug)
    again = _run(sync_jobs, connected)
    assert (again.updated, again.failed) == (1, 0)  # the blue variant; the red has no change
    blue_v.refresh_from_db()
    blue_v.product.refresh_from_db()
    assert blue_v.product.brand == "Acme Home" and blue_v.barcode == EAN


def test_shopify_without_mapping_imports_as_before(in_tenant, connected, shopify_fake, sync_jobs):
    mug = shopify_fake.add_product("Blue mug", [("MUG-BLUE", "12.50")])
    shopify_fake.set_metafield(mug, "custom", "brand", "Acme")
    run = _run(sync_jobs, connected)
    assert run.created == 1
    assert Variant.objects.select_related("product").get(sku="MUG-BLUE").product.brand == ""


def test_a_mapped_value_the_catalog_refuses_fails_that_record_only(
    in_tenant, connected, shopify_fake, sync_jobs
):
    connection_field_map_save(connection=connected, text="metafield:custom.gtin = barcode")
    bad = shopify_fake.add_product("Bad", [("BAD-1", "1.00")])
    shopify_fake.set_metafield(bad["variants"][0], "custom", "gtin", "4006381333932")
    shopify_fake.add_product("Good", [("GOOD-1", "1.00")])
    run = _run(sync_jobs, connected)
    assert (run.created, run.failed) == (1, 1)
    assert "BAD-1" in run.errors[0]["record"] and run.errors[0]["message"]
    assert not Variant.objects.filter(sku="BAD-1").exists()  # nothing half-written


def test_shopify_webhook_payload_metafields_and_vendor_are_mapped(
    tenant, tenant_client, connected, shopify_fake, sync_jobs
):
    with schema_context(tenant.schema_name):
        connection_field_map_save(
            connection=connected, text="metafield:custom.brand = brand\nbarcode = barcode"
        )
    payload = {
        "id": 901, "title": "Teapot", "vendor": "Acme", "product_type": "Kitchen",
        "tags": "gift, kitchen",
        "metafields": [{"namespace": "custom", "key": "brand", "value": "Acme Home"}],
        "variants": [{"id": 902, "sku": "TEA-1", "price": "30.00", "barcode": EAN,
                      "inventory_item_id": 903}],
    }  # fmt: skip
    body, headers = shopify_fake.webhook("products/update", payload)
    with sync_jobs():
        response = tenant_client.post(
            f"/hooks/shopify/{connected.pk}/",
            data=body,
            content_type="application/json",
            headers=headers,
        )
    assert response.status_code == 200
    with schema_context(tenant.schema_name):
        teapot = Variant.objects.select_related("product").get(sku="TEA-1")
        assert (teapot.product.brand, teapot.barcode) == ("Acme Home", EAN)


# --- WooCommerce -----------------------------------------------------------------------------


@pytest.fixture
def woo_fake():
    fake = FakeWooCommerce().start()
    yield fake
    fake.stop()


@pytest.fixture
def woo(tenant, manager_client, woo_fake, warehouse, sync_jobs):
    data = {
        "name": "Woo shop",
        "url": woo_fake.url,
        "consumer_key": woo_fake.consumer_key,
        "consumer_secret": woo_fake.consumer_secret,
        "warehouse": warehouse.pk,
    }
    with sync_jobs():
        assert manager_client.post("/integrations/woocommerce/connect/", data).status_code == 302
    with schema_context(tenant.schema_name):
        yield Connection.objects.get(provider="woocommerce")


def test_woocommerce_attributes_and_meta_data_are_mapped(in_tenant, woo, woo_fake, sync_jobs):
    connection_field_map_save(
        connection=woo,
        text="attribute:Brand = brand\nmeta:_gtin = barcode\nmeta:season = tag\n"
        "attribute:Fit = option:Fit\nmeta:care = description",
    )
    hoodie = woo_fake.add_variable("Hoodie", [("HOOD-S", "40.00", "S"), ("HOOD-M", "40.00", "M")])
    woo_fake.add_attribute(hoodie, "Brand", ["Northwind"])
    woo_fake.add_attribute(hoodie, "Fit", ["Regular", "Slim"])  # several options: all of them
    woo_fake.add_meta(hoodie, "season", "winter")
    woo_fake.add_meta(hoodie, "care", {"wash": "cold"})  # structured meta is not a value
    small = next(v for v in woo_fake.variations[hoodie["id"]].values() if v["sku"] == "HOOD-S")
    woo_fake.add_meta(small, "_gtin", EAN)
    mug = woo_fake.add_simple("Mug", "MUG-1")
    woo_fake.add_attribute(mug, "Brand", ["Acme"])

    run = _run(sync_jobs, woo)

    assert (run.state, run.created, run.failed) == ("succeeded", 3, 0)
    s = Variant.objects.select_related("product").get(sku="HOOD-S")
    m = Variant.objects.get(sku="HOOD-M")
    assert (s.barcode, m.barcode) == (EAN, "")
    assert s.product.brand == "Northwind" and s.product.tags == ["winter"]
    assert s.product.description == ""
    assert s.options == {"size": "S", "fit": "Regular, Slim"}
    assert Variant.objects.select_related("product").get(sku="MUG-1").product.brand == "Acme"


# --- the settings page -----------------------------------------------------------------------


def test_settings_page_saves_the_mapping_and_refuses_an_unknown_field(
    tenant, manager_client, connected
):
    page = manager_client.get(f"/integrations/{connected.pk}/").content.decode()
    assert "Which channel field fills which Stockroom field" in page
    assert "metafield:custom.brand = brand" in page  # the example in the help text

    url = f"/integrations/{connected.pk}/fields/"
    refused = manager_client.post(url, {"field_map": "vendor = brand\nvendor = colour"})
    assert refused.status_code == 422
    text = refused.content.decode()
    assert "Line 2: unknown Stockroom field “colour”" in text
    assert "vendor = colour" in text  # what was typed stays in the form
    with schema_context(tenant.schema_name):
        assert "field_map" not in Connection.objects.get(pk=connected.pk).settings

    saved = manager_client.post(url, {"field_map": "metafield:custom.brand = brand"})
    assert saved.status_code == 302
    with schema_context(tenant.schema_name):
        settings = Connection.objects.get(pk=connected.pk).settings
    assert settings["field_map"] == [{"source": "metafield:custom.brand", "target": "brand"}]
    assert "locations" in settings  # the warehouse mapping is kept
    again = manager_client.get(f"/integrations/{connected.pk}/").content.decode()
    assert "metafield:custom.brand = brand</textarea>" in again


def test_channels_without_products_have_no_field_mapping(tenant, manager_client, settings):
    from tests.fakes.stripe import FakeStripe

    fake = FakeStripe().start()
    try:
        settings.INTEGRATIONS_STRIPE_API_BASE = fake.url
        manager_client.post(
            "/integrations/stripe/connect/", {"name": "Stripe", "secret_key": fake.secret_key}
        )
    finally:
        fake.stop()
    with schema_context(tenant.schema_name):
        stripe = Connection.objects.get(provider="stripe")
    page = manager_client.get(f"/integrations/{stripe.pk}/").content.decode()
    assert "Which channel field fills" not in page
    assert manager_client.post(f"/integrations/{stripe.pk}/fields/", {}).status_code == 404
