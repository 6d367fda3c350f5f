import os
import subprocess
import sys

from django.conf import settings

SNIPPET = "import config.database as d; print(d.database_config()['NAME'], d.database_config().get('HOST'), d._server is None)"


def run(env_extra: dict) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "STOCKROOM_DB_NAME")}
    env.update(env_extra)
    result = subprocess.run(
        [sys.executable, "-c", SNIPPET],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_database_url_wins_and_the_embedded_server_is_not_started():
    out = run({"DATABASE_URL": "postgres://someone:secret@db.example:5433/shop"})
    assert out == "shop db.example True"


def test_db_name_override_applies_to_database_url_too():
    out = run(
        {"DATABASE_URL": "postgres://someone@db.example/shop", "STOCKROOM_DB_NAME": "bench_shop"}
    )
    assert out.startswith("bench_shop db.example")


def test_without_database_url_the_embedded_server_is_used():
    out = run({})
    name, host, not_started = out.split()
    assert name == "stockroom" and host.endswith(".data/pg") and not_started == "False"
    assert (settings.BASE_DIR / ".data" / "pg" / "PG_VERSION").exists()


def test_connections_run_with_jit_off(db):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
