"""Barcode maths and drawing, checked against published codes and a hand-written encoder."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from apps.accounts.models import Role
from apps.catalog.barcodes import (
    CODE128,
    EAN8,
    EAN13,
    UPCA,
    BarcodeError,
    barcode_png,
    barcode_problem,
    barcode_svg,
    gtin_check_digit,
    symbol_for,
    variant_symbol,
)
from apps.catalog.models import Variant
from apps.catalog.services import product_create

# Published examples (GS1, Wikipedia): the last digit is the check digit.
KNOWN_GTINS = [
    "4006381333931",  # EAN-13
    "5901234123457",  # EAN-13
    "9780306406157",  # ISBN-13
    "036000291452",  # UPC-A
    "012345678905",  # UPC-A
    "96385074",  # EAN-8
    "00012345600012",  # GTIN-14
]

# EAN-13 by hand, from the GS1 tables: L, G and R codes per digit, and the parity of
# the left half chosen by the first digit.
L_CODES = ["0001101", "0011001", "0010011", "0111101", "0100011",
           "0110001", "0101111", "0111011", "0110111", "0001011"]  # fmt: skip
PARITY = ["LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG",
          "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL"]  # fmt: skip


def r_code(digit: int) -> str:
    return "".join("1" if bit == "0" else "0" for bit in L_CODES[digit])


def g_code(digit: int) -> str:
    return r_code(digit)[::-1]


def ean13_by_hand(code: str) -> str:
    left = "".join(
        (L_CODES if parity == "L" else [g_code(d) for d in range(10)])[int(digit)]
        for parity, digit in zip(PARITY[int(code[0])], code[1:7], strict=True)
    )
    right = "".join(r_code(int(d)) for d in code[7:])
    return "101" + left + "01010" + right + "101"


def bars_from_svg(svg: str, quiet_left: int) -> tuple[str, dict[int, float]]:
    """The module pattern the SVG draws (from its black path's rectangles: move to x,0, then
    across w, down h, back and close) and each bar's height."""
    path = re.search(r'<path fill="#000" d="([^"]+)"/>', svg).group(1)
    rects = [
        (int(x), int(w), float(h))
        for x, w, h, back in re.findall(r"M(\d+) 0h(\d+)v([\d.]+)h-(\d+)z", path)
        if back == w
    ]
    assert "".join(f"M{x} 0h{w}v{h:g}h-{w}z" for x, w, h in rects) == path
    end = max(x + w for x, w, _ in rects) - quiet_left
    modules = ["0"] * end
    heights = {}
    for x, w, h in rects:
        for i in range(x - quiet_left, x - quiet_left + w):
            modules[i] = "1"
            heights[i] = h
    return "".join(modules), heights


@pytest.mark.parametrize("code", KNOWN_GTINS)
def test_check_digit_of_published_codes(code):
    assert gtin_check_digit(code[:-1]) == int(code[-1])
    assert barcode_problem(code) is None
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    assert barcode_problem(wrong) is not None


def test_each_kind_of_code_gets_its_symbology():
    assert symbol_for("4006381333931").symbology == EAN13
    assert symbol_for("036000291452").symbology == UPCA
    assert symbol_for("96385074").symbology == EAN8
    assert symbol_for("SHOE-42").symbology == CODE128
    # A wrong check digit is not an EAN: it is drawn as the characters it is, in Code 128,
    # so a scanner still reads back exactly what is stored.
    assert symbol_for("4006381333932").symbology == CODE128
    with pytest.raises(BarcodeError, match="printable ASCII"):
        symbol_for("CAFÉ-1")


def test_ean13_svg_draws_the_gs1_bars_for_a_known_code():
    symbol = symbol_for("4006381333931")
    expected = ean13_by_hand("4006381333931")
    assert len(expected) == 95 and symbol.modules == expected
    svg = barcode_svg(symbol, bar_height=50)
    drawn, heights = bars_from_svg(svg, symbol.quiet_left)
    assert drawn == expected
    # Start, centre and end guards reach below the other bars, into the digits.
    assert heights[0] > 50 and heights[46] > 50 and heights[94] > 50
    assert heights[3 + expected[3:].index("1")] == 50
    # The digits as printed under an EAN-13: 4 | 006381 | 333931; quiet zones 11 and 7.
    assert re.findall(r">(\d+)</text>", svg) == ["4", "006381", "333931"]
    assert 'viewBox="0 0 113 ' in svg and 'width="37.29mm"' in svg


def test_code128_bars_carry_the_value_and_the_checksum():
    symbol = symbol_for("SHOE-42")
    # Start B (104), S H O E - 4 2, checksum (104 + 1·51 + 2·40 + 3·47 + 4·37 + 5·13 + 6·20
    # + 7·18) mod 103 = 11, stop: 9 symbols of 11 modules and a 13-module stop.
    from barcode.charsets import code128

    codes = [104, 51, 40, 47, 37, 13, 20, 18, 11]
    assert symbol.modules == "".join(code128.CODES[c] for c in codes) + "1100011101011"
    drawn, _ = bars_from_svg(barcode_svg(symbol), symbol.quiet_left)
    assert drawn == symbol.modules
    assert ">SHOE-42</text>" in barcode_svg(symbol)


