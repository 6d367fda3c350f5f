"""Customer, contact, address, log and price tier services against the real database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError

from apps.sales.customers.contacts import (
    AddressData,
    address_delete,
    address_save,
    contact_delete,
    contact_save,
)
from apps.sales.customers.errors import CustomerError, DuplicateCustomer
from apps.sales.customers.log import customer_email_send, note_add
from apps.sales.customers.services import (
    CustomerData,
    customer_archive,
    customer_create,
    customer_restore,
    customer_update,
    tags_parse,
)
from apps.sales.customers.tiers import price_tier_delete, price_tier_save
from apps.sales.models import Customer, CustomerAddress, CustomerNote, PriceTier


def make(name="Acme Ltd", **fields) -> Customer:
    return customer_create(data=CustomerData(name=name, **fields))


def test_create_cleans_and_stores_the_details(in_tenant):
    customer = make(
        "  Acme   Ltd ",
        email="Buyer@Acme.test",
        phone="+1 (555) 010-0200",
        currency="eur",
        tags="wholesale, VIP, vip , ",
        marketing_consent=True,
    )
    customer.refresh_from_db()
    assert customer.name == "Acme Ltd"
    assert customer.currency == "EUR"
    assert customer.tags == ["wholesale", "VIP"]
    assert customer.marketing_consent_at is not None


def test_new_customers_get_the_default_price_tier(in_tenant):
    trade = price_tier_save(name="Trade", discount_percent="10", is_default=True)
    assert make().price_tier == trade


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "  "}, "name"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "call me"}, "phone"),
        ({"currency": "EURO"}, "currency"),
        ({"payment_terms_days": 5000}, "payment_terms_days"),
        ({"tags": ["x" * 41]}, "tags"),
    ],
)
def test_bad_input_is_refused_with_the_field_and_nothing_written(in_tenant, fields, field):
    data = {"name": "Acme", **fields}
    with pytest.raises(CustomerError) as error:
        customer_create(data=CustomerData(**data))
    assert error.value.field == field
    assert Customer.objects.count() == 0


def test_duplicate_email_ignoring_case_is_refused_unless_confirmed(in_tenant):
    first = make(email="buyer@acme.test")
    with pytest.raises(DuplicateCustomer) as error:
        make("Acme again", email="BUYER@acme.TEST")
    assert error.value.matches == [first]
    assert "Acme Ltd" in error.value.message
    assert Customer.objects.count() == 1
    customer_create(
        data=CustomerData(name="Acme again", email="BUYER@acme.TEST"), allow_duplicate=True
    )
    assert Customer.objects.count() == 2


def test_duplicate_phone_ignoring_formatting_is_detected(in_tenant):
    first = make(phone="+1 (555) 010-0200")
    with pytest.raises(DuplicateCustomer) as error:
        make("Other", phone="15550100200")
    assert error.value.matches == [first]
    # Too few digits to mean anything: never a duplicate.
    make("Short one", phone="12")
    make("Short two", phone="12")


def test_update_and_consent_date(in_tenant):
    customer = make(marketing_consent=True)
    assert customer.marketing_consent_at
    customer = customer_update(
        customer=customer, data=CustomerData(name="Acme Limited", marketing_consent=False)
    )
    customer.refresh_from_db()
    assert customer.name == "Acme Limited"
    assert customer.marketing_consent_at is None


def test_archive_and_restore(in_tenant):
    customer = customer_archive(customer=make())
    assert not customer.is_active
    with pytest.raises(CustomerError, match="already archived"):
        customer_archive(customer=customer)
    assert customer_restore(customer=customer).is_active


def test_one_primary_contact(in_tenant):
    customer = make()
    ann = contact_save(customer=customer, name="Ann")
    assert ann.is_primary  # the first one is the primary
    bob = contact_save(customer=customer, name="Bob", is_primary=True)
    ann.refresh_from_db()
    assert (ann.is_primary, bob.is_primary) == (False, True)
    contact_delete(contact=bob)
    ann.refresh_from_db()
    assert ann.is_primary
    with pytest.raises(CustomerError, match="not an email"):
        contact_save(customer=customer, name="Cy", email="nope")


def _address(kind="shipping", city="Springfield", default=False):
    return AddressData(kind=kind, line1="1 Main St", city=city, country="us", is_default=default)


def test_one_default_address_per_kind(in_tenant):
    customer = make()
    first = address_save(customer=customer, data=_address())
    assert first.is_default and first.country == "US"
    second = address_save(customer=customer, data=_address(city="Shelbyville", default=True))
    billing = address_save(customer=customer, data=_address(kind="billing"))
    first.refresh_from_db()
    assert (first.is_default, second.is_default, billing.is_default) == (False, True, True)
    address_delete(address=second)
    first.refresh_from_db()
    assert first.is_default
    # The database itself refuses two defaults of a kind.
    with pytest.raises(IntegrityError):
        CustomerAddress.objects.create(
            customer=customer, kind="shipping", line1="x", city="y", country="US", is_default=True
        )


def test_bad_country_code_is_refused(in_tenant):
    with pytest.raises(CustomerError) as error:
        address_save(
            customer=make(),
            data=AddressData(kind="billing", line1="1 Main", city="X", country="USA"),
        )
    assert error.value.field == "country"


def test_email_is_sent_and_logged(in_tenant, owner):
    customer = make(email="buyer@acme.test")
    note = customer_email_send(customer=customer, user=owner, subject="Hello", body="Your order")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["buyer@acme.test"]
    assert mail.outbox[0].reply_to == [owner.email]
    assert note.kind == CustomerNote.Kind.EMAIL
    assert "buyer@acme.test" in note.body and "Your order" in note.body


def test_email_without_address_is_refused_and_not_logged(in_tenant):
    customer = make()
    with pytest.raises(CustomerError, match="has none on file"):
        customer_email_send(customer=customer, subject="Hi", body="x")
    assert CustomerNote.objects.count() == 0
    assert mail.outbox == []


def test_failed_email_is_not_logged(in_tenant, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    customer = make(email="buyer@acme.test")
    with pytest.raises(CustomerError, match="could not be sent"):
        customer_email_send(customer=customer, subject="Hi", body="x")
    assert CustomerNote.objects.count() == 0


def test_note_needs_a_body(in_tenant, owner):
    customer = make()
    with pytest.raises(CustomerError):
        note_add(customer=customer, body="  ")
    note = note_add(customer=customer, user=owner, body="Called about invoice", kind="call")
    assert note.kind == "call"


def test_price_tiers_one_default_and_unique_names(in_tenant):
    retail = price_tier_save(name="Retail", discount_percent="0", is_default=True)
    trade = price_tier_save(name="Trade", discount_percent="12.5", is_default=True)
    retail.refresh_from_db()
    assert (retail.is_default, trade.is_default) == (False, True)
    assert trade.discount_percent == Decimal("12.50")
    with pytest.raises(CustomerError, match="already a price tier"):
        price_tier_save(name="trade", discount_percent="1")
    with pytest.raises(CustomerError, match="between 0 and 100"):
        price_tier_save(name="Silly", discount_percent="101")
    customer = make(price_tier=trade)
    assert price_tier_delete(tier=trade) == 1
    customer.refresh_from_db()
    assert customer.price_tier is None
    assert PriceTier.objects.count() == 1


def test_tags_parse():
    assert tags_parse(" a , B,b,, c ") == ["a", "B", "c"]
    assert tags_parse(None) == []
