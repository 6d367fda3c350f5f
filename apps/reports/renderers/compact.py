"""The compact PDF layout for long reports: one monospaced text line per row.

weasyprint lays out every table cell as its own box, which costs about a millisecond per
cell — a 5,000-row, five-column report took over 30 s of CPU as a table. Above
``COMPACT_ROWS`` rows the PDF is a listing instead: each row is one preformatted line (text
left, numbers right, long text cut with "…" so the line fits the page), a page's lines in one
``<pre>`` block under the column header line (the pages are cut here, by line count, so the
header repeats without a table). Five to ten times faster; same values, same totals
(``as_display``), same branding, page numbers and orientation.
"""

from __future__ import annotations

from apps.reports.renderers.values import as_display

COMPACT_ROWS = 1_000
# Characters per line at 7.5 pt DejaVu Sans Mono (0.6 em a character) inside the page margins.
LINE_CHARS = {False: 112, True: 166}  # portrait, landscape
GAP = 2
MIN_TEXT = 6
# Lines of 9 pt in the page's height inside the margins (263 mm portrait, 176 mm landscape),
# less the header and rule lines and a spare; the first page also holds the title block.
LINES_PER_PAGE = {False: 78, True: 52}
TITLE_LINES = 8


def _fit(text: str, width: int, numeric: bool) -> str:
    if len(text) > width:
        text = text[: max(width - 1, 0)] + "…"
    return text.rjust(width) if numeric else text.ljust(width)


def compact_lines(columns, rows: list[dict], totals: dict | None, *, landscape: bool):
    """``(header, lines, total_line)``: the report as fixed-width text lines."""
    cells = [[as_display(row.get(c.key), c.kind) for c in columns] for row in rows]
    total_cells = None
    if totals:
        total_cells = [
            "Total" if i == 0 else as_display(totals[c.key], c.kind) if c.key in totals else ""
            for i, c in enumerate(columns)
        ]
    widths = [len(c.label) for c in columns]
    for line in (*cells, *([total_cells] if total_cells else [])):
        widths = [max(w, len(v)) for w, v in zip(widths, line, strict=True)]
    # Too wide for the page: narrow the text columns, widest first (numbers are never cut).
    room = LINE_CHARS[landscape] - GAP * (len(columns) - 1)
    text_columns = [i for i, c in enumerate(columns) if not c.numeric]
    while sum(widths) > room and text_columns:
        widest = max(text_columns, key=lambda i: widths[i])
        if widths[widest] <= MIN_TEXT:
            break
        widths[widest] -= 1

    def line(values) -> str:
        return (
            (" " * GAP)
            .join(_fit(v, w, c.numeric) for v, w, c in zip(values, widths, columns, strict=True))
            .rstrip()
        )

    header = line([c.label for c in columns])
    return header, [line(v) for v in cells], line(total_cells) if total_cells else ""


def compact_pages(lines: list[str], *, landscape: bool) -> list[str]:
    """The lines cut into pages, each page's lines as one text."""
    per_page = LINES_PER_PAGE[landscape]
    pages, start, size = [], 0, per_page - TITLE_LINES
    while start < len(lines) or not pages:
        pages.append("\n".join(lines[start : start + size]))
        start, size = start + size, per_page
    return pages
