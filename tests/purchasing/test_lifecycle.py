import re

import pytest
from django.core import mail

from apps.accounts.models import Role
from apps.catalog.services import supplier_create
from apps.purchasing.errors import PurchasingError
from apps.purchasing.models import PurchaseOrder
from apps.purchasing.services import (
    ChargeInput,
    LineInput,
    purchase_order_approve,
    purchase_order_cancel,
    purchase_order_close,
    purchase_order_create,
    purchase_order_reject,
    purchase_order_reopen,
    purchase_order_submit,
    purchase_order_update,
)

from .conftest import D

Status = PurchaseOrder.Status


def events(order):
    return list(order.events.values_list("kind", flat=True))


def test_a_new_order_is_a_numbered_draft_with_the_supplier_items_terms(make_order, buying):
    first, second = make_order(), make_order()
    assert re.fullmatch(r"PO-\d{6}", first.number)
    assert int(second.number[3:]) == int(first.number[3:]) + 1
    assert first.status == Status.DRAFT and first.currency == "USD" and first.exchange_rate == 1
    bolt, nut = first.lines.order_by("variant__sku")
    assert (bolt.supplier_sku, bolt.unit_cost, bolt.pack_size) == ("AC-BOLT", 5, 1)
    assert (nut.supplier_sku, nut.unit_cost, nut.pack_size, nut.packs) == ("AC-NUT", 1, 6, 5)
    assert first.subtotal == D(80) and first.total == D(80)
    assert events(first) == ["created"]


def test_prefix_comes_from_the_purchasing_settings(make_order, buying):
    buying["settings"].number_prefix = "BUY-"
    buying["settings"].save()
    assert make_order().number.startswith("BUY-")


def test_totals_include_tax_and_charges(make_order, buying):
    order = make_order(
        LineInput(buying["bolt"].pk, D(10), unit_cost=D("4.5"), tax_rate=D(20)),
        charges=[ChargeInput(D(15)), ChargeInput(D(5), kind="duty")],
    )
    assert (order.subtotal, order.tax_total, order.charges_total, order.total) == (
        D(45),
        D(9),
        D(20),
        D(74),
    )


def test_foreign_currency_needs_a_rate_which_is_kept_on_the_order(buying):
    supplier = supplier_create(name="Euro GmbH", currency="EUR")
    line = [LineInput(buying["bolt"].pk, D(100), unit_cost=D(10))]
    with pytest.raises(PurchasingError, match="exchange rate"):
        purchase_order_create(supplier=supplier, warehouse=buying["warehouse"], lines=line)
    order = purchase_order_create(
        supplier=supplier, warehouse=buying["warehouse"], lines=line, exchange_rate=D("1.1")
    )
    assert order.currency == "EUR" and order.exchange_rate == D("1.1")
    assert order.total == D(1000) and order.total_base == D(1100)
    purchase_order_submit(order=order)
    order.refresh_from_db()  # 1100 USD is above the 1000 threshold although 1000 EUR is not
    assert order.status == Status.AWAITING_APPROVAL


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], "at least one line"),
        ([("nut", 7)], "packs of 6"),
        ([("bolt", 0)], "greater than zero"),
        ([("bolt", -2)], "greater than zero"),
        ([("bolt", 1), ("bolt", 2)], "two lines"),
    ],
)
def test_bad_lines_are_refused_and_nothing_is_written(buying, make_order, lines, message):
    inputs = [LineInput(buying[name].pk, D(q)) for name, q in lines]
    with pytest.raises(PurchasingError, match=message):
        make_order(*inputs) if inputs else purchase_order_create(
            supplier=buying["supplier"], warehouse=buying["warehouse"], lines=[]
        )
    assert not PurchaseOrder.objects.exists()


def test_negative_cost_and_silly_tax_are_refused(buying, make_order):
    with pytest.raises(PurchasingError, match="cannot be negative"):
        make_order(LineInput(buying["bolt"].pk, D(1), unit_cost=D(-1)))
    with pytest.raises(PurchasingError, match="between 0 and 100"):
        make_order(LineInput(buying["bolt"].pk, D(1), tax_rate=D(150)))
    with pytest.raises(PurchasingError, match="must be a number"):
        make_order(LineInput(buying["bolt"].pk, "lots"))


def test_a_total_exactly_at_the_threshold_needs_no_approval(buying, make_order):
    order = make_order(LineInput(buying["bolt"].pk, D(200)))  # 200 × 5 = 1000.00
    assert order.total == D(1000)
    order = purchase_order_submit(order=order)
    assert order.status == Status.APPROVED and order.approved_by is None
    assert events(order) == ["created", "auto_approved"]
    assert mail.outbox == []


def test_a_cent_above_the_threshold_waits_for_approval_and_emails_approvers(
    buying, make_order, users, django_capture_on_commit_callbacks
):
    order = make_order(LineInput(buying["bolt"].pk, D(200), unit_cost=D("5.00005")))
    assert order.total == D("1000.01")
    with django_capture_on_commit_callbacks(execute=True):
        order = purchase_order_submit(order=order, user=users[Role.CLERK])
    assert order.status == Status.AWAITING_APPROVAL
    (email,) = mail.outbox
    assert set(email.to) == {
        users[Role.MANAGER].email,
        users[Role.OWNER].email,
        "founder@alpha.test",
    }
    assert order.number in email.subject and "/purchasing/orders/" in email.body
    from apps.notifications.models import Notification

    bell = Notification.objects.filter(kind="po_awaiting_approval")
    assert {n.recipient.email for n in bell} == set(email.to)  # the same people, in the app
    assert all(n.url == f"/purchasing/orders/{order.pk}/" and n.email == "none" for n in bell)


