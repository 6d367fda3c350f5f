"""Load: N concurrent clients over a mix of pages and API lists against a real server.

gunicorn (sync workers) serves the bench database on 127.0.0.1; BENCH_CLIENTS threads, each
with its own HTTP connection and a logged-in owner's session cookie, send BENCH_LOAD_REQUESTS
requests each, round-robin over the mix. Every answer must be a 200: the test fails on any
error and prints p50/p95 overall and per URL.

    make bench BENCH=tests/bench/bench_load.py
    BENCH_CLIENTS=32 BENCH_LOAD_REQUESTS=50 BENCH_WORKERS=4 make bench BENCH=...
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from django.conf import settings
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.models import Role, User
from apps.tenants.models import Tenant
from tests.bench.conftest import summary

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "16"))
REQUESTS = int(os.environ.get("BENCH_LOAD_REQUESTS", "25"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
MIX = [
    "/",
    "/products/",
    "/inventory/",
    "/sales/",
    "/purchasing/",
    "/api/products/",
    "/api/inventory/stock-items/",
    "/api/orders/",
]


logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "STOCKROOM_DB_NAME": connection.settings_dict["NAME"],
        "DEBUG": "0",
    }
    return subprocess.Popen(
        [
            os.path.join(os.path.dirname(sys.executable), "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _session_cookie(tenant: Tenant, user: User) -> str:
    client = Client()
    with schema_context(tenant.schema_name):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_bench_load_mixed_pages_and_api(committed):
    tenant = Tenant.objects.get(slug="alpha")
    host = f"{tenant.slug}.{settings.BASE_DOMAIN}"
    email = f"load-owner@{tenant.slug}.bench"
    with schema_context(tenant.schema_name):
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email=email, password=None, role=Role.OWNER
        )
    cookie = _session_cookie(tenant, user)
    port = _free_port()
    server = _server(port)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", headers={"Host": host}).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "server did not start"
            time.sleep(0.3)

        def run(client_no: int) -> list[tuple[str, int, float]]:
            out = []
            with httpx.Client(
                base_url=base,
                headers={"Host": host},
                cookies={settings.SESSION_COOKIE_NAME: cookie},
                timeout=60,
            ) as http:
                for i in range(REQUESTS):
                    url = MIX[(client_no + i) % len(MIX)]
                    start = time.perf_counter()
                    try:
                        status = http.get(url).status_code
                    except httpx.HTTPError as exc:
                        status = f"{exc.__class__.__name__}"
                    out.append((url, status, time.perf_counter() - start))
            return out

        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            results = [row for rows in pool.map(run, range(CLIENTS)) for row in rows]
        wall = time.perf_counter() - start
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    errors = [(url, status) for url, status, _ in results if status != 200]
    print(
        f"\n  load: {CLIENTS} clients × {REQUESTS} requests, {WORKERS} gunicorn workers, "
        f"{len(results) / wall:.0f} req/s, {len(errors)} errors"
    )
    print("  " + summary("all", [s for _, _, s in results]))
    for url in MIX:
        print("  " + summary(url, [s for u, _, s in results if u == url]))
    assert errors == [], errors[:10]
