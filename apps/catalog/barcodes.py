"""Barcodes: checks (EAN-13 and UPC-A by their check digit, Code 128 by its character set)
and drawing a variant's barcode as SVG or PNG."""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape


def gtin_check_digit(body: str) -> int:
    """Check digit of a GTIN body (all digits but the last), per GS1: weights 3,1,3,1… from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def barcode_problem(code: str) -> str | None:
    """None when ``code`` is a valid EAN-13, UPC-A or Code 128 value; otherwise what is wrong."""
    if not code:
        return None
    if code.isdigit() and len(code) in (12, 13):
        kind = "UPC-A" if len(code) == 12 else "EAN-13"
        expected = gtin_check_digit(code[:-1])
        if int(code[-1]) != expected:
            return f"This {kind} barcode's check digit should be {expected}, not {code[-1]}. Check for a typing mistake."
        return None
    if code.isdigit() and len(code) in (8, 14):
        return (
            None
            if int(code[-1]) == gtin_check_digit(code[:-1])
            else "The barcode's check digit is wrong."
        )
    if len(code) > 48 or any(not (32 <= ord(ch) <= 126) for ch in code):
        return "A barcode uses printable ASCII characters only (Code 128), at most 48 of them."
    return None


# ---------------------------------------------------------------------------
# Drawing: which symbology a variant gets, its bars, and SVG/PNG images of them.
# python-barcode encodes (digits → module pattern); we draw, so SVG and PNG share one
# geometry: whole modules, quiet zones per GS1, guard bars longer, digits under the bars.
# ---------------------------------------------------------------------------

EAN13, UPCA, EAN8, CODE128 = "EAN-13", "UPC-A", "EAN-8", "Code 128"

# Bump when the drawing changes, so cached images (ETag) are refreshed.
RENDERER_VERSION = "1"


class BarcodeError(ValueError):
    """Neither the variant's barcode nor its SKU can be drawn as a barcode."""


@dataclass(frozen=True)
class Symbol:
    """One barcode ready to draw: the value, its bars and where digits go under them.

    ``modules`` has one character per module: "1" bar, "0" space. ``long_bars`` are the
    module indexes of bars that reach below the digits (EAN/UPC guards). ``digits`` are
    (text, first module, last module) runs, the module range being where the text is
    centred; a negative range means the left quiet zone, one past the end the right one.
    """

    symbology: str
    value: str
    modules: str
    quiet_left: int
    quiet_right: int
    long_bars: frozenset[int] = frozenset()
    digits: tuple[tuple[str, int, int], ...] = ()

    @property
    def width(self) -> int:
        """Width in modules, quiet zones included."""
        return self.quiet_left + len(self.modules) + self.quiet_right

    def bars(self) -> list[tuple[int, int]]:
        """(first module, width) of each bar, quiet zone included in the offset."""
        runs = []
        for match in re.finditer("1+", self.modules):
            runs.append((self.quiet_left + match.start(), match.end() - match.start()))
        return runs

    @property
    def etag(self) -> str:
        raw = f"{RENDERER_VERSION}|{self.symbology}|{self.value}".encode()
        return hashlib.sha256(raw).hexdigest()[:32]


def _is_gtin(code: str, length: int) -> bool:
    return code.isdigit() and len(code) == length and int(code[-1]) == gtin_check_digit(code[:-1])


def is_code128(code: str) -> bool:
    """Code 128 (sets A and B) draws printable ASCII; more than 48 does not fit a label."""
    return 0 < len(code) <= 48 and all(32 <= ord(ch) <= 126 for ch in code)


def _guards(*ranges: tuple[int, int]) -> frozenset[int]:
    return frozenset(i for start, end in ranges for i in range(start, end))


def symbol_for(code: str) -> Symbol:
    """The symbol for one value: EAN-13, UPC-A or EAN-8 when it is one with a right check
    digit, otherwise Code 128. Raises BarcodeError when even Code 128 cannot draw it."""
    from barcode.codex import Code128
    from barcode.ean import EAN8 as Ean8
    from barcode.ean import EAN13 as Ean13
    from barcode.upc import UPCA as Upca

    code = (code or "").strip()
    if _is_gtin(code, 13):
        modules = Ean13(code).build()[0]
        return Symbol(
            EAN13,
            code,
            modules,
            quiet_left=11,
            quiet_right=7,
            long_bars=_guards((0, 3), (45, 50), (92, 95)),
            digits=((code[0], -11, -1), (code[1:7], 3, 45), (code[7:], 50, 92)),
        )
    if _is_gtin(code, 12):
        modules = Upca(code).build()[0]
        # UPC-A also lengthens the bars of its first and last digit (number system, check).
        return Symbol(
            UPCA,
            code,
            modules,
            quiet_left=9,
            quiet_right=9,
            long_bars=_guards((0, 10), (45, 50), (85, 95)),
            digits=(
                (code[0], -9, -1),
                (code[1:6], 10, 45),
                (code[6:11], 50, 85),
                (code[11], 95, 104),
            ),
        )
    if _is_gtin(code, 8):
        modules = Ean8(code).build()[0]
        return Symbol(
            EAN8,
            code,
            modules,
            quiet_left=7,
            quiet_right=7,
            long_bars=_guards((0, 3), (31, 36), (64, 67)),
            digits=((code[:4], 3, 31), (code[4:], 36, 64)),
        )
    if not is_code128(code):
        raise BarcodeError(
            "A barcode uses printable ASCII characters only (Code 128), at most 48 of them."
        )
    modules = Code128(code).build()[0]
    return Symbol(
        CODE128,
        code,
        modules,
        quiet_left=10,
        quiet_right=10,
        digits=((code, 0, len(modules)),),
    )


