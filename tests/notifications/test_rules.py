"""Notification rules: each fires once per condition, again only after it cleared and came
back; preferences and the company's settings are respected."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import Role, User
from apps.catalog.models import Product, Variant
from apps.inventory.models import Location, Warehouse
from apps.inventory.services import MoveLine, stock_moves_post
from apps.notifications import rules
from apps.notifications.channels import CHANNELS, Channel, Message, channel_register, deliver
from apps.notifications.models import Notification, NotificationPreference
from apps.notifications.rules import (
    rule_settings,
    rules_evaluate,
    sync_failed_notify,
    sync_recovered,
)
from tests.conftest import make_user


@pytest.fixture
def shop(in_tenant, users):
    bin_ = Location.objects.create(
        warehouse=Warehouse.objects.create(code="MAIN", name="Main"), code="A-01"
    )
    cup = Variant.objects.create(
        product=Product.objects.create(name="Cup"), sku="CUP", reorder_point=D(10)
    )
    rule_settings()  # created before the history: older adjustments are not news
    return {"bin": bin_, "cup": cup, "users": users}


def move(shop, qty, kind="receipt", cost="2", reason=""):
    stock_moves_post(
        lines=[MoveLine(shop["cup"].pk, shop["bin"].pk, D(qty), D(cost) if qty > 0 else None)],
        kind=kind,
        reason=reason,
    )


def titles(kind):
    return list(Notification.objects.filter(kind=kind).values_list("recipient__role", "title"))


def test_low_stock_fires_once_per_condition_and_again_after_it_cleared(shop):
    move(shop, 4)
    assert rules_evaluate()["low_stock"] == 1
    # Every owner and manager (the kind's roles; alpha's founder is an owner too), once each.
    managers = set(
        User.objects.filter(role__in=[Role.OWNER, Role.MANAGER]).values_list("pk", flat=True)
    )
    assert len(managers) == 3
    assert sorted(Notification.objects.values_list("recipient", flat=True)) == sorted(managers)
    assert titles("low_stock")[0][1] == "CUP is low: 4 on hand"
    assert rules_evaluate()["low_stock"] == 0  # still low: nothing new
    move(shop, 20)  # back above the reorder point: the condition clears
    assert rules_evaluate()["low_stock"] == 0
    move(shop, -20, kind="shipment")  # low again: a new condition
    assert rules_evaluate()["low_stock"] == 1
    assert Notification.objects.filter(kind="low_stock").count() == 6


def test_preferences_and_company_settings_are_respected(shop):
    manager = shop["users"][Role.MANAGER]
    NotificationPreference.objects.create(user=manager, kind="low_stock", in_app=False, email=False)
    settings = rule_settings()
    settings.email = False
    settings.save()
    move(shop, 4)
    rules_evaluate()
    sent = Notification.objects.filter(kind="low_stock")
    assert {n.recipient.role for n in sent} == {Role.OWNER} and sent.count() == 2
    assert {n.email for n in sent} == {Notification.Email.NONE}  # in-app only, as chosen
    settings.low_stock = False
    settings.save()
    move(shop, -1, kind="shipment")
    assert rules_evaluate()["low_stock"] == 0


def test_email_channel_queues_the_email_through_the_worker(shop, sync_jobs):
    move(shop, 4)
    with sync_jobs():
        rules_evaluate()
    assert Notification.objects.filter(kind="low_stock", email="sent").count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == [
        "founder@alpha.test",
        "manager@alpha.test",
        "owner@alpha.test",
    ]


def test_large_adjustments_over_the_threshold(shop):
    settings = rule_settings()
    settings.large_adjustment_value = D(100)
    settings.save()
    move(shop, 100, cost="2")  # a receipt: not an adjustment
    move(shop, -10, kind="adjustment", reason="damaged")  # worth 20: small
    move(shop, -60, kind="adjustment", reason="theft")  # worth 120: large
    fired = rules_evaluate()["large_adjustment"]
    assert fired == 1
    (title,) = {t for _, t in titles("large_adjustment")}
    assert title.startswith("CUP: -60 (adjustment) worth 120.00")
    assert rules_evaluate()["large_adjustment"] == 0  # each move once


def test_po_waiting_too_long_reminds_its_approvers_once(shop, monkeypatch):
    from apps.catalog.services import supplier_create
    from apps.purchasing.config import purchasing_settings
    from apps.purchasing.services import LineInput, purchase_order_create, purchase_order_submit

    config = purchasing_settings()
    config.approval_threshold = D(1)
    config.save()
    order = purchase_order_submit(
        order=purchase_order_create(
            supplier=supplier_create(name="Acme", currency="USD"),
            warehouse=Warehouse.objects.get(code="MAIN"),
            lines=[LineInput(shop["cup"].pk, D(10), D(5))],
        )
    )
    assert order.status == "awaiting_approval"
    before = Notification.objects.filter(kind="po_awaiting_approval").count()
    assert rules_evaluate()["po_approval"] == 0  # not waited 24 hours yet
    later = order.submitted_at + dt.timedelta(hours=25)
    monkeypatch.setattr(rules, "_now", lambda: later)
    assert rules_evaluate()["po_approval"] == 1
    assert rules_evaluate()["po_approval"] == 0
    from apps.purchasing.services import approvers

    reminders = Notification.objects.filter(
        kind="po_awaiting_approval", title__contains="waited over 24 hours"
    )
    assert Notification.objects.filter(kind="po_awaiting_approval").count() - before == len(
        reminders
    )
    assert sorted(n.recipient_id for n in reminders) == sorted(u.pk for u in approvers(order))
    assert reminders and reminders[0].url == f"/purchasing/orders/{order.pk}/"


def test_sync_failure_hook_fires_once_until_recovered(shop):
    assert sync_failed_notify(integration="Shopify", error="401 Unauthorized")
    assert sync_failed_notify(integration="Amazon", error="timeout")
    assert not sync_failed_notify(integration="Shopify", error="401 again")
    sync_recovered(integration="Shopify")
    assert sync_failed_notify(integration="Shopify", error="500")
    owner = shop["users"][Role.OWNER]
    assert Notification.objects.filter(kind="sync_failed", recipient=owner).count() == 3


def test_further_channels_plug_into_the_same_interface(shop):
    class Recorder(Channel):
        code, label = "recorder", "Test recorder"
        sent: list = []

        def deliver(self, message):
            self.sent.append(message.title)
            return 1

    channel_register(Recorder())
    try:
        message = Message(kind="sync_failed", title="Hello", users=[shop["users"][Role.OWNER]])
        assert deliver(message, {"in_app", "recorder", "gone"}) == 2
        assert Recorder.sent == ["Hello"]
    finally:
        CHANNELS.pop("recorder")


def test_rules_page_for_owners(tenant, tenant_client, users):
    tenant_client.force_login(users[Role.MANAGER])
    assert tenant_client.get("/notifications/rules/").status_code == 403
    tenant_client.force_login(users[Role.OWNER])
    assert (
        "Large means worth at least" in tenant_client.get("/notifications/rules/").content.decode()
    )
    form = {"low_stock": "on", "po_approval_hours": "0", "large_adjustment_value": "250",
            "order_overdue_days": "3", "stockout_days": "0"}  # fmt: skip
    bad = tenant_client.post("/notifications/rules/", form)
    assert bad.status_code == 400 and "Between 1 hour" in bad.content.decode()
    assert "Between 1 and 365 days" in bad.content.decode()
    good = {**form, "po_approval_hours": "48", "stockout_days": "10"}
    assert tenant_client.post("/notifications/rules/", good).status_code == 302
    with schema_context(tenant.schema_name):
        saved = rule_settings()
    assert (saved.low_stock, saved.po_approval, saved.po_approval_hours, saved.email) == (
        True, False, 48, False,
    )  # fmt: skip
    assert saved.large_adjustment_value == D(250)
    assert (saved.order_overdue, saved.stockout_days) == (False, 10)


def test_another_company_is_never_told(shop, other_tenant):
    make_user(other_tenant, Role.OWNER, email="owner@beta.test")
    move(shop, 4)
    rules_evaluate()
    with schema_context(other_tenant.schema_name):
        assert not Notification.objects.exists()


def test_a_large_adjustment_is_told_at_once_by_the_ledger_listener(shop, sync_jobs):
    settings = rule_settings()
    settings.large_adjustment_value = D(100)
    settings.save()
    move(shop, 100, cost="2")
    with sync_jobs():
        move(shop, -10, kind="adjustment", reason="damaged")  # 20: no job at all
    assert not Notification.objects.filter(kind="large_adjustment").exists()
    with sync_jobs():
        move(shop, -60, kind="adjustment", reason="theft")  # 120
    assert Notification.objects.filter(kind="large_adjustment").count() == 3  # owners, manager
    assert rules_evaluate()["large_adjustment"] == 0  # already told: not again


def test_sales_order_overdue_to_ship_after_its_promised_date(shop, monkeypatch):
    from apps.sales.models import Customer, SalesOrder
    from apps.sales.services import LineInput, sales_order_confirm, sales_order_create

    move(shop, 50)
    ada = Customer.objects.create(name="Ada Shop")
    today = timezone.localdate()
    order = sales_order_confirm(
        order=sales_order_create(
            customer=ada,
            lines=[LineInput(shop["cup"].pk, D(2))],
            promised_date=today + dt.timedelta(days=5),
        )
    )
    # An order written without a promised date (bulk history) ordered 3 days ago: due
    # order date + the default 2 handling days, so yesterday.
    old = sales_order_confirm(
        order=sales_order_create(customer=ada, lines=[LineInput(shop["cup"].pk, D(1))])
    )
    SalesOrder.objects.filter(pk=old.pk).update(
        promised_date=None, order_date=today - dt.timedelta(days=3)
    )
    assert rules_evaluate()["order_overdue"] == 1  # only the old one
    told = Notification.objects.filter(kind="order_overdue")
    assert {n.title for n in told} == {f"{old.number} for Ada Shop is overdue to ship"}

    def on(day):
        noon = dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_current_timezone())
        monkeypatch.setattr(rules, "_now", lambda: noon)

    on(today + dt.timedelta(days=5))  # the promised day itself: still on time
    assert rules_evaluate()["order_overdue"] == 0
    on(today + dt.timedelta(days=6))
    assert rules_evaluate()["order_overdue"] == 1
    assert rules_evaluate()["order_overdue"] == 0  # once per condition
    told = Notification.objects.filter(kind="order_overdue", title__startswith=order.number)
    assert {n.recipient.role for n in told} == {Role.OWNER, Role.MANAGER, Role.CLERK}
    assert told[0].title == f"{order.number} for Ada Shop is overdue to ship"
    assert f"Promised to ship by {today + dt.timedelta(days=5):%Y-%m-%d} (1 day ago)" in (
        told[0].body
    )


def test_predicted_stockout_from_the_latest_forecast(shop):
    from django.utils import timezone

    from apps.forecasting.models import ForecastRun, PolicyResult

    def run(stockout_in_days, probability):
        forecast = ForecastRun.objects.create(
            status=ForecastRun.Status.DONE, series=1, finished_at=timezone.now()
        )
        PolicyResult.objects.create(
            run=forecast, variant=shop["cup"], model="croston", demand_class="smooth",
            abc="A", xyz="X", service_level=D("0.95"), lead_time_days=7,
            daily_demand=D(2), safety_stock=D(5), reorder_point=D(19), order_quantity=D(40),
            stock_position=D(12),
            stockout_date=timezone.localdate() + dt.timedelta(days=stockout_in_days),
            stockout_probability=D(probability),
        )  # fmt: skip

    run(6, "0.8")
    assert rules_evaluate()["stockout"] == 1
    (title,) = set(
        Notification.objects.filter(kind="stockout_predicted").values_list("title", flat=True)
    )
    assert title.startswith("CUP may run out by")
    run(5, "0.9")  # the next run still sees it: no new notification
    assert rules_evaluate()["stockout"] == 0
    run(40, "0.9")  # beyond the 14-day window: the condition clears
    assert rules_evaluate()["stockout"] == 0
    run(3, "0.3")  # unlikely: nothing
    assert rules_evaluate()["stockout"] == 0
    run(3, "0.7")  # back: a new condition
    assert rules_evaluate()["stockout"] == 1
