"""Adding, changing and removing a customer's contacts and addresses."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from apps.accounts.permissions import capability_required
from apps.sales.customers.contacts import (
    address_delete,
    address_save,
    contact_delete,
    contact_save,
)
from apps.sales.customers.errors import CustomerError
from apps.sales.customers.forms import AddressForm, ContactForm
from apps.sales.customers.views import customer_url
from apps.sales.models import Customer, CustomerAddress, CustomerContact


def _form_error(form, exc: CustomerError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _render(request, customer, form, what: str, obj=None, status=200):
    return render(
        request,
        "sales/customers/related_form.html",
        {"customer": customer, "form": form, "what": what, "object": obj},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@capability_required("sales.edit")
def contact_edit(request, pk: int, contact_pk: int | None = None):
    customer = get_object_or_404(Customer, pk=pk)
    contact = (
        get_object_or_404(CustomerContact, pk=contact_pk, customer=customer) if contact_pk else None
    )
    initial = (
        {f: getattr(contact, f) for f in ("name", "role", "email", "phone", "is_primary")}
        if contact
        else {}
    )
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                contact = contact_save(customer=customer, contact=contact, **form.cleaned_data)
            except CustomerError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, f"Contact {contact.name} saved.")
                return redirect(f"{customer_url(customer)}#contacts")
        return _render(request, customer, form, "contact", contact, status=422)
    return _render(request, customer, form, "contact", contact)


@require_http_methods(["GET", "POST"])
@capability_required("sales.edit")
def address_edit(request, pk: int, address_pk: int | None = None):
    customer = get_object_or_404(Customer, pk=pk)
    address = (
        get_object_or_404(CustomerAddress, pk=address_pk, customer=customer) if address_pk else None
    )
    fields = ("kind", "name", "line1", "line2", "city", "region", "postal_code", "country")
    initial = (
        {**{f: getattr(address, f) for f in fields}, "is_default": address.is_default}
        if address
        else {"kind": request.GET.get("kind") or CustomerAddress.Kind.SHIPPING}
    )
    form = AddressForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                address = address_save(customer=customer, address=address, data=form.to_data())
            except CustomerError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, f"{address.get_kind_display()} address saved.")
                return redirect(f"{customer_url(customer)}#addresses")
        return _render(request, customer, form, "address", address, status=422)
    return _render(request, customer, form, "address", address)


@require_http_methods(["GET", "POST"])
@capability_required("sales.edit")
def related_delete(request, pk: int, what: str, item_pk: int):
    """GET: confirm (modal with HTMX, page without). POST: delete the contact or address."""
    customer = get_object_or_404(Customer, pk=pk)
    model = {"contact": CustomerContact, "address": CustomerAddress}.get(what)
    if model is None:
        raise Http404("No such item")
    obj = get_object_or_404(model, pk=item_pk, customer=customer)
    if request.method == "GET":
        return render(
            request,
            "sales/customers/related_delete.html",
            {"customer": customer, "object": obj, "what": what},
        )
    if what == "contact":
        contact_delete(contact=obj)
    else:
        address_delete(address=obj)
    messages.success(request, f"{what.capitalize()} removed.")
    anchor = "addresses" if what == "address" else "contacts"
    return redirect(f"{customer_url(customer)}#{anchor}")