def variant_symbol(variant) -> Symbol:
    """What a variant's label shows: its barcode when it has a drawable one, else its SKU
    as Code 128 (which the scan box also finds)."""
    for code in (variant.barcode, variant.sku):
        if code and code.strip():
            try:
                return symbol_for(code)
            except BarcodeError:
                continue
    raise BarcodeError(
        f"Variant {variant.sku} has no barcode, and its SKU cannot be drawn as one"
        " (Code 128 takes printable ASCII characters only)."
    )


# --- SVG ----------------------------------------------------------------------------

TEXT_MODULES = 9  # digit height in modules: about 3 mm at EAN's nominal 0.33 mm module


def barcode_svg(
    symbol: Symbol,
    *,
    bar_height: float = 50,
    module_mm: float = 0.33,
    show_text: bool = True,
) -> str:
    """A standalone SVG whose user unit is one module.

    ``width``/``height`` give the real size at ``module_mm`` (EAN-13's nominal 0.33 mm by
    default); a label scales the image by CSS, and the viewBox keeps the proportions.
    """
    text_h = TEXT_MODULES if show_text else 0
    guard_extra = text_h / 2 if symbol.long_bars and show_text else 0
    height = bar_height + text_h + (1 if show_text else 0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="0 0 {symbol.width} '
        f'{_num(height)}" width="{_num(symbol.width * module_mm)}mm" '
        f'height="{_num(height * module_mm)}mm" role="img" '
        f'aria-label="{symbol.symbology} barcode {escape(symbol.value)}" '
        'shape-rendering="crispEdges">',
        f"<title>{symbol.symbology} {escape(symbol.value)}</title>",
        f'<rect width="{symbol.width}" height="{_num(height)}" fill="#fff"/>',
    ]
    # All bars as one path (a rectangle per bar): label sheets draw this SVG thousands of
    # times, and PDF renderers pay per element.
    bars = []
    for x, w in symbol.bars():
        long = (x - symbol.quiet_left) in symbol.long_bars
        h = bar_height + (guard_extra if long else 0)
        bars.append(f"M{x} 0h{w}v{_num(h)}h-{w}z")
    parts.append(f'<path fill="#000" d="{"".join(bars)}"/>')
    if show_text:
        parts.append(
            f'<g font-family="DejaVu Sans Mono, monospace" font-size="{TEXT_MODULES}" '
            'text-anchor="middle" fill="#000">'
        )
        baseline = bar_height + text_h
        for text, first, last in symbol.digits:
            # Centre the text over its module range; the range is relative to the bars.
            centre = symbol.quiet_left + (first + last) / 2
            # A long Code 128 value is squeezed to the bars' width rather than overflowing.
            fit = ""
            if len(text) * TEXT_MODULES * 0.6 > last - first:
                fit = f' textLength="{last - first}" lengthAdjust="spacingAndGlyphs"'
            parts.append(
                f'<text x="{_num(centre)}" y="{_num(baseline)}"{fit}>{escape(text)}</text>'
            )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def _num(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


# --- PNG ----------------------------------------------------------------------------


def barcode_png(
    symbol: Symbol, *, module_px: int = 3, bar_height: int = 50, dpi: int = 300
) -> bytes:
    """A PNG with whole pixels per module (so bars stay sharp); 3 px at 300 dpi ≈ 0.25 mm."""
    from PIL import Image, ImageDraw, ImageFont

    text_px = TEXT_MODULES * module_px
    bar_px = bar_height * module_px
    guard_px = text_px // 2 if symbol.long_bars else 0
    image = Image.new("L", (symbol.width * module_px, bar_px + text_px + module_px * 2), 255)
    draw = ImageDraw.Draw(image)
    for x, w in symbol.bars():
        long = (x - symbol.quiet_left) in symbol.long_bars
        bottom = bar_px + (guard_px if long else 0) - 1
        draw.rectangle([x * module_px, 0, (x + w) * module_px - 1, bottom], fill=0)
    font = ImageFont.truetype(_FONT_PATH, size=text_px)
    for text, first, last in symbol.digits:
        centre = (symbol.quiet_left + (first + last) / 2) * module_px
        size = text_px
        # Shrink a long Code 128 text until it fits under the bars.
        while size > 6 and draw.textlength(text, font=font) > (last - first) * module_px:
            size -= 1
            font = ImageFont.truetype(_FONT_PATH, size=size)
        draw.text((centre, bar_px + module_px), text, fill=0, font=font, anchor="mt")
        font = ImageFont.truetype(_FONT_PATH, size=text_px)
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(dpi, dpi), optimize=True)
    return out.getvalue()


def _font_path() -> str:
    import barcode

    return str(Path(barcode.__file__).parent / "fonts" / "DejaVuSansMono.ttf")


_FONT_PATH = _font_path()
