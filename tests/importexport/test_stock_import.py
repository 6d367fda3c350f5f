from decimal import Decimal

from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.importexport.models import ImportBatch
from apps.inventory.models import StockLevel, StockMove, VariantCost
from apps.inventory.services import MoveLine, stock_moves_post
from tests.importexport.conftest import table_counts, upload


def _batch(tenant, response) -> ImportBatch:
    assert response.status_code == 302, response.content.decode()[:2000]
    pk = int(response["Location"].rstrip("/").split("/")[-1])
    with schema_context(tenant.schema_name):
        return ImportBatch.objects.get(pk=pk)


def test_opening_stock_posts_opening_balances(tenant_client, tenant, users, catalog, places):
    tenant_client.force_login(users[Role.CLERK])
    content = (
        b"SKU,Warehouse,Location,Quantity,Unit cost\n"
        b"shoe-m,main,a-01,12,21.5\n"
        b"SHOE-L,MAIN,,4,\n"  # blank location: the warehouse's receiving location
    )
    with schema_context(tenant.schema_name):
        before = table_counts()
    batch = _batch(tenant, upload(tenant_client, "opening_stock", content))
    with schema_context(tenant.schema_name):
        assert table_counts() == before  # the preview wrote nothing
    assert batch.status == "ready" and batch.create_count == 2
    tenant_client.post(f"/data/imports/{batch.pk}/confirm/")
    with schema_context(tenant.schema_name):
        batch.refresh_from_db()
        assert batch.status == "done", batch.message
        moves = {m.variant.sku: m for m in StockMove.objects.select_related("variant", "location")}
        assert (moves["SHOE-M"].kind, moves["SHOE-M"].quantity, moves["SHOE-M"].unit_cost) == (
            "opening",
            Decimal("12"),
            Decimal("21.5"),
        )
        assert moves["SHOE-M"].reference_type == "import"
        assert moves["SHOE-M"].reference_id == str(batch.pk)
        assert moves["SHOE-M"].user_id == users[Role.CLERK].pk
        assert moves["SHOE-L"].location.code == "RECEIVING"
        assert moves["SHOE-L"].unit_cost == Decimal("20")  # the variant's cost price
        assert VariantCost.objects.get(variant__sku="SHOE-M").average_cost == Decimal("21.5")
    # The same file again changes nothing: opening stock is set once.
    again = _batch(tenant, upload(tenant_client, "opening_stock", content))
    assert (again.unchanged_count, again.create_count, again.can_confirm) == (2, 0, False)


def test_stock_rows_name_unknown_skus_places_and_bad_numbers(
    tenant_client, tenant, users, catalog, places
):
    tenant_client.force_login(users[Role.CLERK])
    content = (
        b"sku,warehouse,location,quantity,reason\n"
        b"NOPE,MAIN,A-01,1,found\n"
        b"SHOE-M,WEST,A-01,1,found\n"
        b"SHOE-M,MAIN,Z-99,1,found\n"
        b"SHOE-M,MAIN,A-01,one,found\n"
        b"SHOE-M,MAIN,A-01,2,borrowed\n"
        b"SHOE-M,MAIN,TRANSIT,2,found\n"
        b"SHOE-M,MAIN,A-01,-1,lost\n"
    )
    batch = _batch(tenant, upload(tenant_client, "adjustments", content))
    with schema_context(tenant.schema_name):
        errors = {r.number: r.errors for r in batch.rows.filter(action="error")}
    assert errors[2] == [{"column": "sku", "message": "No variant has the SKU NOPE."}]
    assert errors[3] == [{"column": "warehouse", "message": "No warehouse has the code WEST."}]
    assert errors[4] == [{"column": "location", "message": "Warehouse MAIN has no location Z-99."}]
    assert errors[5] == [
        {"column": "quantity", "message": "“one” is not a number. Write it like 12.50."}
    ]
    assert errors[6][0]["column"] == "reason" and "borrowed" in errors[6][0]["message"]
    assert errors[7][0]["column"] == "location" and "transit" in errors[7][0]["message"]
    assert errors[8] == [
        {
            "column": "quantity",
            "message": "Not enough stock at SHOE-M @ MAIN/A-01: 1 to remove, 0 available "
            "(after the rows above).",
        }
    ]


def test_adjustments_follow_the_rows_above_and_post_with_reasons(
    tenant_client, tenant, users, catalog, places
):
    tenant_client.force_login(users[Role.CLERK])
    content = (
        b"sku,warehouse,location,quantity,reason,note\n"
        b"SHOE-M,MAIN,A-01,5,found,Shelf recount\n"
        b"SHOE-M,MAIN,A-01,-2,Damaged,Water\n"
        b"SHOE-L,MAIN,A-01,3,correction,\n"
    )
    batch = _batch(tenant, upload(tenant_client, "adjustments", content))
    assert batch.status == "ready" and batch.create_count == 3
    tenant_client.post(f"/data/imports/{batch.pk}/confirm/")
    with schema_context(tenant.schema_name):
        batch.refresh_from_db()
        assert batch.status == "done", batch.message
        level = StockLevel.objects.get(variant__sku="SHOE-M", location=places["bin"])
        assert level.on_hand == Decimal("3")
        reasons = sorted(
            StockMove.objects.filter(kind="adjustment").values_list("reason", "note", "quantity")
        )
        assert reasons == [
            ("correction", "", Decimal("3")),
            ("damaged", "Water", Decimal("-2")),
            ("found", "Shelf recount", Decimal("5")),
        ]


def test_stock_taken_after_the_preview_fails_the_confirm_and_writes_nothing(
    tenant_client, tenant, users, catalog, places
):
    tenant_client.force_login(users[Role.CLERK])
    with schema_context(tenant.schema_name):
        shoe_m = catalog["product"].variants.get(sku="SHOE-M")
        stock_moves_post(lines=[MoveLine(shoe_m.pk, places["bin"].pk, Decimal(5))], kind="receipt")
    content = (
        b"sku,warehouse,location,quantity,reason\n"
        b"SHOE-L,MAIN,A-01,7,found\n"
        b"SHOE-M,MAIN,A-01,-4,damaged\n"
    )
    batch = _batch(tenant, upload(tenant_client, "adjustments", content))
    assert batch.status == "ready"
    with schema_context(tenant.schema_name):
        # Someone ships 3 in the meantime: only 2 are left, row 3 can no longer be posted.
        stock_moves_post(
            lines=[MoveLine(shoe_m.pk, places["bin"].pk, Decimal(-3))], kind="shipment"
        )
        before = table_counts()
    response = tenant_client.post(f"/data/imports/{batch.pk}/confirm/", follow=True)
    assert "Nothing was imported" in response.content.decode()
    with schema_context(tenant.schema_name):
        batch.refresh_from_db()
        assert table_counts() == before
        assert batch.status == "invalid"
        assert "2 available" in batch.rows.get(number=3).errors[0]["message"]
    # Stock arrives; the kept upload is checked again and imported without a re-upload.
    with schema_context(tenant.schema_name):
        stock_moves_post(lines=[MoveLine(shoe_m.pk, places["bin"].pk, Decimal(10))], kind="receipt")
    response = tenant_client.post(f"/data/imports/{batch.pk}/recheck/", follow=True)
    assert "no errors now" in response.content.decode()
    tenant_client.post(f"/data/imports/{batch.pk}/confirm/")
    with schema_context(tenant.schema_name):
        batch.refresh_from_db()
        assert batch.status == "done", batch.message
        assert StockLevel.objects.get(variant=shoe_m, location=places["bin"]).on_hand == 8
