"""Lot, expiry and serials on the receive page and over the API."""

from datetime import date

from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.catalog.models import Product
from apps.inventory.models import LotLevel, SerialNumber, StockMove
from apps.purchasing.models import Receipt
from apps.purchasing.services import purchase_order_submit
from tests.api.conftest import api_as  # noqa: F401 - the API tests' key fixture


def _tracked_order(tenant, buying, make_order):
    with schema_context(tenant.schema_name):
        Product.objects.filter(pk=buying["bolt"].product_id).update(tracks_lots=True)
        Product.objects.filter(pk=buying["nut"].product_id).update(tracks_serials=True)
        order = purchase_order_submit(order=make_order())
        lines = {line.variant.sku: line.pk for line in order.lines.select_related("variant")}
    return order, lines


def test_receive_page_asks_for_lot_expiry_and_serials(web, tenant, buying, make_order):
    order, lines = _tracked_order(tenant, buying, make_order)
    bolt, nut = lines["BOLT-1"], lines["NUT-1"]
    client = web.login_as(Role.CLERK)
    url = f"/purchasing/orders/{order.pk}/receive/"
    page = client.get(url).content.decode()
    assert f'for="lot-{bolt}"' in page and f'for="expiry-{bolt}"' in page
    assert f'for="serials-{nut}"' in page and f'for="lot-{nut}"' not in page
    form = {"location": buying["shelf"].pk, "action": "receive", f"received-{bolt}": "4"}

    missing = client.post(url, form)
    assert missing.status_code == 422
    assert "BOLT-1 is tracked by lot: enter the lot number." in missing.content.decode()
    bad_date = client.post(url, {**form, f"lot-{bolt}": "L-1", f"expiry-{bolt}": "soon"})
    assert bad_date.status_code == 422
    assert "BOLT-1: enter the expiry as a date" in bad_date.content.decode()
    # What was typed comes back.
    assert f'name="lot-{bolt}" maxlength="64" autocomplete="off" value="L-1"' in (
        bad_date.content.decode()
    )
    short = client.post(
        url,
        {
            **form,
            f"lot-{bolt}": "L-1",
            f"expiry-{bolt}": "2027-01-31",
            f"received-{nut}": "2",
            f"serials-{nut}": "SN-1",
        },
    )
    assert short.status_code == 422
    assert "NUT-1: 2 received needs 2 serial numbers, 1 entered." in short.content.decode()
    with schema_context(tenant.schema_name):
        assert not Receipt.objects.exists() and not StockMove.objects.exists()

    done = client.post(
        url,
        {
            **form,
            f"lot-{bolt}": "L-1",
            f"expiry-{bolt}": "2027-01-31",
            f"received-{nut}": "2",
            f"serials-{nut}": "SN-1\r\nSN-2",
        },
    )
    assert done.status_code == 302
    with schema_context(tenant.schema_name):
        level = LotLevel.objects.select_related("lot").get()
        assert (level.lot.number, level.lot.expiry_date, level.on_hand) == (
            "L-1",
            date(2027, 1, 31),
            4,
        )
        assert sorted(SerialNumber.objects.values_list("serial", flat=True)) == ["SN-1", "SN-2"]


def test_api_receive_takes_lot_expiry_and_serials(api_as, tenant, buying, make_order):  # noqa: F811
    order, lines = _tracked_order(tenant, buying, make_order)
    api = api_as(Role.CLERK, ["purchasing:write"])
    url = f"/api/purchase-orders/{order.pk}/receive/"
    duplicate = api.post(
        url,
        {
            "location": buying["shelf"].pk,
            "items": [{"line": lines["NUT-1"], "quantity": "2", "serials": ["S-9", "S-9"]}],
        },
    )
    assert duplicate.status_code == 400
    assert "serial number S-9 is entered twice" in duplicate.json_body["error"]["message"]
    received = api.post(
        url,
        {
            "location": buying["shelf"].pk,
            "items": [
                {"line": lines["BOLT-1"], "quantity": "3", "lot": "L-7", "expiry": "2027-05-01"},
                {"line": lines["NUT-1"], "quantity": "1", "serials": ["S-9"]},
            ],
        },
    )
    assert received.status_code == 200, received.content
    with schema_context(tenant.schema_name):
        level = LotLevel.objects.select_related("lot").get()
        assert (level.lot.number, level.lot.expiry_date, level.on_hand) == (
            "L-7",
            date(2027, 5, 1),
            3,
        )
        assert list(SerialNumber.objects.values_list("serial", flat=True)) == ["S-9"]
