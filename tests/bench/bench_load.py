"""Load: concurrent clients against gunicorn on the demo companies (issue 10).

gunicorn (``BENCH_WORKERS`` sync workers, 2) serves the bench database on 127.0.0.1; the five
demo companies are seeded once (``seed_demo``, ``BENCH_DEMO_WEEKS`` weeks of history) and kept.

- **Mixed load**: ``BENCH_CLIENTS`` (50) threads for ``BENCH_SECONDS`` (60), each with its own
  HTTP connection and its own signed-in owner of one demo company, loop over pages and API
  lists. Every answer must be a 200 (a redirect to the login page included is an error); p50/p95
  is printed overall, per class (page / API) and per endpoint.
- **Stock mix**: ``BENCH_STOCK_CLIENTS`` (50) threads for ``BENCH_SECONDS`` post, through the API
  with an API key each, stock adjustments, orders confirmed at once (reservations) and their
  shipments, on a few hot variants per company. A refusal (409 short stock, 400) is an answer,
  not an error; a 5xx or a dropped connection is. ``stock_check`` must then find every balance
  equal to the ledger.

    make bench BENCH=tests/bench/bench_load.py
    BENCH_SECONDS=20 BENCH_CLIENTS=50 make bench BENCH=tests/bench/bench_load.py

The API's own request limits (per IP and per key) are raised for the server under test: 50
clients on one address are a load test, not an abuse the throttle should stop.
"""

from __future__ import annotations

