"""Label sheets: Avery-style grids, where each label goes, and the PDF.

The maths is plain Python (``label_slots``) so it is tested without rendering; the PDF
places every label absolutely, in millimetres from the sheet's corner, because a label
printer's alignment is unforgiving and flowing layout would drift over 13 rows.
Positions are numbered as Avery numbers them: left to right, then top to bottom, from 1.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from apps.catalog.barcodes import TEXT_MODULES, BarcodeError, Symbol, barcode_svg, variant_symbol

INCH = 25.4
A4 = (210.0, 297.0)
LETTER = (8.5 * INCH, 11 * INCH)

# Below this bar width (the "X dimension") ordinary scanners start to miss; the form warns.
MIN_MODULE_MM = 0.19
# Wider bars than this only waste the label.
MAX_MODULE_MM = 0.40
MAX_COPIES = 500
# weasyprint lays out about 150–200 labels a second here: 1,000 is a few seconds, the most
# we render inside a web request.
MAX_LABELS = 1000


@dataclass(frozen=True)
class LabelTemplate:
    """One sheet product: page size, grid and label size, all in millimetres."""

    code: str
    description: str
    page_width: float
    page_height: float
    columns: int
    rows: int
    label_width: float
    label_height: float
    top: float  # page edge to the first row's top
    left: float  # page edge to the first column's left
    pitch_x: float  # left of one column to left of the next
    pitch_y: float  # top of one row to top of the next

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    @property
    def page_size_css(self) -> str:
        return f"{_mm(self.page_width)}mm {_mm(self.page_height)}mm"

    @property
    def label(self) -> str:
        return f"{self.code} — {self.description}"

    @property
    def css(self) -> dict[str, str]:
        """Sizes for the PDF template as CSS lengths (never localised numbers)."""
        return {"width": f"{_mm(self.label_width)}mm", "height": f"{_mm(self.label_height)}mm"}


# Avery's published dimensions: code, description, page (w, h), columns, rows, label (w, h),
# top and left margins (they centre the grid on the sheet), horizontal and vertical pitch.
TEMPLATES: dict[str, LabelTemplate] = {
    t.code: t
    for t in [
        LabelTemplate("L7160", "21 per A4, 63.5 × 38.1 mm", *A4, 3, 7, 63.5, 38.1, 15.15, 7.21, 66.04, 38.1),
        LabelTemplate("L7159", "24 per A4, 63.5 × 33.9 mm", *A4, 3, 8, 63.5, 33.9, 12.9, 7.21, 66.04, 33.9),
        LabelTemplate("L7163", "14 per A4, 99.1 × 38.1 mm", *A4, 2, 7, 99.1, 38.1, 15.15, 4.65, 101.6, 38.1),
        LabelTemplate("L7651", "65 per A4, 38.1 × 21.2 mm", *A4, 5, 13, 38.1, 21.2, 10.7, 4.75, 40.6, 21.2),
        LabelTemplate("5160", '30 per US Letter, 2⅝ × 1"', *LETTER, 3, 10, 2.625 * INCH, 1 * INCH,
                      0.5 * INCH, 0.1875 * INCH, 2.75 * INCH, 1 * INCH),
        LabelTemplate("5163", '10 per US Letter, 4 × 2"', *LETTER, 2, 5, 4 * INCH, 2 * INCH,
                      0.5 * INCH, 0.15625 * INCH, 4.1875 * INCH, 2 * INCH),
    ]
}  # fmt: skip
DEFAULT_TEMPLATE = "L7160"


@dataclass(frozen=True)
class LabelSlot:
    sheet: int  # 0-based sheet (page) number
    position: int  # 1-based position on the sheet, Avery's numbering
    column: int
    row: int
    left: float  # mm from the sheet's left edge
    top: float  # mm from the sheet's top edge

    @property
    def css(self) -> str:
        return f"left: {_mm(self.left)}mm; top: {_mm(self.top)}mm"


def sheets_needed(template: LabelTemplate, *, count: int, start_position: int = 1) -> int:
    if count <= 0:
        return 0
    return math.ceil((start_position - 1 + count) / template.per_sheet)


def label_slots(template: LabelTemplate, *, count: int, start_position: int = 1) -> list[LabelSlot]:
    """Where ``count`` labels go, starting at ``start_position`` on the first sheet (the
    positions before it were used already) and filling later sheets from position 1."""
    if not 1 <= start_position <= template.per_sheet:
        raise ValueError(f"start_position must be 1..{template.per_sheet}")
    slots = []
    for n in range(start_position - 1, start_position - 1 + count):
        sheet, index = divmod(n, template.per_sheet)
        row, column = divmod(index, template.columns)
        slots.append(
            LabelSlot(
                sheet=sheet,
                position=index + 1,
                column=column,
                row=row,
                left=template.left + column * template.pitch_x,
                top=template.top + row * template.pitch_y,
            )
        )
    return slots


# --- What goes on a label --------------------------------------------------------------


@dataclass(frozen=True)
class LabelStyle:
    """Type sizes and spacing for a label height: small labels get one tight line each."""

    font_pt: float
    line_mm: float
    pad_x: float
    pad_y: float
    lines: int  # text lines above the barcode

    @property
    def css(self) -> dict[str, str]:
        return {
            "font": f"{_mm(self.font_pt)}pt",
            "line": f"{_mm(self.line_mm)}mm",
            "padding": f"{_mm(self.pad_y)}mm {_mm(self.pad_x)}mm",
        }

    @classmethod
    def for_template(cls, template: LabelTemplate) -> LabelStyle:
        if template.label_height < 25:
            return cls(font_pt=6, line_mm=2.5, pad_x=2.0, pad_y=1.2, lines=2)
        if template.label_height < 45:
            return cls(font_pt=7.5, line_mm=3.2, pad_x=3.0, pad_y=2.0, lines=3)
        return cls(font_pt=10, line_mm=4.4, pad_x=4.0, pad_y=3.5, lines=3)


@dataclass(frozen=True)
class BarcodeFit:
    """A barcode sized for a label: module width and bar height in mm."""

    module_mm: float
    width_mm: float
    height_mm: float
    bar_modules: float

    @property
    def too_narrow(self) -> bool:
        return self.module_mm < MIN_MODULE_MM


def barcode_fit(symbol: Symbol, template: LabelTemplate) -> BarcodeFit:
    """The widest bars the label's width allows (capped), and the height that is left."""
    style = LabelStyle.for_template(template)
    box_width = template.label_width - 2 * style.pad_x
    box_height = template.label_height - 2 * style.pad_y - style.lines * style.line_mm - 0.5
    module = min(box_width / symbol.width, MAX_MODULE_MM)
    # The digits under the bars take TEXT_MODULES + 1 modules; bars get the rest.
    bar_modules = max(box_height / module - TEXT_MODULES - 1, 8)
    return BarcodeFit(
        module_mm=module,
        width_mm=module * symbol.width,
        height_mm=module * (bar_modules + TEXT_MODULES + 1),
        bar_modules=bar_modules,
    )


