"""Customer pages: list (search, filters, sort, pagination, HTMX, query budget), the
customer page, forms with duplicate confirmation, archive, contacts, addresses, log,
price tiers, and who may do what."""

from __future__ import annotations

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.sales.customers.contacts import AddressData, address_save, contact_save
from apps.sales.customers.tiers import price_tier_save
from apps.sales.models import Customer, CustomerAddress, CustomerContact, CustomerNote, PriceTier
from tests.sales.customers.conftest import customer_make

LIST = "/sales/customers/"


def _names(response) -> list[str]:
    import re

    html = response.content.decode()
    return re.findall(r'href="/sales/customers/\d+/">([^<]+)</a>', html)


def test_list_search_by_name_email_phone_tax_id_and_contact(manager_client, tenant):
    acme = customer_make(tenant, "Acme Ltd", email="buyer@acme.test", tax_id="DE123")
    customer_make(tenant, "Bolt Inc", phone="+1 (555) 010-0200")
    customer_make(tenant, "Cog GmbH")
    with schema_context(tenant.schema_name):
        contact_save(customer=acme, name="Zelda Zimmer", email="zelda@acme.test")
    assert _names(manager_client.get(LIST, {"q": "acme.test"})) == ["Acme Ltd"]
    assert _names(manager_client.get(LIST, {"q": "5550100200"})) == ["Bolt Inc"]
    assert _names(manager_client.get(LIST, {"q": "de123"})) == ["Acme Ltd"]
    assert _names(manager_client.get(LIST, {"q": "zimmer"})) == ["Acme Ltd"]
    response = manager_client.get(LIST, {"q": "nothing-like-this"})
    assert "No customers match" in response.content.decode()


def test_list_filters_tag_tier_and_archived(manager_client, tenant):
    with schema_context(tenant.schema_name):
        trade = price_tier_save(name="Trade", discount_percent="10")
    customer_make(tenant, "Acme", tags=["Wholesale"], price_tier=trade)
    customer_make(tenant, "Bolt", tags=["retail"])
    old = customer_make(tenant, "Cog")
    with schema_context(tenant.schema_name):
        Customer.objects.filter(pk=old.pk).update(is_active=False)
    assert _names(manager_client.get(LIST, {"tag": "wholesale"})) == ["Acme"]
    assert _names(manager_client.get(LIST, {"tier": trade.pk})) == ["Acme"]
    assert _names(manager_client.get(LIST, {"tier": 0})) == ["Bolt"]
    assert _names(manager_client.get(LIST)) == ["Acme", "Bolt"]
    assert _names(manager_client.get(LIST, {"active": "archived"})) == ["Cog"]
    assert _names(manager_client.get(LIST, {"active": "all"})) == ["Acme", "Bolt", "Cog"]
    # Without orders every customer is in the "no orders" segment.
    assert _names(manager_client.get(LIST, {"segment": "no_orders"})) == ["Acme", "Bolt"]
    assert _names(manager_client.get(LIST, {"segment": "champions"})) == []


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Acme", "bolt", "Cog"]),
        ("-name", ["Cog", "bolt", "Acme"]),
        ("email", ["Cog", "Acme", "bolt"]),
        ("-phone", ["Acme", "Cog", "bolt"]),
        ("tier", ["bolt", "Acme", "Cog"]),
        ("-created", ["Cog", "bolt", "Acme"]),
        ("segment", ["Acme", "bolt", "Cog"]),
        ("nonsense", ["Acme", "bolt", "Cog"]),
    ],
)
def test_list_sorts_every_column(manager_client, tenant, sort, expected):
    with schema_context(tenant.schema_name):
        a_tier = price_tier_save(name="A tier", discount_percent="1")
        b_tier = price_tier_save(name="B tier", discount_percent="2")
    customer_make(tenant, "Acme", email="a@x.test", phone="3", price_tier=b_tier)
    customer_make(tenant, "bolt", email="b@x.test", phone="1", price_tier=a_tier)
    customer_make(tenant, "Cog", email="", phone="2")
    assert _names(manager_client.get(LIST, {"sort": sort})) == expected