def test_no_threshold_means_no_order_needs_approval(buying, make_order):
    buying["settings"].approval_threshold = None
    buying["settings"].save()
    order = purchase_order_submit(order=make_order(LineInput(buying["bolt"].pk, D(10000))))
    assert order.status == Status.APPROVED


def test_manager_approves_with_a_comment_and_the_timeline_shows_it(buying, make_order, users):
    order = purchase_order_submit(order=make_order(LineInput(buying["bolt"].pk, D(300))))
    order = purchase_order_approve(order=order, user=users[Role.MANAGER], comment="Fine for Q3")
    assert order.status == Status.APPROVED and order.approved_by == users[Role.MANAGER]
    last = order.events.last()
    assert (last.kind, last.message, last.user) == ("approved", "Fine for Q3", users[Role.MANAGER])


def test_clerk_cannot_approve_purchase_order(buying, make_order, users):
    order = purchase_order_submit(order=make_order(LineInput(buying["bolt"].pk, D(300))))
    with pytest.raises(PurchasingError, match="cannot approve"):
        purchase_order_approve(order=order, user=users[Role.CLERK])
    order.refresh_from_db()
    assert order.status == Status.AWAITING_APPROVAL


def test_above_the_manager_limit_only_an_owner_approves(buying, make_order, users):
    buying["settings"].manager_approval_limit = D(5000)
    buying["settings"].save()
    at_limit = purchase_order_submit(order=make_order(LineInput(buying["bolt"].pk, D(1000))))
    assert purchase_order_approve(order=at_limit, user=users[Role.MANAGER]).status == "approved"
    big = purchase_order_submit(order=make_order(LineInput(buying["bolt"].pk, D(1001))))
    with pytest.raises(PurchasingError, match="an owner must approve"):
        purchase_order_approve(order=big, user=users[Role.MANAGER])
    assert purchase_order_approve(order=big, user=users[Role.OWNER]).status == "approved"


def test_editing_an_approved_order_returns_it_to_approval(buying, make_order, users):
    order = purchase_order_submit(order=make_order(LineInput(buying["bolt"].pk, D(300))))
    order = purchase_order_approve(order=order, user=users[Role.MANAGER])
    order = purchase_order_update(
        order=order, lines=[LineInput(buying["bolt"].pk, D(310))], user=users[Role.CLERK]
    )
    assert order.status == Status.AWAITING_APPROVAL and order.approved_by is None
    assert events(order)[-3:] == ["edited", "returned_to_approval", "submitted"]


def test_editing_an_approved_small_order_is_approved_again_by_the_rule(buying, make_order):
    order = purchase_order_submit(order=make_order())
    order = purchase_order_update(order=order, lines=[LineInput(buying["bolt"].pk, D(20))])
    assert order.status == Status.APPROVED and order.total == D(100)
    assert events(order)[-1] == "auto_approved"


def test_reject_needs_a_comment_emails_the_author_and_can_be_reopened(
    buying, make_order, users, django_capture_on_commit_callbacks
):
    order = make_order(LineInput(buying["bolt"].pk, D(300)), user=users[Role.CLERK])
    order = purchase_order_submit(order=order, user=users[Role.CLERK])
    with pytest.raises(PurchasingError, match="Say why"):
        purchase_order_reject(order=order, user=users[Role.MANAGER], comment="  ")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        order = purchase_order_reject(order=order, user=users[Role.MANAGER], comment="Too many")
    assert order.status == Status.REJECTED
    (email,) = mail.outbox
    assert email.to == [users[Role.CLERK].email] and "Too many" in email.body
    with pytest.raises(PurchasingError, match="cannot be edited"):
        purchase_order_update(order=order, lines=[LineInput(buying["bolt"].pk, D(1))])
    order = purchase_order_reopen(order=order)
    assert order.status == Status.DRAFT
    order = purchase_order_update(order=order, lines=[LineInput(buying["bolt"].pk, D(100))])
    assert purchase_order_submit(order=order).status == Status.APPROVED


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("submit", Status.APPROVED),
        ("approve", Status.DRAFT),
        ("reject", Status.APPROVED),
        ("reopen", Status.DRAFT),
        ("close", Status.SENT),
        ("cancel", Status.RECEIVED),
        ("cancel", Status.PARTIALLY_RECEIVED),
        ("cancel", Status.CLOSED),
        ("edit", Status.SENT),
    ],
)
def test_transitions_from_the_wrong_status_are_refused(buying, make_order, users, action, status):
    order = make_order()
    PurchaseOrder.objects.filter(pk=order.pk).update(status=status)
    calls = {
        "submit": lambda: purchase_order_submit(order=order),
        "approve": lambda: purchase_order_approve(order=order, user=users[Role.OWNER]),
        "reject": lambda: purchase_order_reject(order=order, user=users[Role.OWNER], comment="x"),
        "reopen": lambda: purchase_order_reopen(order=order),
        "close": lambda: purchase_order_close(order=order),
        "cancel": lambda: purchase_order_cancel(order=order),
        "edit": lambda: purchase_order_update(order=order, lines=[LineInput(buying["bolt"].pk, 1)]),
    }
    with pytest.raises(PurchasingError, match=f"is {order.__class__.Status(status).label.lower()}"):
        calls[action]()
    order.refresh_from_db()
    assert order.status == status


@pytest.mark.parametrize(
    "status", [Status.DRAFT, Status.AWAITING_APPROVAL, Status.APPROVED, Status.SENT]
)
def test_open_orders_not_yet_received_can_be_cancelled(make_order, status):
    order = make_order()
    PurchaseOrder.objects.filter(pk=order.pk).update(status=status)
    order = purchase_order_cancel(order=order, reason="Supplier out of stock")
    assert order.status == Status.CANCELLED
    assert order.events.last().message == "Supplier out of stock"
