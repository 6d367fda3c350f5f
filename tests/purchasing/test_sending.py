import pytest
from django.core import mail
from django.template.loader import render_to_string

from apps.accounts.models import Role
from apps.purchasing.documents import purchase_order_context
from apps.purchasing.errors import PurchasingError
from apps.purchasing.models import PurchaseOrder
from apps.purchasing.sending import purchase_order_send
from apps.purchasing.services import ChargeInput, purchase_order_submit


def test_sending_emails_the_pdf_and_logs_it(make_order, users):
    order = purchase_order_submit(order=make_order())
    order = purchase_order_send(
        order=order, user=users[Role.MANAGER], to="orders@acme.test", message="Rush please"
    )
    assert order.status == PurchaseOrder.Status.SENT and order.sent_at
    (email,) = mail.outbox
    assert email.to == ["orders@acme.test"] and email.body == "Rush please"
    assert email.subject == f"Purchase order {order.number}"
    assert email.reply_to == [users[Role.MANAGER].email]
    name, content, kind = email.attachments[0]
    assert (name, kind) == (f"{order.number}.pdf", "application/pdf")
    assert content.startswith(b"%PDF-")
    event = order.events.last()
    assert event.kind == "sent" and event.data["to"] == ["orders@acme.test"]
    assert event.data["body"] == "Rush please" and event.user == users[Role.MANAGER]


def test_a_draft_cannot_be_sent_and_bad_addresses_are_refused(make_order):
    draft = make_order()
    with pytest.raises(PurchasingError, match="is draft, so it cannot be sent"):
        purchase_order_send(order=draft, to="orders@acme.test")
    approved = purchase_order_submit(order=make_order())
    with pytest.raises(PurchasingError, match="not an email address"):
        purchase_order_send(order=approved, to="acme")
    with pytest.raises(PurchasingError, match="Enter the supplier's email"):
        purchase_order_send(order=approved, to=" ")
    approved.refresh_from_db()
    assert approved.status == "approved" and mail.outbox == []


def test_the_po_document_shows_supplier_skus_packs_charges_and_branding(make_order, tenant):
    tenant.legal_name = "Alpha Supplies Ltd"
    tenant.save(update_fields=["legal_name"])
    order = make_order(charges=[ChargeInput(12, description="Pallet")])
    html = render_to_string("purchasing/po_pdf.html", purchase_order_context(order))
    for text in ("Alpha Supplies Ltd", "AC-NUT", "Acme Parts", "Pallet", "92.00", order.number):
        assert text in html
    assert ">5<" in html  # 30 nuts are five packs of 6