@dataclass(frozen=True)
class LabelContent:
    name: str
    options: str
    sku: str
    price: str
    barcode_uri: str
    barcode_alt: str
    barcode_width: float
    barcode_height: float

    @property
    def barcode_css(self) -> str:
        return f"width: {_mm(self.barcode_width)}mm; height: {_mm(self.barcode_height)}mm"


def options_text(options: dict) -> str:
    return " / ".join(str(value) for value in (options or {}).values() if str(value).strip())


# Symbols used on shelf labels; any other currency shows its ISO code ("CHF 12.50").
CURRENCY_SYMBOLS = {
    "USD": "$", "CAD": "$", "AUD": "$", "NZD": "$", "SGD": "$", "HKD": "HK$", "MXN": "$",
    "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥", "INR": "₹", "KRW": "₩", "ILS": "₪",
    "TRY": "₺", "PHP": "₱", "NGN": "₦", "THB": "฿", "BRL": "R$", "ZAR": "R",
}  # fmt: skip
ZERO_DECIMAL_CURRENCIES = {"JPY", "KRW", "CLP", "IDR", "HUF"}


def price_text(amount: Decimal, currency: str) -> str:
    places = Decimal(1) if currency in ZERO_DECIMAL_CURRENCIES else Decimal("0.01")
    number = f"{amount.quantize(places, rounding=ROUND_HALF_UP):,}"
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{symbol}{number}" if symbol else f"{currency} {number}"


def label_content(
    variant, *, template: LabelTemplate, show_price: bool, currency: str
) -> LabelContent:
    symbol = variant_symbol(variant)
    fit = barcode_fit(symbol, template)
    svg = barcode_svg(symbol, bar_height=fit.bar_modules, module_mm=fit.module_mm)
    return LabelContent(
        name=variant.product.name,
        options=options_text(variant.options),
        sku=variant.sku,
        price=price_text(variant.sale_price, currency) if show_price else "",
        barcode_uri="data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode(),
        barcode_alt=f"{symbol.symbology} {symbol.value}",
        barcode_width=fit.width_mm,
        barcode_height=fit.height_mm,
    )


@dataclass(frozen=True)
class PlacedLabel:
    slot: LabelSlot
    content: LabelContent


def label_sheets(
    items: Iterable[tuple[object, int]],
    *,
    template: LabelTemplate,
    start_position: int = 1,
    show_price: bool = True,
    currency: str = "USD",
) -> list[list[PlacedLabel]]:
    """The labels of each sheet, in print order: every variant's copies together.

    Raises BarcodeError when a variant has nothing drawable (the view checks first).
    """
    contents: list[LabelContent] = []
    for variant, copies in items:
        if copies > 0:
            # One content (and one SVG) per variant, however many copies.
            content = label_content(
                variant, template=template, show_price=show_price, currency=currency
            )
            contents.extend([content] * copies)
    slots = label_slots(template, count=len(contents), start_position=start_position)
    sheets: list[list[PlacedLabel]] = [[] for _ in range(slots[-1].sheet + 1)] if slots else []
    for slot, content in zip(slots, contents, strict=True):
        sheets[slot.sheet].append(PlacedLabel(slot, content))
    return sheets


def label_sheet_pdf(
    items: Sequence[tuple[object, int]],
    *,
    template: LabelTemplate,
    start_position: int = 1,
    show_price: bool = True,
    show_outlines: bool = False,
    currency: str = "USD",
    request=None,
) -> bytes:
    """The PDF of the label sheets: one page per sheet, labels placed to Avery's grid."""
    from apps.core.pdf import render_pdf

    sheets = label_sheets(
        items,
        template=template,
        start_position=start_position,
        show_price=show_price,
        currency=currency,
    )
    return render_pdf(
        "catalog/labels/sheet_pdf.html",
        {
            "template": template,
            "style": LabelStyle.for_template(template),
            "sheets": sheets,
            "show_outlines": show_outlines,
        },
        request=request,
    )


def _mm(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


__all__ = [
    "BarcodeError",
    "DEFAULT_TEMPLATE",
    "LabelTemplate",
    "TEMPLATES",
    "barcode_fit",
    "label_sheet_pdf",
    "label_sheets",
    "label_slots",
    "sheets_needed",
]
