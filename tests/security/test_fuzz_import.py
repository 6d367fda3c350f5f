"""CSV/XLSX import fuzz: malformed files for every importer — huge fields, wrong types, injection
strings, broken encodings, binary junk, a fake workbook — get a clear message or per-row errors,
never a 500, and nothing is written (not by the upload, nor by trying to confirm it)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.importexport.importers import IMPORTERS
from apps.importexport.models import ImportBatch
from apps.sales.models import Customer
from tests.importexport.conftest import WRITTEN_MODELS


def _counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (*WRITTEN_MODELS, Customer)}


def _csv(header: list[str], cell: str, rows: int = 2) -> bytes:
    line = ",".join('"' + cell.replace('"', '""') + '"' for _ in header)
    return (",".join(header) + "\n" + "\n".join([line] * rows) + "\n").encode("utf-8", "replace")


def _files(header: list[str]) -> dict[str, tuple[str, bytes]]:
    return {
        "huge-field": ("big.csv", _csv(header, "X" * 200_000, rows=1)),
        "wrong-types": ("types.csv", _csv(header, "not-a-number-or-date")),
        "negative-huge-number": ("num.csv", _csv(header, "-" + "9" * 80)),
        "nul-bytes": ("nul.csv", _csv(header, "ab\x00cd")),
        "broken-utf8": ("enc.csv", ",".join(header).encode() + b"\n\xff\xfe\x80\x81,\xc3\x28\n"),
        "utf16-no-bom": ("u16.csv", (",".join(header) + "\nx,y\n").encode("utf-16-le")),
        "binary-junk": ("junk.csv", bytes(range(256)) * 40),
        "fake-xlsx": ("book.xlsx", b"PK\x03\x04" + b"\x00garbage" * 100),
        "old-xls": ("old.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 512),
        "empty": ("empty.csv", b""),
        "header-only": ("head.csv", (",".join(header) + "\n").encode()),
        "unknown-columns": ("cols.csv", (b"a,b,c\n1,2,3\n")),
        "too-many-columns": ("wide.csv", (",".join(f"c{i}" for i in range(500)) + "\n").encode()),
        "unbalanced-quotes": ("q.csv", (",".join(header) + '\n"abc,"def\n"""\n').encode()),
        "empty-required": ("blank.csv", _csv(header, "")),
    }


@pytest.mark.parametrize("kind", sorted(IMPORTERS))
def test_malformed_import_files_are_refused_cleanly(tenant_client, tenant, users, kind):
    tenant_client.force_login(users[Role.OWNER])
    header = [column.name for column in IMPORTERS[kind].columns]
    with schema_context(tenant.schema_name):
        before = _counts()
        batches_before = set(ImportBatch.objects.values_list("pk", flat=True))
    problems = []
    for label, (name, content) in _files(header).items():
        response = tenant_client.post(
            f"/data/import/{kind}/", {"file": SimpleUploadedFile(name, content)}
        )
        if response.status_code >= 500:
            problems.append(f"{label}: upload -> {response.status_code}")
        elif response.status_code == 200 or response.status_code == 422:
            text = response.content.decode()
            if "invalid-feedback" not in text and "alert" not in text:
                problems.append(f"{label}: refused without a message")
    with schema_context(tenant.schema_name):
        assert _counts() == before  # an upload is only a preview
        # Only batches with bad rows: a file that decodes to valid rows (a Windows-1252 name,
        # a quoted comma) is real data and may be imported.
        bad_batches = list(
            ImportBatch.objects.exclude(pk__in=batches_before).filter(error_count__gt=0)
        )
    assert bad_batches  # the fuzz produced rows with errors, not only refused files
    for batch in bad_batches:
        response = tenant_client.post(f"/data/imports/{batch.pk}/confirm/")
        if response.status_code >= 500:
            problems.append(f"confirm {batch.filename} -> {response.status_code}")
    with schema_context(tenant.schema_name):
        after = _counts()
    assert problems == [], "\n".join(problems)
    assert after == before
