"""Issue 7 targets: CSV export of 1,000,000 movement rows (rows/s, peak RSS under 200 MB)
and the PDF valuation report of 5,000 rows (under 15 s).

Both run on the ``scale`` company of ``bench_history.py`` (``scale_company``: 10,000
variants, 1,000,000 ledger rows made with bulk SQL, kept between runs with --reuse-db).
Peak RSS is the process's high-water mark (``VmHWM``); it is reset just before the export
(``/proc/self/clear_refs``), so what the seeding and the test runner used before does not
count. Run: ``make bench BENCH=tests/bench/bench_reports.py``.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import time

from django_tenants.utils import schema_context

from tests.bench.conftest import verdict

PDF_ROWS = int(os.environ.get("BENCH_PDF_ROWS", "5000"))


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise LookupError(field)


def _reset_peak() -> bool:
    """Start VmHWM again from the current RSS (Linux ≥ 4.0); False when not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


class _Counting:
    """A binary sink that only counts bytes (the file itself is not the point)."""

    def __init__(self):
        self.bytes = 0

    def write(self, data) -> int:
        self.bytes += len(data)
        return len(data)

    def flush(self):
        pass

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def seekable(self) -> bool:
        return False

    @property
    def closed(self) -> bool:
        return False


def _movements(period_start: dt.date, period_end: dt.date):
    from apps.reports.base import Result
    from apps.reports.registry import report_get

    report = report_get("movements")
    params = {"date_from": period_start, "date_to": period_end, "kind": "", "sku": ""}
    return Result(report=report, params=params, sort="")


def _measure(label: str, export, rows_expected: int) -> float:
    rss_before = _status_kb("VmRSS")
    reset = _reset_peak()
    start = time.perf_counter()
    written = export()
    seconds = time.perf_counter() - start
    peak_mb = _status_kb("VmHWM") / 1024
    print(
        f"    {label}: {rows_expected:,} rows in {seconds:.1f} s = "
        f"{rows_expected / seconds:,.0f} rows/s, {written / 1e6:.0f} MB written; "
        f"RSS before {rss_before / 1024:.0f} MB, peak {peak_mb:.0f} MB"
        + ("" if reset else " (peak not reset: includes the seeding)")
    )
    return peak_mb


def test_bench_csv_export_of_a_million_movements(scale_company):
    from django.utils import timezone

    from apps.inventory.models import StockMove
    from apps.reports.renderers.files import csv_write, render_csv

    print(f"\n  {_uptime()}")
    with schema_context(scale_company.schema_name):
        # The whole ledger: the generated history spans the last two years.
        first = timezone.localdate(StockMove.objects.order_by("created_at").first().created_at)
        result = _movements(first, timezone.localdate())
        rows = result.report.estimate_rows(result.params)
        print(f"  CSV export of the movement history, {rows:,} rows:")

        def to_file():  # what a background report job writes (csv_write)
            sink = _Counting()
            csv_write(_movements(first, timezone.localdate()), sink)
            return sink.bytes

        def streamed():  # what a direct download streams (StreamingHttpResponse)
            response = render_csv(_movements(first, timezone.localdate()))
            return sum(len(part) for part in response.streaming_content)

        peaks = [_measure("csv_write (background file)", to_file, rows)]
        peaks.append(_measure("streamed response", streamed, rows))
    worst = max(peaks)
    print(f"  peak RSS {worst:.0f} MB: {verdict(worst, 200)} (< 200 MB)")
    print(f"  {_uptime()}")
    assert rows >= 1_000_000


def test_bench_pdf_valuation_of_5000_rows(scale_company):
    from django.utils import timezone

    from apps.reports.base import Result
    from apps.reports.registry import report_get
    from apps.reports.renderers.files import pdf_bytes

    print(f"\n  {_uptime()}")
    with schema_context(scale_company.schema_name):
        report = report_get("valuation-as-of")
        params = {"as_of": timezone.localdate(), "warehouse": None}
        start = time.perf_counter()
        rows = []
        for row in report.rows(params):
            rows.append(row)
            if len(rows) == PDF_ROWS:
                break
        query_s = time.perf_counter() - start
        result = Result(report=report, params=params, _rows=rows)
        start, cpu = time.perf_counter(), time.process_time()
        pdf = pdf_bytes(result, params_text=f"As of {params['as_of']}")
        pdf_s, pdf_cpu = time.perf_counter() - start, time.process_time() - cpu
    from io import BytesIO

    from pypdf import PdfReader

    pages = len(PdfReader(BytesIO(pdf)).pages)
    total = query_s + pdf_s
    print(
        f"  PDF valuation report, {len(rows):,} rows: query {query_s:.1f} s, "
        f"PDF {pdf_s:.1f} s (CPU {pdf_cpu:.1f} s; {pages} pages, {len(pdf) / 1e6:.1f} MB): "
        f"total {total:.1f} s: "
        f"{verdict(total, 15)} (< 15 s)"
    )
    print(f"  {_uptime()}")
    assert len(rows) == PDF_ROWS and pages > 1
