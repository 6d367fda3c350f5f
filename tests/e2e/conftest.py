"""Browser tests: Playwright drives Debian's Chromium against a real server and worker.

The web server (``runserver``) and the job worker (``qcluster``) run as separate
processes on the test database, the way ``make demo`` runs them, so what the
browser sees went through real HTTP, real subdomain routing and a real queue.
Because those processes only see committed rows, these tests commit and clean
up after themselves instead of using pytest-django's rolled-back transactions.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.conf import settings
from django.db import connection

# Playwright's sync API keeps an event loop running in this thread; the ORM calls the
# tests make between browser steps are ordinary synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.e2e.chromium import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


# Package scope: the web server and its worker stop when the browser tests are done, so
# no stray worker takes jobs that later tests (tests/reliability) run with their own.
@pytest.fixture(scope="package")
def live_stack(django_db_setup, django_db_blocker):
    """Start web + worker on the test database; yield the base URL pieces."""
    port = _free_port()
    with django_db_blocker.unblock():
        db_name = connection.settings_dict["NAME"]
    env = {
        **os.environ,
        "STOCKROOM_DB_NAME": db_name,
        "PORT": str(port),
        "PUBLIC_PORT": str(port),
        "Q_WORKERS": "1",
        "DEBUG": "true",
        # Same settings as this process (e.g. the fast test password hasher).
        "STOCKROOM_TESTING": "1",
    }
    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
        subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
    ]
    try:
        _wait_for(f"http://localhost:{port}/healthz")
        yield {
            "port": port,
            "public": f"http://localhost:{port}",
            "company": lambda slug: f"http://{slug}.localhost:{port}",
        }
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="package")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}; run `make chromium` (make test leaves e2e out without it)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}
    )  # a phone in the warehouse
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


@pytest.fixture
def committed(django_db_blocker):
    """Database access outside a test transaction, for rows the server processes must see."""
    with django_db_blocker.unblock():
        yield
        connection.set_schema_to_public()
