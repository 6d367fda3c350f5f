"""Where background report files live: ``REPORT_FILES_ROOT/<schema name>/``.

Not under MEDIA_ROOT (which development serves without a login): the only way to a file is
``reports:file_download``, which checks the company (the row is in its schema) and the role.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import connection

KEEP_DAYS = 7


def files_root() -> Path:
    return Path(getattr(settings, "REPORT_FILES_ROOT", None) or settings.DATA_DIR / "report-files")


def report_storage(schema_name: str | None = None) -> FileSystemStorage:
    return FileSystemStorage(location=files_root() / (schema_name or connection.schema_name))
