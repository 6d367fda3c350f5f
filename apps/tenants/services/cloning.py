"""Copying the template schema into a new company's schema, fast.

django-tenants' ``clone_schema`` is a large generic PL/pgSQL function that walks
the catalog object by object on every call; it costs most of a second even for
a small schema, more than running the migrations. Instead we ask ``pg_dump`` for
the template schema once (tables, identity sequences, data such as migration
records and content types, indexes, constraints), keep that SQL in memory keyed
by the template's migration state, and replay it with the new schema's name:
one round trip per company. If pg_dump is unavailable or fails, we fall back to
django-tenants' function, which gives the same result more slowly.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import threading

from django.conf import settings
from django.db import connection
from django_tenants.clone import CloneSchema

from config.database import pg_bin

logger = logging.getLogger(__name__)

PLACEHOLDER = "__stockroom_new_schema__"
_cache: dict[tuple, str] = {}
_lock = threading.Lock()
# Session settings and psql meta-commands in a dump: they must not leak into our connection.
_SKIP = re.compile(r"^(SET |SELECT pg_catalog\.set_config|\\|--)")


def _fingerprint(base: str) -> tuple:
    """Changes whenever the template gains a migration (and so may differ in shape)."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*), coalesce(max(id), 0) FROM "{base}".django_migrations')
        return (base, *cursor.fetchone())


def _dump(base: str) -> str:
    db = settings.DATABASES["default"]
    args = [
        pg_bin("pg_dump"),
        "--no-owner",
        "--no-privileges",
        "--no-comments",
        "--inserts",
        "--rows-per-insert=500",
        "--schema",
        base,
        "--host",
        db.get("HOST") or "localhost",
        "--username",
        db.get("USER") or "postgres",
        db["NAME"],
    ]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or "", "PGCONNECT_TIMEOUT": "10"}
    result = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120, check=True)
    lines = [line for line in result.stdout.splitlines() if line.strip() and not _SKIP.match(line)]
    sql = "\n".join(lines)
    # Every object in the dump is schema-qualified; schema names are [a-z0-9_], so a
    # whole-word replacement of the template's name is exact.
    return re.sub(rf"\b{re.escape(base)}\b", PLACEHOLDER, sql)


def template_sql(base: str) -> str:
    key = _fingerprint(base)
    with _lock:
        if key not in _cache:
            _cache.clear()
            _cache[key] = _dump(base)
        return _cache[key]


def schema_clone(base: str, new: str) -> None:
    """Create schema ``new`` as a copy of ``base``. Call inside a transaction."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", new):
        raise ValueError(f"Not a valid schema name: {new!r}")
    try:
        sql = template_sql(base)
    except (OSError, subprocess.SubprocessError) as exc:
        logger.warning(
            "pg_dump of the template failed (%s); using django-tenants' clone_schema", exc
        )
        CloneSchema().clone_schema(base, new, "DATA")
        return
    with connection.cursor() as cursor:
        cursor.execute(sql.replace(PLACEHOLDER, new))
