"""PostgreSQL restarted under a running app: a clean 503 while it is away, then service again
without restarting the app.

A throwaway PostgreSQL (tests/reliability/throwaway_pg.py) gets a copy of the test database;
gunicorn (one sync worker, persistent connections: ``DB_CONN_MAX_AGE=600``) serves alpha from
it. The test restarts the server between two requests, then stops it for a while and starts it
again, and checks each answer: pages, the API and the health check.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.tenants.models import Tenant
from tests.reliability.throwaway_pg import ThrowawayPostgres

PAGE = "/products/"
API = "/api/products/"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def app_on_own_postgres(django_db_setup, django_db_blocker):
    """gunicorn on a copy of the test database in a PostgreSQL of the test's own."""
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="alpha")
        with schema_context(tenant.schema_name):
            owner = User.objects.get(email="founder@alpha.test")
            client = Client()
            client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        source = dict(connection.settings_dict)
    pg = ThrowawayPostgres()
    server = None
    try:
        pg.start()
        try:
            pg.copy_database(source)  # the committed session above goes along
        finally:
            with django_db_blocker.unblock(), schema_context(tenant.schema_name):
                Session.objects.filter(session_key=cookie).delete()
            connection.set_schema_to_public()
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if k != "STOCKROOM_DB_NAME"}
        env.update(
            DATABASE_URL=pg.url(source["NAME"]),
            DB_CONN_MAX_AGE="600",
            DEBUG="0",
            STOCKROOM_TESTING="1",
        )
        server = subprocess.Popen(
            [
                os.path.join(os.path.dirname(sys.executable), "gunicorn"),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--log-level",
                "critical",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        http = httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            headers={"Host": f"alpha.{settings.BASE_DOMAIN}"},
            cookies={settings.SESSION_COOKIE_NAME: cookie},
            timeout=30,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if http.get("/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not come up"
            time.sleep(0.3)
        yield pg, server, http
        http.close()
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        pg.remove()


def _all_served(http: httpx.Client) -> None:
    page = http.get(PAGE)
    assert page.status_code == 200 and b"Products" in page.content, page.status_code
    api = http.get(API)
    assert api.status_code == 200 and "results" in api.json(), api.status_code
    assert http.get("/healthz").json() == {"status": "ok"}


def test_app_answers_503_while_postgres_is_down_and_recovers_without_restart(
    app_on_own_postgres,
):
    pg, server, http = app_on_own_postgres
    _all_served(http)

    # A restart between two requests: the worker's kept connection is dead, and the health
    # check (CONN_HEALTH_CHECKS) replaces it before the next request's first query.
    pg.stop()
    pg.start()
    _all_served(http)

    pg.stop()
    for _ in range(2):  # not just the first request after the connection broke
        page = http.get(PAGE)
        assert page.status_code == 503, page.status_code
        assert page.headers["Retry-After"] == "5"
        assert page.headers["Content-Type"].startswith("text/html")
        assert b"cannot reach its database" in page.content
        assert b"Traceback" not in page.content and b"psycopg" not in page.content

        api = http.get(API)
        assert api.status_code == 503, api.status_code
        assert api.json()["error"]["code"] == "database_unavailable"

        health = http.get("/healthz")
        assert health.status_code == 503

    pg.start()
    _all_served(http)
    assert server.poll() is None  # the same gunicorn, never restarted


def test_database_errors_become_a_503_page_or_json_and_others_stay_500(rf):
    from django.db import OperationalError

    from apps.core.views import server_error

    try:
        raise OperationalError("connection refused")
    except OperationalError:
        page = server_error(rf.get("/products/"))
        api = server_error(rf.get("/api/products/"))
    assert page.status_code == 503 and b"cannot reach its database" in page.content
    assert api.status_code == 503 and b'"database_unavailable"' in api.content
    try:
        raise ValueError("a bug")
    except ValueError:
        other = server_error(rf.get("/products/"))
    assert other.status_code == 500


def test_a_deadlock_is_a_503_that_says_busy_not_unreachable(rf):
    import psycopg
    from django.db import OperationalError

    from apps.core.views import server_error

    try:
        try:
            raise psycopg.errors.DeadlockDetected("deadlock detected")
        except psycopg.Error as cause:
            raise OperationalError("deadlock detected") from cause
    except OperationalError:
        page = server_error(rf.get("/products/"))
    assert page.status_code == 503 and page["Retry-After"]
    assert b"too busy" in page.content and b"cannot reach" not in page.content
