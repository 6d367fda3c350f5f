"""The customer figures read from sales orders and invoices.

Customer pages were built before orders; the orders reader looks the models up by name.
Each test checks both states honestly: before orders exist, everything says "nothing
yet"; once SalesOrder/Invoice exist (slice `sales`), real rows give the worked figures.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.apps import apps
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.sales.customers import orders
from tests.sales.customers.conftest import customer_make

D = Decimal


def _model(name):
    try:
        return apps.get_model("sales", name)
    except LookupError:
        return None


def _order(customer, number, days_ago, total, status="confirmed"):
    SalesOrder = _model("SalesOrder")
    return SalesOrder.objects.create(
        number=number,
        customer=customer,
        status=status,
        currency=customer.currency,
        order_date=timezone.localdate() - timedelta(days=days_ago),
        total=D(total),
    )


def test_order_history_and_totals(tenant):
    acme = customer_make(tenant, "Acme")
    bolt = customer_make(tenant, "Bolt")
    with schema_context(tenant.schema_name):
        if _model("SalesOrder") is None:
            assert not orders.available()
            assert orders.order_history() == {}
            assert orders.order_totals() == {}
            assert orders.rfm_segments() == {}
            assert orders.recent_orders(acme) == []
            return
        assert orders.available()
        _order(acme, "T-1", 100, "100.00")
        _order(acme, "T-2", 10, "50.00", status="shipped")
        _order(acme, "T-3", 5, "999.00", status="draft")  # not a sale
        _order(acme, "T-4", 4, "999.00", status="cancelled")  # not a sale
        _order(bolt, "T-5", 300, "20.00", status="delivered")
        today = timezone.localdate()
        history = orders.order_history()
        assert history[acme.pk] == [
            (today - timedelta(days=100), D("100.00")),
            (today - timedelta(days=10), D("50.00")),
        ]
        totals = orders.order_totals()
        assert (totals[acme.pk].count, totals[acme.pk].revenue) == (2, D("150.00"))
        assert totals[bolt.pk].last_order == today - timedelta(days=300)
        segments = orders.rfm_segments()
        # Two customers: Acme is better on every measure.
        assert segments[acme.pk].code == "555" and segments[bolt.pk].code == "111"
        assert (segments[acme.pk].segment, segments[bolt.pk].segment) == ("champions", "lost")
        assert [o.number for o in orders.recent_orders(acme)] == ["T-4", "T-3", "T-2", "T-1"]


def test_list_columns_and_segment_filter(tenant_client, tenant, users):
    from apps.accounts.models import Role

    tenant_client.force_login(users[Role.MANAGER])
    acme = customer_make(tenant, "Acme")
    bolt = customer_make(tenant, "Bolt")
    customer_make(tenant, "Cog")
    with schema_context(tenant.schema_name):
        has_orders = _model("SalesOrder") is not None
        if has_orders:
            _order(acme, "T-1", 3, "120.00")
            _order(acme, "T-2", 30, "80.00")
            _order(bolt, "T-3", 300, "20.00")
    html = tenant_client.get("/sales/customers/?sort=-revenue").content.decode()
    if not has_orders:
        assert "Revenue" not in html
        return
    assert html.index(">Acme<") < html.index(">Bolt<") < html.index(">Cog<")
    assert "200.00 USD" in html
    # The segment summary links to each segment with its number of customers.
    assert 'href="?segment=champions">Champions <span class="badge text-bg-light border">1' in html
    by_segment = {
        segment: tenant_client.get(f"/sales/customers/?segment={segment}").content.decode()
        for segment in ("champions", "lost", "no_orders")
    }
    for segment, name in (("champions", "Acme"), ("lost", "Bolt"), ("no_orders", "Cog")):
        shown = by_segment[segment]
        assert [n for n in ("Acme", "Bolt", "Cog") if f">{n}<" in shown] == [name], segment


def test_customer_page_value_and_open_balance(tenant_client, tenant, users):
    from apps.accounts.models import Role

    tenant_client.force_login(users[Role.MANAGER])
    acme = customer_make(tenant, "Acme")
    with schema_context(tenant.schema_name):
        if _model("SalesOrder") is None:
            assert orders.open_balance(acme) is None
            html = tenant_client.get(f"/sales/customers/{acme.pk}/").content.decode()
            assert "Sales orders are not set up yet" in html
            return
        first = _order(acme, "T-1", 400, "100.00", status="delivered")
        _order(acme, "T-2", 40, "300.00", status="shipped")
        Invoice = _model("Invoice")
        if Invoice is not None:
            today = date.today()
            Invoice.objects.create(
                number="INV-T1",
                order=first,
                currency="USD",
                due_date=today,
                total=D("100.00"),
                amount_paid=D("30.00"),
                payment_status="partial",
            )
            Invoice.objects.create(
                number="INV-T2",
                order=first,
                currency="USD",
                due_date=today,
                total=D("50.00"),
                amount_paid=D("50.00"),
                payment_status="paid",
            )
            assert orders.open_balance(acme) == D("70.00")
    html = tenant_client.get(f"/sales/customers/{acme.pk}/").content.decode()
    # 2 orders, 400 revenue, AOV 200; tenure 400 days -> 2 / (400 / 365.25) = 1.82625
    # orders a year; predicted CLV = 200 × 1.82625 × 3 = 1095.75; 360 days between orders.
    for text in ("400.00", "200.00", "1.83", "1095.75", "360.0", "T-2"):
        assert text in html, text
    assert f'href="/sales/?customer={acme.pk}"' in html


def test_cached_figures_follow_every_order_change(tenant):
    acme = customer_make(tenant, "Acme")
    with schema_context(tenant.schema_name):
        assert orders.order_totals() == {}
        order = _order(acme, "T-1", 3, "120.00")
        assert orders.order_totals()[acme.pk].revenue == D("120.00")
        assert orders.rfm_segments()[acme.pk].code == "333"
        order.status = "cancelled"  # the sales services save with updated_at
        order.save()
        assert orders.order_totals() == {}
        assert orders.rfm_segments() == {}


def test_sorting_by_order_figures_and_segment_pages_through_everyone(
    tenant_client, tenant, users, django_assert_max_num_queries
):
    import re

    from apps.accounts.models import Role

    tenant_client.force_login(users[Role.MANAGER])
    # Customer i has i orders of 10.00, the last one i days ago; "Zero" has none.
    for i in range(1, 31):
        customer = customer_make(tenant, f"C{i:02d}")
        with schema_context(tenant.schema_name):
            for n in range(i):
                _order(customer, f"T-{i}-{n}", i + n * 30, "10.00")
    customer_make(tenant, "Zero")

    def names(**params):
        html = tenant_client.get("/sales/customers/", params).content.decode()
        return re.findall(r'href="/sales/customers/\d+/">([^<]+)</a>', html)

    assert names(sort="-orders")[:3] == ["C30", "C29", "C28"]
    assert names(sort="-orders", page=2) == ["C05", "C04", "C03", "C02", "C01", "Zero"]
    assert names(sort="orders")[:2] == ["Zero", "C01"]
    assert names(sort="revenue", per_page=50)[-1] == "C30"
    # Most recent first; a customer without orders comes last either way.
    assert names(sort="-last_order")[:2] == ["C01", "C02"]
    assert names(sort="last_order", per_page=50)[-1] == "Zero"
    assert names(sort="-last_order", per_page=50)[-1] == "Zero"
    from apps.sales.customers import rfm
    from apps.sales.models import Customer

    with schema_context(tenant.schema_name):
        scores = orders.rfm_segments()
        segment_of = {
            c.name: scores[c.pk].segment if c.pk in scores else rfm.NO_ORDERS
            for c in Customer.objects.all()
        }
    best_first = names(sort="segment", per_page=50)
    ranks = [rfm.ORDER.index(segment_of[name]) for name in best_first]
    assert ranks == sorted(ranks) and best_first[-1] == "Zero"
    assert names(sort="-segment", per_page=50)[0] == "Zero"
    with django_assert_max_num_queries(20):
        names(sort="-revenue", page=2)
    rows = b"".join(
        tenant_client.get("/data/export/customers.csv?sort=-revenue&active=active")
    ).decode("utf-8-sig")
    lines = rows.splitlines()
    assert lines[1].startswith("C30,") and lines[-1].startswith("Zero,")
    assert ",30,300.00," in lines[1]


def test_cached_figures_are_per_company(tenant, other_tenant):
    acme = customer_make(tenant, "Acme")
    beta_customer = customer_make(other_tenant, "Beta buyer")
    with schema_context(tenant.schema_name):
        alpha_order = _order(acme, "T-1", 3, "120.00")
        alpha_order.refresh_from_db()
        assert set(orders.order_totals()) == {acme.pk}
    with schema_context(other_tenant.schema_name):
        beta_order = _order(beta_customer, "T-1", 3, "5.00")
        # Give beta's orders the very same fingerprint (count, last id, last change) as
        # alpha's: only the per-company cache key keeps the two apart.
        SalesOrder = _model("SalesOrder")
        SalesOrder.objects.filter(pk=beta_order.pk).update(
            id=alpha_order.pk, updated_at=alpha_order.updated_at
        )
        totals = orders.order_totals()
        assert set(totals) == {beta_customer.pk} and totals[beta_customer.pk].revenue == D("5.00")