def test_png_has_the_same_bars_in_whole_pixels():
    symbol = symbol_for("036000291452")
    image = Image.open(io.BytesIO(barcode_png(symbol, module_px=3)))
    assert image.format == "PNG" and image.width == symbol.width * 3
    assert round(image.info["dpi"][0]) == 300
    row = [image.getpixel((x, 5)) for x in range(0, image.width, 3)]
    drawn = "".join("1" if pixel < 128 else "0" for pixel in row)
    assert drawn == "0" * 9 + symbol.modules + "0" * 9


def test_a_variant_without_barcode_gets_its_sku_in_code128(in_tenant):
    product = product_create(name="Lamp", sku="LAMP-1")
    variant = product.variants.get()
    assert (variant_symbol(variant).symbology, variant_symbol(variant).value) == (
        CODE128,
        "LAMP-1",
    )
    variant.sku = "LAMPE-ÉTÉ"
    with pytest.raises(BarcodeError, match="no barcode, and its SKU cannot be drawn"):
        variant_symbol(variant)


@pytest.fixture
def lamp(tenant):
    with schema_context(tenant.schema_name):
        product = product_create(
            name="Lamp", sku="LAMP-1", barcode="4006381333931", sale_price=Decimal("9.5")
        )
        return product.variants.get()


def test_barcode_svg_and_png_urls_with_etag(tenant_client, users, lamp):
    tenant_client.force_login(users[Role.VIEWER])
    svg = tenant_client.get(f"/products/variants/{lamp.pk}/barcode.svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert "EAN-13 4006381333931" in svg.content.decode()
    assert "private" in svg["Cache-Control"] and "no-cache" in svg["Cache-Control"]
    again = tenant_client.get(
        f"/products/variants/{lamp.pk}/barcode.svg", HTTP_IF_NONE_MATCH=svg["ETag"]
    )
    assert again.status_code == 304 and again.content == b""
    png = tenant_client.get(f"/products/variants/{lamp.pk}/barcode.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert png["ETag"] != svg["ETag"]
    assert tenant_client.get(f"/products/variants/{lamp.pk}/barcode.gif").status_code == 404


def test_changed_barcode_changes_the_etag(tenant_client, tenant, users, lamp):
    tenant_client.force_login(users[Role.VIEWER])
    first = tenant_client.get(f"/products/variants/{lamp.pk}/barcode.svg")
    with schema_context(tenant.schema_name):
        Variant.objects.filter(pk=lamp.pk).update(barcode="5901234123457")
    after = tenant_client.get(
        f"/products/variants/{lamp.pk}/barcode.svg", HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert after.status_code == 200 and "5901234123457" in after.content.decode()


def test_another_companys_variant_is_not_found(tenant_client, tenant, other_tenant, users):
    with schema_context(other_tenant.schema_name):
        theirs = product_create(name="Secret", sku="BETA-1").variants.get()
    with schema_context(tenant.schema_name):
        assert not Variant.objects.filter(pk=theirs.pk).exists()
    tenant_client.force_login(users[Role.OWNER])
    response = tenant_client.get(f"/products/variants/{theirs.pk}/barcode.svg")
    assert response.status_code == 404 and b"BETA-1" not in response.content


def test_barcode_needs_a_login(tenant_client, lamp):
    response = tenant_client.get(f"/products/variants/{lamp.pk}/barcode.svg")
    assert response.status_code == 302 and "login" in response["Location"]


SWITCHES = {99: "C", 100: "B", 101: "A"}


def decode_code128(modules: str) -> str:
    """Read Code 128 bars back to text by the standard's rules (value → character per code
    set, set switches, modulo-103 checksum); only the bar-pattern table comes from the
    library, and its anchor patterns are checked below."""
    from barcode.charsets.code128 import CODES

    by_pattern = {pattern: value for value, pattern in enumerate(CODES)}
    assert modules.endswith("1100011101011")  # stop + final bar
    values = [by_pattern[modules[i : i + 11]] for i in range(0, len(modules) - 13, 11)]
    *data, checksum = values
    assert checksum == (data[0] + sum(i * v for i, v in enumerate(data[1:], 1))) % 103
    code_set = {103: "A", 104: "B", 105: "C"}[data[0]]
    text = ""
    for value in data[1:]:
        if code_set == "C" and value < 100:
            text += f"{value:02d}"
        elif value in SWITCHES and SWITCHES[value] != code_set:  # (FNC4 is never drawn)
            code_set = SWITCHES[value]
        elif code_set == "B":
            text += chr(value + 32)
        else:  # set A: printable characters up to "_", then control characters
            text += chr(value + 32) if value < 64 else chr(value - 64)
    return text


def test_code128_anchor_patterns_match_the_standard():
    from barcode.charsets.code128 import CODES

    # Bar/space widths 212222, 211214, 211232 from the Code 128 table.
    assert (CODES[0], CODES[104], CODES[105]) == ("11011001100", "11010010000", "11010011100")


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=47))
def test_any_printable_value_reads_back_from_its_code128_bars(value):
    code = ("#" + value).strip()  # "#": never a GTIN; strip: as symbol_for and the scan box do
    symbol = symbol_for(code)
    assert symbol.symbology == CODE128
    assert decode_code128(symbol.modules) == code
