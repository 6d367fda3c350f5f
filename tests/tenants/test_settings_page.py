import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.accounts.models import Role
from apps.tenants.models import Tenant

VALID = {
    "name": "Alpha Supplies Ltd",
    "legal_name": "Alpha Supplies Limited",
    "address": "1 Dock Road",
    "contact_email": "hi@alpha.test",
    "phone": "+44 20 0000 0000",
    "time_zone": "Europe/London",
    "currency": "GBP",
    "accent_colour": "#aa3300",
    "valuation_method": "fifo",
}


def png(size=(40, 20)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(buffer, "PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


def test_owner_changes_company_settings_and_branding_shows(tenant_client, tenant, owner):
    tenant_client.force_login(owner)
    response = tenant_client.post("/settings/", VALID)
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert (tenant.name, tenant.currency, tenant.time_zone, tenant.valuation_method) == (
        "Alpha Supplies Ltd",
        "GBP",
        "Europe/London",
        "fifo",
    )
    assert tenant.allow_negative_stock is False
    page = tenant_client.get("/").content.decode()
    assert "--brand: #aa3300" in page and "Alpha Supplies Ltd" in page


def test_manager_cannot_open_company_settings(tenant_client, users):
    tenant_client.force_login(users[Role.MANAGER])
    assert tenant_client.get("/settings/").status_code == 403


def test_bad_values_are_explained_and_nothing_changes(tenant_client, tenant, owner):
    tenant_client.force_login(owner)
    response = tenant_client.post(
        "/settings/",
        {**VALID, "accent_colour": "red", "time_zone": "Mars/Olympus", "currency": "XXX"},
    )
    assert response.status_code == 422
    content = response.content.decode()
    assert "#RRGGBB" in content and "Select a valid choice" in content
    assert Tenant.objects.get(pk=tenant.pk).name == "Alpha Supplies"


def test_logo_is_stored_under_the_schema_name(
    tenant_client, tenant, owner, settings, tmp_path, request
):
    from django.core.files.storage import default_storage, storages
    from django.utils.functional import empty

    settings.MEDIA_ROOT = str(tmp_path)

    # django-tenants' storage keeps the media root it first saw (its cache reset on
    # setting_changed does not reach it); a fresh storage reads the new one.
    def fresh_storage():
        storages._storages = {}
        default_storage._wrapped = empty

    fresh_storage()
    request.addfinalizer(fresh_storage)  # later tests get the restored media root
    tenant_client.force_login(owner)
    response = tenant_client.post("/settings/", {**VALID, "logo": png()})
    assert response.status_code == 302
    tenant.refresh_from_db()
    stored = list(tmp_path.rglob("*.png"))
    assert len(stored) == 1 and stored[0].relative_to(tmp_path).parts[0] == tenant.schema_name


def test_oversized_or_wrong_type_logo_is_refused(tenant_client, owner):
    tenant_client.force_login(owner)
    text = SimpleUploadedFile("logo.png", b"not an image", content_type="image/png")
    response = tenant_client.post("/settings/", {**VALID, "logo": text})
    assert response.status_code == 422 and "Upload a valid image" in response.content.decode()


def test_allowing_negative_stock_switches_the_database_guard(tenant_client, tenant, owner):
    from decimal import Decimal

    from django_tenants.utils import schema_context

    from apps.catalog.models import Product, Variant
    from apps.inventory.models import Location, StockLevel, StockMove, Warehouse
    from apps.inventory.services import MoveLine, stock_moves_post

    tenant_client.force_login(owner)
    assert (
        tenant_client.post("/settings/", {**VALID, "allow_negative_stock": "on"}).status_code == 302
    )
    tenant.refresh_from_db()
    assert tenant.allow_negative_stock is True
    with schema_context(tenant.schema_name):
        from django.db import connection

        connection.tenant = tenant
        location = Location.objects.create(
            warehouse=Warehouse.objects.create(code="N", name="N"), code="N1"
        )
        variant = Variant.objects.create(product=Product.objects.create(name="Neg"), sku="NEG-1")
        stock_moves_post(
            lines=[MoveLine(variant.pk, location.pk, Decimal(-2))], kind=StockMove.Kind.SHIPMENT
        )
        assert StockLevel.objects.get(variant=variant).on_hand == Decimal(-2)
    # Turning it off again is refused while a balance is below zero, with the reason.
    response = tenant_client.post("/settings/", VALID)
    assert response.status_code == 422 and "below zero" in response.content.decode()
    tenant.refresh_from_db()
    assert tenant.allow_negative_stock is True
