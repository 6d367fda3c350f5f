"""Every registered report opens and downloads in every format (empty or not), and report
pages keep a fixed query count whatever the number of rows."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.catalog.models import Product, Variant
from apps.inventory.models import Location, Warehouse
from apps.inventory.services import MoveLine, stock_moves_post
from apps.reports.registry import REPORTS

from .conftest import assert_same_totals, get

SLUGS = sorted(REPORTS)


def test_the_new_reports_are_registered():
    assert {"turnover", "dead-stock", "abc-xyz", "low-stock", "po-history",
            "vendor-performance", "cost-analysis", "budget-vs-actual"} <= set(SLUGS)  # fmt: skip


@pytest.mark.parametrize("slug", SLUGS)
def test_every_report_renders_in_every_format_without_data(manager_client, slug):
    page = get(manager_client, slug)
    body = page.content.decode()
    assert page.status_code == 200
    # Budget vs actual always lists the twelve months; the others say there is nothing.
    assert ("Nothing to show" in body) != (slug == "budget-vs-actual")
    for fmt in ("csv", "xlsx", "pdf"):
        assert get(manager_client, slug, format=fmt).status_code == 200, (slug, fmt)


def _ledger(tenant, count, start=0):
    with schema_context(tenant.schema_name):
        bin_, _ = Location.objects.get_or_create(
            warehouse=Warehouse.objects.get_or_create(code="MAIN", defaults={"name": "Main"})[0],
            code="A-01",
        )
        product = Product.objects.create(name=f"Batch {start}")
        variants = [
            Variant.objects.create(product=product, sku=f"V-{start + i:03}", reorder_point=D(50))
            for i in range(count)
        ]
        old = timezone.now() - dt.timedelta(days=120)
        stock_moves_post(
            lines=[MoveLine(v.pk, bin_.pk, D(40), D(3)) for v in variants],
            kind="receipt",
            occurred_at=old,
        )
        stock_moves_post(
            lines=[MoveLine(v.pk, bin_.pk, D(-2), None) for v in variants],
            kind="shipment",
            occurred_at=timezone.now() - dt.timedelta(days=100),
        )
        stock_moves_post(
            lines=[MoveLine(v.pk, bin_.pk, D(-1), None) for v in variants[: count // 2 or 1]],
            kind="shipment",
            occurred_at=timezone.now() - dt.timedelta(days=3),
        )


@pytest.mark.parametrize("slug", ["turnover", "dead-stock", "abc-xyz", "low-stock"])
def test_report_pages_have_a_fixed_query_count(
    tenant, manager_client, slug, django_assert_max_num_queries
):
    params = {"period": "last_90"} if slug in {"turnover", "abc-xyz"} else {}
    if slug == "dead-stock":
        params = {"days": 2}
    _ledger(tenant, 1)
    with django_assert_max_num_queries(25) as one:
        assert "V-000" in get(manager_client, slug, **params).content.decode()
    _ledger(tenant, 30, start=1)
    with django_assert_max_num_queries(len(one.captured_queries)):
        body = get(manager_client, slug, **params).content.decode()
    assert "V-0" in body and body.count("<tr") > 10


def test_index_links_to_schedules_and_budgets_by_role(tenant_client, users):
    from apps.accounts.models import Role

    tenant_client.force_login(users[Role.OWNER])
    page = tenant_client.get("/reports/").content.decode()
    assert "/notifications/schedules/" in page and "/reports/budgets/" in page
    assert "ABC / XYZ analysis" in page and "Purchasing budget vs actual" in page
    tenant_client.force_login(users[Role.VIEWER])
    page = tenant_client.get("/reports/").content.decode()
    assert "/notifications/schedules/" not in page and "/reports/budgets/" not in page
    tenant_client.force_login(users[Role.OWNER])
    prefs = tenant_client.get("/notifications/preferences/").content.decode()
    assert "/notifications/rules/" in prefs


def test_the_schedules_point_at_real_per_company_jobs(db):
    from django.core.management import call_command
    from django_q.models import Schedule

    from apps.core.jobs import _import

    call_command("ensure_schedules", stdout=io.StringIO())
    for name in ("report files purge", "scheduled reports", "notification rules"):
        schedule = Schedule.objects.get(name=name)
        assert schedule.func == "apps.core.jobs.fan_out"
        assert callable(_import(schedule.args.strip("'")))


@pytest.mark.parametrize(
    "slug,params",
    [
        ("turnover", {"period": "last_90"}),
        ("dead-stock", {"days": 2}),
        ("abc-xyz", {"period": "last_90"}),
        ("low-stock", {}),
        ("stock-levels", {}),
        ("valuation-as-of", {}),
        ("stock-aging", {}),
    ],
)
def test_inventory_reports_have_the_same_totals_in_every_format(
    tenant, manager_client, slug, params
):
    _ledger(tenant, 12)
    total = assert_same_totals(manager_client, slug, **params)
    assert any(v not in ("", "0", "0.00", "0.0%") for v in total[1:])


def test_the_period_select_shows_the_default_it_applies(manager_client):
    page = get(manager_client, "turnover").content.decode()
    assert '<option value="last_30" selected>' in page
    assert '<option value="today" selected>' not in page
    chosen = get(manager_client, "turnover", period="last_month").content.decode()
    assert '<option value="last_month" selected>' in chosen
    assert '<option value="last_30" selected>' not in chosen
