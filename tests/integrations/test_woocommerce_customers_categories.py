"""WooCommerce customers into sales customers; WooCommerce categories into catalog categories."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from apps.catalog.categories import category_create
from apps.catalog.models import Category, Product, Variant
from apps.catalog.services import product_update
from apps.integrations.models import ExternalId
from apps.integrations.providers import woocommerce
from apps.integrations.sync import entities_for, sync_run_retry
from apps.sales.customers.services import CustomerData, customer_create
from apps.sales.models import Customer
from tests.integrations.test_woocommerce import _run, connection, woo_fake  # noqa: F401


@pytest.mark.usefixtures("in_tenant")
def test_customers_import_creates_links_updates_and_skips(connection, woo_fake, sync_jobs):  # noqa: F811
    assert "customers" in entities_for("woocommerce")
    ann = woo_fake.add_customer("Ann", "Lee", "ann@example.com", "+1 555 0100")
    bob = woo_fake.add_customer("Bob", "Stone", "bob@example.com")
    existing = customer_create(data=CustomerData(name="Bob S.", email="BOB@example.com"))

    first = _run(sync_jobs, connection, "customers")
    assert (first.state, first.created, first.updated) == ("succeeded", 1, 1)
    created = Customer.objects.get(email="ann@example.com")
    assert (created.name, created.phone) == ("Ann Lee", "+1 555 0100")
    # Bob was linked to the customer with his email, not duplicated, and kept its name.
    assert Customer.objects.filter(email__iexact="bob@example.com").count() == 1
    link = ExternalId.objects.get(
        connection=connection, entity="customer", external_id=str(bob["id"])
    )
    assert link.local_id == existing.pk
    assert Customer.objects.get(pk=existing.pk).name == "Bob S."

    connection.refresh_from_db()
    again = _run(sync_jobs, connection, "customers")
    assert (again.state, again.created, again.updated, again.skipped) == ("succeeded", 0, 0, 2)

    connection.refresh_from_db()
    woo_fake.touch_customer(ann, last_name="Lee-Park", billing={"phone": "+1 555 0199"})
    third = _run(sync_jobs, connection, "customers")
    assert (third.created, third.updated, third.skipped) == (0, 1, 1)
    assert (Customer.objects.get(pk=created.pk).name, Customer.objects.get(pk=created.pk).phone) == (
        "Ann Lee-Park", "+1 555 0199",
    )  # fmt: skip
    assert Customer.objects.count() == 2

    # Forgetting the cursor re-reads everything: the linked Bob now takes the channel's name
    # (customers_import's rule for mapped customers), and a second full run changes nothing.
    def full_run():
        connection.refresh_from_db()
        connection.sync_state = {}
        connection.save()
        return _run(sync_jobs, connection, "customers")

    full = full_run()
    assert (full.created, full.updated, full.skipped) == (0, 1, 1)
    assert Customer.objects.get(pk=existing.pk).name == "Bob Stone"
    full = full_run()
    assert (full.created, full.updated, full.skipped) == (0, 0, 2)
    assert Customer.objects.count() == 2


@pytest.mark.usefixtures("in_tenant")
def test_imported_customer_is_the_one_orders_use(connection, woo_fake, sync_jobs):  # noqa: F811
    ann = woo_fake.add_customer("Ann", "Lee", "ann@example.com")
    _run(sync_jobs, connection, "customers")
    customer = Customer.objects.get(email="ann@example.com")
    assert (
        woocommerce.remote_order({"id": 1, "customer_id": ann["id"], "line_items": []}).customer_id
        == ExternalId.objects.get(local_id=customer.pk, entity="customer").external_id
    )


@pytest.mark.usefixtures("in_tenant")
def test_customers_server_error_mid_sync_resumes_without_duplicates(
    connection,  # noqa: F811
    woo_fake,  # noqa: F811
    sync_jobs,
    monkeypatch,
):
    monkeypatch.setattr(woocommerce, "PAGE_SIZE", 2)
    for i in range(5):
        woo_fake.add_customer(f"Buyer{i}", "Test", f"buyer{i}@example.com")
    woo_fake.script["GET /wp-json/wc/v3/customers"] = [None, 503, 503, 503, 503, 503]
    failed = _run(sync_jobs, connection, "customers")
    assert (failed.state, failed.created) == ("failed", 2)
    with sync_jobs():
        retry = sync_run_retry(run=failed)
    retry.refresh_from_db()
    assert (retry.state, retry.created) == ("succeeded", 3)
    assert Customer.objects.filter(email__startswith="buyer").count() == 5


@pytest.mark.usefixtures("in_tenant")
def test_customer_without_name_uses_billing_company_or_is_skipped(
    connection,  # noqa: F811
    woo_fake,  # noqa: F811
    sync_jobs,
):
    firm = woo_fake.add_customer("", "", "")
    woo_fake.touch_customer(
        firm, billing={"company": "Acme Ltd", "first_name": "", "last_name": ""}
    )
    blank = woo_fake.add_customer("", "", "")
    woo_fake.touch_customer(blank, billing={"first_name": "", "last_name": ""})
    run = _run(sync_jobs, connection, "customers")
    assert (run.state, run.created, run.skipped) == ("succeeded", 1, 1)
    assert Customer.objects.get().name == "Acme Ltd"


@pytest.mark.usefixtures("in_tenant")
def test_product_categories_map_by_name_path(connection, woo_fake, sync_jobs):  # noqa: F811
    clothing = woo_fake.add_category("Clothing")
    shirts = woo_fake.add_category("Shirts", parent=clothing)
    uncategorized = woo_fake.add_category("Uncategorized")
    # "clothing" already exists in the catalog (other case): it is reused, not duplicated.
    existing_root = category_create(name="clothing")
    tee = woo_fake.add_variable("Tee", [("TEE-S", "20.00", "S"), ("TEE-M", "20.00", "M")])
    woo_fake.categorize(tee, shirts)
    candle = woo_fake.add_simple("Candle", "CANDLE")
    woo_fake.categorize(candle, uncategorized)

    run = _run(sync_jobs, connection, "products")
    assert (run.state, run.created, run.failed) == ("succeeded", 3, 0)
    tee_product = Variant.objects.get(sku="TEE-M").product
    assert tee_product.category.name == "Shirts"
    assert tee_product.category.parent_id == existing_root.pk
    assert Variant.objects.get(sku="TEE-S").options == {"size": "S"}
    assert Variant.objects.get(sku="CANDLE").product.category is None
    assert Category.objects.count() == 2


@pytest.mark.usefixtures("in_tenant")
def test_category_set_in_stockroom_is_kept(connection, woo_fake, sync_jobs):  # noqa: F811
    gifts = woo_fake.add_category("Gifts")
    candle = woo_fake.add_simple("Candle", "CANDLE")
    woo_fake.categorize(candle, gifts)
    _run(sync_jobs, connection, "products")
    product = Product.objects.get(variants__sku="CANDLE")
    assert product.category.name == "Gifts"

    mine = category_create(name="Home")
    product_update(product=product, category=mine)
    home_decor = woo_fake.add_category("Decor", parent=gifts)
    woo_fake.categorize(candle, home_decor)
    connection.refresh_from_db()
    _run(sync_jobs, connection, "products")
    assert Product.objects.get(pk=product.pk).category_id == mine.pk
    assert not Category.objects.filter(name="Decor").exists()


def test_product_webhook_brings_its_category(
    tenant,
    tenant_client,
    connection,  # noqa: F811
    woo_fake,  # noqa: F811
    sync_jobs,
):
    outdoor = woo_fake.add_category("Outdoor")
    tents = woo_fake.add_category("Tents", parent=outdoor)
    product = woo_fake.add_simple("Tent", "TENT-2P", "120.00")
    woo_fake.categorize(product, tents)
    body, headers = woo_fake.delivery("product.created", product)
    with sync_jobs():
        response = tenant_client.post(
            f"/hooks/woocommerce/{connection.pk}/",
            data=body,
            content_type="application/json",
            headers=headers,
        )
    assert response.status_code == 200
    with schema_context(tenant.schema_name):
        category = Variant.objects.get(sku="TENT-2P").product.category
        assert (category.parent.name, category.name) == ("Outdoor", "Tents")


@pytest.mark.usefixtures("in_tenant")
def test_too_deep_category_fails_in_words_and_keeps_the_product(
    connection,  # noqa: F811
    woo_fake,  # noqa: F811
    sync_jobs,
):
    from apps.catalog.categories import MAX_DEPTH

    parent = None
    for level in range(MAX_DEPTH + 1):
        parent = woo_fake.add_category(f"Level {level}", parent=parent)
    candle = woo_fake.add_simple("Candle", "CANDLE")
    woo_fake.categorize(candle, parent)
    run = _run(sync_jobs, connection, "products")
    assert (run.created, run.failed) == (1, 1)
    assert "nest at most" in str(run.errors)
    assert Product.objects.get(variants__sku="CANDLE").category is None
    assert not Category.objects.exists()


@pytest.mark.usefixtures("in_tenant")
def test_hourly_schedule_imports_woocommerce_customers(connection, woo_fake, sync_jobs):  # noqa: F811
    from apps.integrations.models import SyncRun
    from apps.integrations.tasks import products_sync_due

    woo_fake.add_customer("Ann", "Lee", "ann@example.com")
    with sync_jobs():
        products_sync_due()
    run = SyncRun.objects.get(connection=connection, entity="customers", trigger="schedule")
    assert (run.state, run.created) == ("succeeded", 1)
    assert Customer.objects.filter(email="ann@example.com").exists()
