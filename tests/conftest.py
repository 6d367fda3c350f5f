"""Fixtures shared by the whole suite.

Two companies, ``alpha`` and ``beta``, are provisioned once per test database
(by the same clone-based service the product uses). Each test runs inside a
transaction that is rolled back, so what a test writes in either schema is gone
afterwards. ``tenant`` is alpha; ``other_tenant`` is beta, for isolation tests.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.models import Role, User
from apps.tenants.models import Tenant

TEST_TENANTS = {"alpha": "Alpha Supplies", "beta": "Beta Traders"}
PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """Create (or reuse) the test database, then provision the test companies.

    pytest-django only sets up the databases that collected tests ask for with
    ``db``/``django_db``; tests that commit for real (a worker or web server in
    another process, benchmarks) ask through ``django_db_blocker`` instead and
    would otherwise run against the development database. So the default
    database is always set up here, and a guard refuses to go on if it is not a
    test database.
    """
    from django.test.utils import setup_databases, teardown_databases

    from apps.tenants.services.provisioning import tenant_provision

    keepdb = django_db_keepdb and not django_db_createdb
    with django_db_blocker.unblock():
        db_cfg = setup_databases(
            verbosity=request.config.option.verbose,
            interactive=False,
            keepdb=keepdb,
            aliases={"default"},
        )
        name = connection.settings_dict["NAME"]
        assert name.startswith("test_"), f"refusing to run tests against {name!r}"
        for slug, company in TEST_TENANTS.items():
            if not Tenant.objects.filter(slug=slug).exists():
                # A schema left by an interrupted run of a reused test database.
                with connection.cursor() as cursor:
                    cursor.execute(f'DROP SCHEMA IF EXISTS "{slug}" CASCADE')
                tenant_provision(
                    name=company,
                    subdomain=slug,
                    owner_email=f"founder@{slug}.test",
                    owner_password=PASSWORD,
                )
        if "bench" not in name:  # benchmarks keep their big companies between runs on purpose
            _drop_leftover_companies()
        connection.set_schema_to_public()
    yield
    if not keepdb:
        with django_db_blocker.unblock():
            # A worker or server process of a test may still be closing its connection;
            # the DROP DATABASE that follows would fail on it.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()",
                    [name],
                )
            teardown_databases(db_cfg, verbosity=request.config.option.verbose)


def _drop_leftover_companies() -> None:
    """Companies a test made for itself and could not drop (an interrupted or failed run of a
    reused test database): gone before this run starts, so counts over "every company" hold."""
    from apps.tenants.services.lifecycle import tenant_delete_now

    leftovers = Tenant.objects.exclude(slug__in=list(TEST_TENANTS)).exclude(schema_name="public")
    for tenant in leftovers:
        if not tenant.is_template:
            tenant_delete_now(tenant=tenant)


@pytest.fixture(autouse=True)
def _reset_schema():
    yield
    connection.set_schema_to_public()


def host_for(tenant: Tenant) -> str:
    return f"{tenant.slug}.{settings.BASE_DOMAIN}"


@pytest.fixture
def tenant(db) -> Tenant:
    return Tenant.objects.get(slug="alpha")


@pytest.fixture
def other_tenant(db) -> Tenant:
    return Tenant.objects.get(slug="beta")


@pytest.fixture
def in_tenant(tenant):
    """Run the test body inside alpha's schema."""
    with schema_context(tenant.schema_name):
        yield tenant


def make_user(tenant: Tenant, role: str, email: str | None = None, **extra) -> User:
    with schema_context(tenant.schema_name):
        return User.objects.create_user(
            email=email or f"{role}@{tenant.slug}.test", password=PASSWORD, role=role, **extra
        )


@pytest.fixture
def users(tenant) -> dict[str, User]:
    """One user of each role in alpha, keyed by role."""
    return {role: make_user(tenant, role) for role in Role.values}


@pytest.fixture
def owner(users) -> User:
    return users[Role.OWNER]


class TenantClient(Client):
    """A test client that talks to one company's subdomain and logs users in inside its schema."""

    def __init__(self, tenant: Tenant, **defaults):
        super().__init__(HTTP_HOST=host_for(tenant), **defaults)
        self.tenant = tenant

    def force_login(self, user, backend=None):
        with schema_context(self.tenant.schema_name):
            super().force_login(
                user, backend=backend or "django.contrib.auth.backends.ModelBackend"
            )
        connection.set_schema_to_public()


@pytest.fixture
def tenant_client(tenant) -> TenantClient:
    return TenantClient(tenant)


@pytest.fixture
def other_tenant_client(other_tenant) -> TenantClient:
    return TenantClient(other_tenant)


@pytest.fixture
def public_client(db) -> Client:
    return Client(HTTP_HOST=settings.BASE_DOMAIN)


@pytest.fixture
def staff_user(db) -> User:
    """A platform operator: a staff user of the public schema."""
    return User.objects.create_user(
        email="operator@stockroom.test", password=PASSWORD, is_staff=True
    )


@pytest.fixture
def sync_jobs(monkeypatch, django_capture_on_commit_callbacks):
    """``with sync_jobs(): ...`` runs the jobs queued inside the block when it ends,
    as the on-commit hooks fire.

    django-q2's own ``sync`` mode: the same task function and wrapper the worker
    runs, without a separate process. tests/core/test_jobs.py runs a real worker.
    """
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)
    return lambda: django_capture_on_commit_callbacks(execute=True)