import json
import logging
import os
import random
import socket
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.models import Role, User
from apps.accounts.services.api_keys import api_key_create
from apps.tenants.models import Tenant
from tests.bench.conftest import summary

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
STOCK_CLIENTS = int(os.environ.get("BENCH_STOCK_CLIENTS", "50"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
DEMO_WEEKS = int(os.environ.get("BENCH_DEMO_WEEKS", "8"))
HOT_VARIANTS = int(os.environ.get("BENCH_HOT_VARIANTS", "8"))
DEMO_SLUGS = [
    c["slug"]
    for c in json.loads((settings.BASE_DIR / "fixtures" / "demo_companies.json").read_text())[
        "companies"
    ]
]
PAGES = ["/", "/products/", "/inventory/", "/sales/", "/purchasing/", "/sales/customers/"]
API = ["/api/products/", "/api/inventory/stock-items/", "/api/orders/", "/api/customers/"]
# A refusal the API explains (409 short stock, 400 nothing left to ship) is an answer.
STOCK_REFUSALS = (400, 409)
STOCK_ANSWERS = (200, 201, *STOCK_REFUSALS)
MIX = PAGES[:3] + API[:2] + PAGES[3:] + API[2:]

logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


@pytest.fixture(scope="module")
def demo_companies(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        if Tenant.objects.filter(slug__in=DEMO_SLUGS).count() < len(DEMO_SLUGS):
            start = time.perf_counter()
            call_command("seed_demo", history_weeks=DEMO_WEEKS, stdout=open(os.devnull, "w"))
            print(f"\n  demo companies seeded in {time.perf_counter() - start:.0f} s")
        yield list(Tenant.objects.filter(slug__in=DEMO_SLUGS).order_by("slug"))
        connection.set_schema_to_public()


@pytest.fixture(scope="module")
def server(demo_companies, django_db_blocker):
    port = _free_port()
    with django_db_blocker.unblock():
        db_name = connection.settings_dict["NAME"]
    env = {
        **os.environ,
        "STOCKROOM_DB_NAME": db_name,
        "DEBUG": "0",
        "API_IP_RATE": "1000000/min",
        "API_DEFAULT_RATE": "1000000",
    }
    process = subprocess.Popen(
        [
            os.path.join(os.path.dirname(sys.executable), "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    host = f"{demo_companies[0].slug}.{settings.BASE_DOMAIN}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", headers={"Host": host}).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and process.poll() is None, "server did not start"
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _owner(tenant: Tenant, number: int) -> User:
    email = f"load-owner-{number}@{tenant.slug}.bench"
    return User.objects.filter(email=email).first() or User.objects.create_user(
        email=email, password=None, role=Role.OWNER
    )


def _session_cookie(tenant: Tenant, user: User) -> str:
    client = Client()
    with schema_context(tenant.schema_name):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _report(
    title: str, results: list[tuple[str, object, float]], wall: float, classes, ok=(200,)
) -> None:
    errors = [r for r in results if r[1] not in ok]
    print(f"\n  {title}: {len(results)} requests in {wall:.0f} s, {len(results) / wall:.0f} req/s")
    print(f"  {len(errors)} errors; uptime: {_uptime()}")
    print("  " + summary("all", [s for _, _, s in results]))
    for label, urls in classes:
        seconds = [s for u, _, s in results if u in urls]
        if seconds:
            print("  " + summary(label, seconds))
    for url in sorted({u for u, _, _ in results}):
        print("    " + summary(url, [s for u, _, s in results if u == url]))


def test_bench_load_mixed_pages_and_api(demo_companies, server, django_db_blocker):
    with django_db_blocker.unblock():
        logins = []
        for number in range(CLIENTS):
            tenant = demo_companies[number % len(demo_companies)]
            with schema_context(tenant.schema_name):
                user = _owner(tenant, number)
            logins.append((f"{tenant.slug}.{settings.BASE_DOMAIN}", _session_cookie(tenant, user)))
        connection.set_schema_to_public()
    deadline = time.monotonic() + SECONDS

    def run(client_no: int) -> list[tuple[str, object, float]]:
        host, cookie = logins[client_no]
        out, i = [], client_no
        with httpx.Client(
            base_url=server,
            headers={"Host": host},
            cookies={settings.SESSION_COOKIE_NAME: cookie},
            timeout=120,
        ) as http:
            while time.monotonic() < deadline:
                url = MIX[i % len(MIX)]
                i += 1
                start = time.perf_counter()
                try:
                    status = http.get(url).status_code
                except httpx.HTTPError as exc:
                    status = exc.__class__.__name__
                out.append((url, status, time.perf_counter() - start))
        return out

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = [row for rows in pool.map(run, range(CLIENTS)) for row in rows]
    wall = time.perf_counter() - start
    _report(
        f"mixed load: {CLIENTS} clients, {len(demo_companies)} companies, {WORKERS} gunicorn "
        "workers",
        results,
        wall,
        [("pages", PAGES), ("api", API)],
    )
    errors = [(url, status) for url, status, _ in results if status != 200]
    assert errors == [], errors[:10]


@dataclass
class StockSetup:
    host: str
    key: str
    customer: int
    location: int
    variants: list[int]


def _stock_setup(tenant: Tenant, number: int) -> StockSetup:
    from apps.inventory.models import Location, StockLevel
    from apps.sales.models import Customer

    with schema_context(tenant.schema_name):
        owner = _owner(tenant, number)
        _, raw = api_key_create(
            name=f"load {number}",
            scopes=["inventory:write", "sales:write", "catalog:read"],
            created_by=owner,
        )
        # The most stocked (variant, location) rows of one storage location: hot rows on purpose.
        level = (
            StockLevel.objects.filter(on_hand__gt=0)
            .exclude(location__kind__in=[Location.Kind.TRANSIT, Location.Kind.RECEIVING])
            .order_by("-on_hand", "pk")
            .first()
        )
        variants = list(
            StockLevel.objects.filter(location=level.location, on_hand__gt=0)
            .order_by("-on_hand", "pk")
            .values_list("variant_id", flat=True)[:HOT_VARIANTS]
        )
        customer = Customer.objects.filter(is_active=True).order_by("pk").first()
        return StockSetup(
            host=f"{tenant.slug}.{settings.BASE_DOMAIN}",
            key=raw,
            customer=customer.pk,
            location=level.location_id,
            variants=variants,
        )


def test_bench_load_stock_mix_then_stock_check(demo_companies, server, django_db_blocker):
    with django_db_blocker.unblock():
        setups = [
            _stock_setup(demo_companies[n % len(demo_companies)], n) for n in range(STOCK_CLIENTS)
        ]
        connection.set_schema_to_public()
    deadline = time.monotonic() + SECONDS

    def run(client_no: int) -> list[tuple[str, object, float]]:
        s = setups[client_no]
        rng = random.Random(client_no)
        out, confirmed = [], []
        with httpx.Client(
            base_url=server,
            headers={"Host": s.host, "Authorization": f"Api-Key {s.key}"},
            timeout=120,
        ) as http:

            def call(kind: str, url: str, body: dict):
                start = time.perf_counter()
                try:
                    response = http.post(url, json=body)
                    status = response.status_code
                except httpx.HTTPError as exc:
                    response, status = None, exc.__class__.__name__
                out.append((kind, status, time.perf_counter() - start))
                return response

            while time.monotonic() < deadline:
                op = rng.random()
                variant = rng.choice(s.variants)
                if op < 0.35:
                    quantity = rng.choice([-2, -1, 1, 2, 3])
                    call(
                        "adjust",
                        "/api/inventory/adjust/",
                        {
                            "variant": variant,
                            "location": s.location,
                            "quantity": str(quantity),
                            "reason": "found" if quantity > 0 else "damaged",
                        },
                    )
                elif op < 0.7 or not confirmed:
                    response = call(
                        "reserve",
                        "/api/orders/",
                        {
                            "customer": s.customer,
                            "confirm": True,
                            "lines": [{"variant": variant, "quantity": str(rng.randint(1, 2))}],
                        },
                    )
                    if response is not None and response.status_code == 201:
                        confirmed.append(response.json()["id"])
                else:
                    order = confirmed.pop(rng.randrange(len(confirmed)))
                    call("ship", f"/api/orders/{order}/fulfill/", {})
        return out

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=STOCK_CLIENTS) as pool:
        results = [row for rows in pool.map(run, range(STOCK_CLIENTS)) for row in rows]
    wall = time.perf_counter() - start
    _report(
        f"stock mix: {STOCK_CLIENTS} API clients, {len(demo_companies)} companies, "
        f"{HOT_VARIANTS} hot variants each, {WORKERS} gunicorn workers",
        results,
        wall,
        [],
        ok=STOCK_ANSWERS,
    )
    for kind in ("adjust", "reserve", "ship"):
        statuses = Counter(str(status) for k, status, _ in results if k == kind)
        print(f"    {kind}: " + ", ".join(f"{n}× {code}" for code, n in sorted(statuses.items())))
        done = sum(n for code, n in statuses.items() if code in ("200", "201"))
        assert done > 0, f"no {kind} succeeded: {statuses}"  # not a bench of refusals
    errors = [(kind, status) for kind, status, _ in results if status not in STOCK_ANSWERS]
    assert errors == [], errors[:10]
    with django_db_blocker.unblock():
        start = time.perf_counter()
        for tenant in demo_companies:
            call_command("stock_check", tenant=tenant.slug, stdout=open(os.devnull, "w"))
        connection.set_schema_to_public()
    print(f"  stock_check: every balance matches the ledger ({time.perf_counter() - start:.0f} s)")