def test_list_pagination_lives_in_the_url_and_htmx_gets_the_table_only(manager_client, tenant):
    for i in range(30):
        customer_make(tenant, f"Customer {i:02d}")
    page2 = manager_client.get(LIST, {"page": 2})
    assert _names(page2) == [f"Customer {i:02d}" for i in range(25, 30)]
    assert "26–30 of 30" in page2.content.decode()
    partial = manager_client.get(
        LIST, {"page": 2}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="customer-table"
    )
    html = partial.content.decode()
    assert html.lstrip().startswith('<div id="customer-table"')
    assert "<html" not in html
    # The section around the table replaces it whole (sort and page links inherit this).
    assert '<section hx-swap="outerHTML">' in page2.content.decode()
    assert partial.content.decode().count('id="customer-table"') == 1


def test_list_query_count_is_fixed(manager_client, tenant, django_assert_max_num_queries):
    customer_make(tenant, "Only one", tags=["a"])
    with django_assert_max_num_queries(16) as one:
        manager_client.get(LIST, {"sort": "segment"})
    with schema_context(tenant.schema_name):
        tier = price_tier_save(name="Trade", discount_percent="5")
    for i in range(40):
        c = customer_make(tenant, f"Many {i}", tags=[f"t{i}"], price_tier=tier)
        with schema_context(tenant.schema_name):
            contact_save(customer=c, name=f"Contact {i}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = manager_client.get(LIST, {"sort": "segment", "per_page": 50})
    assert len(_names(response)) == 41


def test_create_warns_about_a_duplicate_and_creates_only_when_confirmed(manager_client, tenant):
    existing = customer_make(tenant, "Acme Ltd", email="buyer@acme.test")
    data = {
        "kind": "company",
        "name": "ACME Limited",
        "email": "Buyer@Acme.test",
        "currency": "usd",
        "payment_terms_days": "30",
    }
    response = manager_client.post(f"{LIST}new/", data)
    html = response.content.decode()
    assert response.status_code == 409
    assert "This may be a customer you already have" in html
    assert f'href="/sales/customers/{existing.pk}/"' in html
    with schema_context(tenant.schema_name):
        assert Customer.objects.count() == 1
    response = manager_client.post(f"{LIST}new/", {**data, "confirm_duplicate": "1"})
    assert response.status_code == 302
    with schema_context(tenant.schema_name):
        created = Customer.objects.get(name="ACME Limited")
        assert created.currency == "USD"
    assert response["Location"] == f"/sales/customers/{created.pk}/"


def test_create_with_bad_input_shows_the_message_in_words(manager_client, tenant):
    response = manager_client.post(
        f"{LIST}new/",
        {
            "kind": "company",
            "name": "X",
            "email": "nope",
            "currency": "USD",
            "payment_terms_days": "30",
        },
    )
    assert response.status_code == 422
    assert "“nope” is not an email address." in response.content.decode()
    with schema_context(tenant.schema_name):
        assert not Customer.objects.exists()


def test_edit_customer(manager_client, tenant):
    customer = customer_make(tenant, "Acme")
    response = manager_client.post(
        f"{LIST}{customer.pk}/edit/",
        {
            "kind": "person",
            "name": "Ann Acme",
            "currency": "EUR",
            "payment_terms_days": "14",
            "tags": "vip, vip",
            "marketing_consent": "on",
        },
    )
    assert response.status_code == 302
    with schema_context(tenant.schema_name):
        customer.refresh_from_db()
    assert (customer.name, customer.kind, customer.currency, customer.tags) == (
        "Ann Acme",
        "person",
        "EUR",
        ["vip"],
    )
    assert customer.marketing_consent_at is not None


def test_customer_page_shows_details_contacts_addresses_and_log(
    manager_client, tenant, django_assert_max_num_queries
):
    customer = customer_make(tenant, "Acme", email="buyer@acme.test", tags=["vip"])
    with schema_context(tenant.schema_name):
        contact_save(customer=customer, name="Dana Reyes", role="Buyer")
        address_save(
            customer=customer,
            data=AddressData(kind="billing", line1="1 Dock Rd", city="Springfield", country="US"),
        )
        CustomerNote.objects.create(customer=customer, body="Prefers morning deliveries")
    with django_assert_max_num_queries(20):
        response = manager_client.get(f"{LIST}{customer.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("Dana Reyes", "1 Dock Rd", "Prefers morning deliveries", "vip"):
        assert text in html
    from apps.sales.customers import orders

    no_orders = "No orders yet" if orders.available() else "Sales orders are not set up yet"
    assert no_orders in html
    assert manager_client.get(f"{LIST}999999/").status_code == 404


def test_customer_page_query_count_is_fixed(manager_client, tenant, django_assert_max_num_queries):
    customer = customer_make(tenant, "Acme")
    with schema_context(tenant.schema_name):
        contact_save(customer=customer, name="One")
        CustomerNote.objects.create(customer=customer, body="one", user=None)
    with django_assert_max_num_queries(30) as one:
        manager_client.get(f"{LIST}{customer.pk}/")
    with schema_context(tenant.schema_name):
        for i in range(15):
            contact_save(customer=customer, name=f"Contact {i}")
            address_save(
                customer=customer,
                data=AddressData(kind="shipping", line1=f"{i} Road", city="Town", country="US"),
            )
            CustomerNote.objects.create(customer=customer, body=f"note {i}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = manager_client.get(f"{LIST}{customer.pk}/").content.decode()
    assert "Contact 14" in html and "14 Road" in html and "note 14" in html


def test_archive_needs_confirmation_and_restore(manager_client, tenant):
    customer = customer_make(tenant, "Acme")
    confirm = manager_client.get(f"{LIST}{customer.pk}/archive/", HTTP_HX_REQUEST="true")
    assert "Archive Acme?" in confirm.content.decode()
    with schema_context(tenant.schema_name):
        assert Customer.objects.get(pk=customer.pk).is_active
    manager_client.post(f"{LIST}{customer.pk}/archive/")
    with schema_context(tenant.schema_name):
        assert not Customer.objects.get(pk=customer.pk).is_active
    manager_client.post(f"{LIST}{customer.pk}/archive/")
    with schema_context(tenant.schema_name):
        assert Customer.objects.get(pk=customer.pk).is_active


def test_contacts_and_addresses_pages(manager_client, tenant):
    customer = customer_make(tenant, "Acme")
    url = f"{LIST}{customer.pk}/"
    assert manager_client.post(f"{url}contacts/new/", {"name": "Ann"}).status_code == 302
    bad = manager_client.post(f"{url}contacts/new/", {"name": "Bob", "email": "bob"})
    assert bad.status_code == 422 and "not an email address" in bad.content.decode()
    address = {"kind": "shipping", "line1": "1 Main", "city": "Town", "country": "gb"}
    assert manager_client.post(f"{url}addresses/new/", address).status_code == 302
    second = manager_client.post(f"{url}addresses/new/", {**address, "is_default": "on"})
    assert second.status_code == 302
    bad = manager_client.post(f"{url}addresses/new/", {**address, "country": "Britain"})
    assert "two-letter code" in bad.content.decode()
    with schema_context(tenant.schema_name):
        addresses = list(CustomerAddress.objects.filter(customer=customer).order_by("id"))
        assert [a.is_default for a in addresses] == [False, True]
        contact = CustomerContact.objects.get(customer=customer)
    assert (
        "Remove this contact?"
        in manager_client.get(f"{url}contact/{contact.pk}/delete/").content.decode()
    )
    manager_client.post(f"{url}contact/{contact.pk}/delete/")
    manager_client.post(f"{url}address/{addresses[1].pk}/delete/")
    with schema_context(tenant.schema_name):
        assert not CustomerContact.objects.filter(customer=customer).exists()
        assert CustomerAddress.objects.get(customer=customer).is_default
    # Another customer's address cannot be reached through this customer.
    other = customer_make(tenant, "Other")
    assert manager_client.get(f"{LIST}{other.pk}/addresses/{addresses[0].pk}/").status_code == 404


def test_log_note_and_email_from_the_page(manager_client, tenant):
    customer = customer_make(tenant, "Acme", email="buyer@acme.test")
    url = f"{LIST}{customer.pk}/"
    manager_client.post(f"{url}notes/", {"kind": "call", "body": "Asked for a quote"})
    form = manager_client.get(f"{url}email/").content.decode()
    assert 'value="buyer@acme.test"' in form
    response = manager_client.post(
        f"{url}email/", {"to": "buyer@acme.test", "subject": "Quote", "body": "Attached."}
    )
    assert response.status_code == 302
    assert mail.outbox[0].subject == "Quote"
    with schema_context(tenant.schema_name):
        kinds = list(CustomerNote.objects.filter(customer=customer).values_list("kind", flat=True))
    assert sorted(kinds) == ["call", "email"]
    page = manager_client.get(url).content.decode()
    assert "Asked for a quote" in page and "Email sent" in page
    bad = manager_client.post(f"{url}email/", {"to": "x@", "subject": "Q", "body": "B"})
    assert bad.status_code == 422 and "not an email address" in bad.content.decode()


def test_price_tier_settings_page(manager_client, tenant):
    url = f"{LIST}price-tiers/"
    response = manager_client.post(
        url, {"name": "Trade", "discount_percent": "12.5", "is_default": "on"}
    )
    assert response.status_code == 302
    bad = manager_client.post(url, {"name": "trade", "discount_percent": "3"})
    assert bad.status_code == 422 and "already a price tier called" in bad.content.decode()
    with schema_context(tenant.schema_name):
        tier = PriceTier.objects.get()
    customer_make(tenant, "Acme", price_tier=tier)
    confirm = manager_client.get(f"{url}{tier.pk}/delete/").content.decode()
    assert "1 customer on this tier will pay the selling price" in confirm
    manager_client.post(f"{url}{tier.pk}/delete/")
    with schema_context(tenant.schema_name):
        assert not PriceTier.objects.exists()


@pytest.mark.parametrize(
    ("role", "view", "new", "tiers"),
    [
        (Role.OWNER, 200, 200, 200),
        (Role.MANAGER, 200, 200, 200),
        (Role.CLERK, 200, 200, 403),
        (Role.VIEWER, 200, 403, 403),
    ],
)
def test_roles(tenant_client, tenant, users, role, view, new, tiers):
    tenant_client.force_login(users[role])
    assert tenant_client.get(LIST).status_code == view
    assert tenant_client.get(f"{LIST}new/").status_code == new
    assert tenant_client.get(f"{LIST}price-tiers/").status_code == tiers


def test_viewer_cannot_write(tenant_client, tenant, users):
    customer = customer_make(tenant, "Acme")
    tenant_client.force_login(users[Role.VIEWER])
    assert tenant_client.post(f"{LIST}{customer.pk}/archive/").status_code == 403
    assert tenant_client.post(f"{LIST}{customer.pk}/notes/", {"body": "x"}).status_code == 403
    page = tenant_client.get(f"{LIST}{customer.pk}/").content.decode()
    assert "Add to log" not in page and "Edit" not in page


def test_other_company_cannot_see_customers(other_tenant_client, other_tenant, tenant):
    from tests.conftest import make_user

    customer = customer_make(tenant, "Alpha secret customer")
    other_tenant_client.force_login(make_user(other_tenant, Role.OWNER, "o@beta.test"))
    assert other_tenant_client.get(f"{LIST}{customer.pk}/").status_code == 404
    assert "Alpha secret customer" not in other_tenant_client.get(LIST).content.decode()


def test_owner_erases_personal_data_after_typing_the_name(tenant_client, tenant, users):
    customer = customer_make(
        tenant, "Ann Person", kind="person", email="ann@x.test", phone="555 0100", tags=["vip"]
    )
    with schema_context(tenant.schema_name):
        contact_save(customer=customer, name="Ann")
        CustomerNote.objects.create(customer=customer, body="Lives at 1 Main St")
    url = f"{LIST}{customer.pk}/erase/"
    tenant_client.force_login(users[Role.MANAGER])
    assert tenant_client.post(url, {"confirm_name": "Ann Person"}).status_code == 403
    tenant_client.force_login(users[Role.OWNER])
    wrong = tenant_client.post(url, {"confirm_name": "Ann"})
    assert wrong.status_code == 422
    assert "Type “Ann Person” exactly to confirm." in wrong.content.decode()
    with schema_context(tenant.schema_name):
        assert Customer.objects.get(pk=customer.pk).erased_at is None
    assert tenant_client.post(url, {"confirm_name": " ann  person "}).status_code == 302
    with schema_context(tenant.schema_name):
        erased = Customer.objects.get(pk=customer.pk)
        assert erased.name == f"Erased customer #{customer.pk}"
        assert (erased.email, erased.phone, erased.tags, erased.is_active) == ("", "", [], False)
        assert not CustomerContact.objects.filter(customer=customer).exists()
        assert not CustomerNote.objects.filter(customer=customer).exists()
    # An erased customer cannot be edited back into someone.
    response = tenant_client.post(
        f"{LIST}{customer.pk}/edit/",
        {"kind": "person", "name": "Ann", "currency": "USD", "payment_terms_days": "30"},
    )
    assert "was erased for privacy" in response.content.decode()
