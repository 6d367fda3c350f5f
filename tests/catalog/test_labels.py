"""Label sheets: the grid maths, the form's checks and the PDF it answers."""

from __future__ import annotations

import re
import zlib
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.catalog.barcodes import symbol_for
from apps.catalog.labels import (
    MAX_LABELS,
    TEMPLATES,
    barcode_fit,
    label_sheets,
    label_slots,
    price_text,
    sheets_needed,
)
from apps.catalog.models import Product, Variant
from apps.catalog.services import product_create, variant_create

URL = "/products/labels/"


def pdf_page_count(pdf: bytes) -> int:
    """Pages in a PDF, looking inside weasyprint's compressed object streams too."""
    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return sum(len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", chunk)) for chunk in chunks)


def query(*variants, **params) -> str:
    pairs = [("variant", v.pk) for v in variants] + list(params.items())
    return f"{URL}?{urlencode(pairs)}"


@pytest.fixture
def shoes(tenant):
    """Three variants: an EAN-13, a UPC-A and one with only a SKU."""
    with schema_context(tenant.schema_name):
        product = product_create(
            name="Trail shoe",
            sku="SHOE-42",
            barcode="4006381333931",
            sale_price=Decimal("49.9"),
            options={"size": "42", "colour": "Blue"},
        )

        variant_create(
            product=product, sku="SHOE-43", barcode="036000291452", options={"size": "43"}
        )
        variant_create(product=product, sku="SHOE-44", options={"size": "44"})
        return list(product.variants.order_by("sku"))


# --- The grid ---------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(TEMPLATES))
def test_every_template_grid_fits_its_page_and_is_centred(code):
    t = TEMPLATES[code]
    right = t.left + (t.columns - 1) * t.pitch_x + t.label_width
    bottom = t.top + (t.rows - 1) * t.pitch_y + t.label_height
    assert right <= t.page_width and bottom <= t.page_height
    assert abs((t.page_width - right) - t.left) < 0.1
    assert abs((t.page_height - bottom) - t.top) < 0.1
    assert t.pitch_x >= t.label_width and t.pitch_y >= t.label_height


def test_required_avery_templates_have_their_label_counts():
    counts = {code: TEMPLATES[code].per_sheet for code in ("L7160", "L7163", "L7651", "5160")}
    assert counts == {"L7160": 21, "L7163": 14, "L7651": 65, "5160": 30}


def test_slots_start_at_the_chosen_position_and_fill_the_next_sheet_from_one():
    t = TEMPLATES["L7160"]  # 3 columns × 7 rows
    slots = label_slots(t, count=20, start_position=5)
    first, last = slots[0], slots[-1]
    assert (first.sheet, first.position, first.column, first.row) == (0, 5, 1, 1)
    assert first.left == pytest.approx(7.21 + 66.04) and first.top == pytest.approx(15.15 + 38.1)
    assert [s.position for s in slots if s.sheet == 0] == list(range(5, 22))
    assert (last.sheet, last.position) == (1, 3)
    assert sheets_needed(t, count=20, start_position=5) == 2
    assert sheets_needed(t, count=17, start_position=5) == 1
    assert sheets_needed(t, count=18, start_position=5) == 2
    assert sheets_needed(t, count=0, start_position=5) == 0
    with pytest.raises(ValueError):
        label_slots(t, count=1, start_position=22)


def test_barcode_is_as_wide_as_the_label_allows_and_long_codes_are_flagged():
    small, wide = TEMPLATES["L7651"], TEMPLATES["L7163"]
    ean = symbol_for("4006381333931")
    fit = barcode_fit(ean, small)
    assert fit.width_mm <= small.label_width - 4 and not fit.too_narrow
    assert barcode_fit(ean, wide).module_mm == pytest.approx(0.40)  # capped
    long_sku = symbol_for("OUTDOOR-FOOTWEAR-TRAIL-42-BLUE")
    assert barcode_fit(long_sku, small).too_narrow
    assert not barcode_fit(long_sku, wide).too_narrow


def test_price_in_the_company_currency():
    assert price_text(Decimal("1249.9"), "EUR") == "€1,249.90"
    assert price_text(Decimal("1249.5"), "JPY") == "¥1,250"
    assert price_text(Decimal("12.5"), "CHF") == "CHF 12.50"


# --- The page and the PDF ----------------------------------------------------------------


def test_page_lists_the_chosen_variants_with_a_summary(tenant_client, users, shoes):
    tenant_client.force_login(users[Role.CLERK])
    response = tenant_client.get(query(*shoes, copies=2))
    html = response.content.decode()
    assert response.status_code == 200
    for sku in ("SHOE-42", "SHOE-43", "SHOE-44"):
        assert sku in html
    assert "EAN-13 4006381333931" in html and "UPC-A 036000291452" in html
    assert "Code 128 SHOE-44" in html
    assert "<strong>6 labels</strong> on <strong>1 sheet</strong> of L7160" in html


def test_pdf_page_count_follows_template_copies_and_start(tenant_client, users, shoes):
    tenant_client.force_login(users[Role.CLERK])
    copies = {f"copies_{v.pk}": 10 for v in shoes}
    # L7163 has 14 per sheet: 5 used + 30 labels = 35 positions → 3 sheets.
    response = tenant_client.get(
        query(*shoes, template="L7163", start_position=6, show_price="on", print=1, **copies)
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert pdf_page_count(response.content) == 3
    # Starting at 1, the same 30 labels need 3 sheets too; 28 need exactly 2.
    copies[f"copies_{shoes[0].pk}"] = 8
    response = tenant_client.get(
        query(*shoes, template="L7163", start_position=1, print=1, **copies)
    )
    assert pdf_page_count(response.content) == 2
    # 65 per sheet, starting at the last label: one on the first sheet, the rest on the next.
    response = tenant_client.get(
        query(
            shoes[0], template="L7651", start_position=65, print=1, **{f"copies_{shoes[0].pk}": 2}
        )
    )
    assert pdf_page_count(response.content) == 2


def test_start_position_beyond_the_sheet_is_explained(tenant_client, users, shoes):
    tenant_client.force_login(users[Role.CLERK])
    response = tenant_client.get(query(*shoes, template="L7160", start_position=30, print=1))
    assert response.status_code == 422 and response["Content-Type"].startswith("text/html")
    assert "Sheet L7160 has 21 labels; start at 1 to 21." in response.content.decode()
    response = tenant_client.get(query(*shoes, template="L9999", start_position=0, print=1))
    html = response.content.decode()
    assert "Choose one of the label sheets listed." in html and "numbered from 1" in html


def test_bad_copies_are_explained_per_variant(tenant_client, users, shoes):
    tenant_client.force_login(users[Role.CLERK])
    a, b, c = shoes
    bad = {f"copies_{a.pk}": "-1", f"copies_{b.pk}": "two", f"copies_{c.pk}": "1"}
    html = tenant_client.get(query(*shoes, template="L7160", print=1, **bad)).content.decode()
    assert "Copies of SHOE-42 cannot be negative." in html
    assert "Copies of SHOE-43 must be a whole number." in html
    zero = {f"copies_{v.pk}": "0" for v in shoes}
    response = tenant_client.get(query(*shoes, template="L7160", print=1, **zero))
    assert response.status_code == 422 and "nothing to print" in response.content.decode()
    many = {f"copies_{v.pk}": "500" for v in shoes}
    many[f"copies_{c.pk}"] = str(MAX_LABELS)  # over the per-variant limit
    response = tenant_client.get(query(*shoes, template="L7160", print=1, **many))
    assert "Print at most 500 copies of SHOE-44 at a time." in response.content.decode()
    too_many = {f"copies_{v.pk}": "400" for v in shoes}
    response = tenant_client.get(query(*shoes, template="L7160", print=1, **too_many))
    assert response.status_code == 422
    assert "That is 1,200 labels; print at most 1,000 at a time." in response.content.decode()


def test_viewer_can_print_and_anonymous_cannot(tenant_client, users, shoes):
    assert tenant_client.get(query(*shoes, print=1)).status_code == 302
    tenant_client.force_login(users[Role.VIEWER])
    response = tenant_client.get(query(*shoes, template="L7160", print=1))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")


def test_another_companys_variant_is_left_out(tenant_client, tenant, other_tenant, users, shoes):
    with schema_context(other_tenant.schema_name):
        theirs = product_create(name="Secret", sku="BETA-SECRET").variants.get()
    with schema_context(tenant.schema_name):
        assert not Variant.objects.filter(pk=theirs.pk).exists()
    tenant_client.force_login(users[Role.OWNER])
    response = tenant_client.get(query(theirs))
    html = response.content.decode()
    assert "BETA-SECRET" not in html and f"Variant {theirs.pk} was not found" in html
    printed = tenant_client.get(query(theirs, template="L7160", print=1))
    assert printed.status_code == 422
    assert "Choose at least one variant" in printed.content.decode()


def test_scanning_a_code_adds_its_variant(tenant_client, users, shoes):
    tenant_client.force_login(users[Role.CLERK])
    response = tenant_client.get(query(shoes[0], template="L7651", add="036000291452"))
    assert response.status_code == 302
    assert f"variant={shoes[1].pk}" in response["Location"] and "add=" not in response["Location"]
    assert "template=L7651" in response["Location"]
    unknown = tenant_client.get(query(shoes[0], add="NOPE-1"))
    assert unknown.status_code == 422
    assert "No variant has the barcode or SKU “NOPE-1”." in unknown.content.decode()
    # The form always sends the scan box: empty, it just refreshes; with "Download PDF"
    # the PDF wins over a half-typed code.
    assert tenant_client.get(query(shoes[0], add="")).status_code == 200
    printed = tenant_client.get(query(shoes[0], template="L7160", add="SHOE-43", print=1))
    assert printed["Content-Type"] == "application/pdf"


def test_product_parameter_prints_all_its_active_variants(tenant_client, tenant, users, shoes):
    with schema_context(tenant.schema_name):
        Variant.objects.filter(pk=shoes[2].pk).update(is_active=False)
    tenant_client.force_login(users[Role.CLERK])
    html = tenant_client.get(f"{URL}?product={shoes[0].product_id}").content.decode()
    assert "SHOE-42" in html and "SHOE-43" in html and "SHOE-44" not in html


def test_htmx_change_answers_only_the_summary(tenant_client, users, shoes):
    tenant_client.force_login(users[Role.CLERK])
    response = tenant_client.get(
        query(*shoes, template="L7651", start_position=64, **{f"copies_{shoes[0].pk}": 5}),
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="label-summary",
    )
    html = response.content.decode()
    assert response.status_code == 200 and not html.lstrip().startswith("<!doctype")
    assert 'id="label-summary"' in html and "<strong>7 labels</strong>" in html
    assert "<strong>2 sheets</strong>" in html and "starts at label 64" in html


def test_empty_state_without_variants(tenant_client, users):
    tenant_client.force_login(users[Role.CLERK])
    html = tenant_client.get(URL).content.decode()
    assert "No variants chosen" in html


def make_variants(tenant, n: int) -> list[Variant]:
    with schema_context(tenant.schema_name):
        product = Product.objects.create(name="Bolt")
        return Variant.objects.bulk_create(
            Variant(product=product, sku=f"BOLT-{i:03d}", sale_price=Decimal("1.25"))
            for i in range(n)
        )


@pytest.mark.parametrize("n", [1, 100])
def test_fixed_query_count_for_page_and_pdf(
    tenant_client, tenant, users, n, django_assert_max_num_queries
):
    variants = make_variants(tenant, n)
    tenant_client.force_login(users[Role.CLERK])
    tenant_client.get(URL)  # the first request after login also saves the session
    # Domain, search path ×2, session, user, the sidebar's badge, the variants: 7 or fewer.
    with django_assert_max_num_queries(7):
        assert tenant_client.get(query(*variants)).status_code == 200
    with django_assert_max_num_queries(7):
        response = tenant_client.get(query(*variants, template="L7651", print=1))
    assert pdf_page_count(response.content) == (1 if n == 1 else 2)


def test_label_content_follows_the_variant_and_the_price_switch(in_tenant, shoes):
    template = TEMPLATES["L7160"]
    sheets = label_sheets([(shoes[0], 2), (shoes[2], 1)], template=template, currency="EUR")
    labels = [placed.content for placed in sheets[0]]
    assert [c.sku for c in labels] == ["SHOE-42", "SHOE-42", "SHOE-44"]
    first = labels[0]
    assert (first.name, first.options, first.price) == ("Trail shoe", "42 / Blue", "€49.90")
    assert (
        first.barcode_alt == "EAN-13 4006381333931" and labels[2].barcode_alt == "Code 128 SHOE-44"
    )
    assert first.barcode_uri.startswith("data:image/svg+xml;base64,")
    hidden = label_sheets([(shoes[0], 1)], template=template, show_price=False, currency="EUR")
    assert hidden[0][0].content.price == ""
