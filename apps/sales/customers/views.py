"""Customer list, page, create, edit, archive. Thin: parse input, call a service, show the
result or the refusal."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.permissions import capability_required, user_can
from apps.core.htmx import render_page_or_partial
from apps.core.pagination import paginate
from apps.sales.customers import orders, rfm, selectors, services
from apps.sales.customers.analytics import customer_value
from apps.sales.customers.errors import CustomerError, DuplicateCustomer
from apps.sales.customers.forms import CustomerForm, EmailForm, NoteForm
from apps.sales.customers.listing import ACTIVE_CHOICES, filtered_customers, list_filters
from apps.sales.models import Customer


@require_GET
@capability_required("sales.view")
def customer_list(request):
    filters = list_filters(request.GET)
    sort = request.GET.get("sort", "name")
    totals, segments = orders.snapshot()
    page = paginate(request, filtered_customers(filters, sort, segments, totals))
    orders.figures_attach(page, totals)
    for customer in page:
        customer.rfm = segments.get(customer.pk)
    context = {
        **filters,
        "page": page,
        "default_sort": "name",
        "tiers": selectors.price_tiers(),
        "tags": selectors.all_tags(),
        "segments": [(key, label) for key, (label, _) in rfm.SEGMENTS.items()],
        "segment_counts": _segment_counts(segments),
        "active_choices": ACTIVE_CHOICES,
        "orders_available": orders.available(),
        "filtered": any(filters[k] for k in ("search", "tag", "tier_id", "segment"))
        or filters["active"] != "active",
        "export_query": _export_query(request, filters),
        "can_edit": user_can(request.user, "sales.edit"),
        "can_export": user_can(request.user, "reports.export"),
    }
    return render_page_or_partial(request, "sales/customers/list.html", "customer-table", context)


def _segment_counts(segments: dict) -> list[tuple[str, str, int]]:
    """(segment, label, customers) for the segments that have customers, best first."""
    counts: dict[str, int] = {}
    for score in segments.values():
        counts[score.segment] = counts.get(score.segment, 0) + 1
    return [(key, rfm.SEGMENTS[key][0], counts[key]) for key in rfm.ORDER if key in counts]


def _export_query(request, filters: dict) -> str:
    """The list's query string for its export links: same filters (archived ones included
    only when the list shows them), any page."""
    params = request.GET.copy()
    for name in ("page", "per_page"):
        params.pop(name, None)
    params["active"] = filters["active"]
    return params.urlencode()


def _form_page(request, form, customer=None, duplicates=None, status=200):
    return render(
        request,
        "sales/customers/form.html",
        {"form": form, "customer": customer, "duplicates": duplicates},
        status=status,
    )


def _form_error(form, exc: CustomerError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@require_http_methods(["GET", "POST"])
@capability_required("sales.edit")
def customer_new(request):
    form = CustomerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_create(
                data=form.to_data(),
                user=request.user,
                allow_duplicate=request.POST.get("confirm_duplicate") == "1",
            )
        except DuplicateCustomer as exc:
            return _form_page(request, form, duplicates=exc.matches, status=409)
        except CustomerError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"{customer.name} added.")
            return redirect("sales:customers:detail", pk=customer.pk)
        return _form_page(request, form, status=422)
    if request.method == "POST":
        return _form_page(request, form, status=422)
    return _form_page(request, form)


@require_http_methods(["GET", "POST"])
@capability_required("sales.edit")
def customer_edit(request, pk: int):
    customer = get_object_or_404(Customer, pk=pk)
    form = CustomerForm(request.POST or None, initial=CustomerForm.initial_for(customer))
    if request.method == "POST":
        if form.is_valid():
            try:
                customer = services.customer_update(
                    customer=customer, data=form.to_data(), user=request.user
                )
            except CustomerError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, f"{customer.name} saved.")
                return redirect("sales:customers:detail", pk=customer.pk)
        return _form_page(request, form, customer, status=422)
    return _form_page(request, form, customer)


@require_GET
@capability_required("sales.view")
def customer_detail(request, pk: int):
    try:
        customer = selectors.customer_detail(pk)
    except Customer.DoesNotExist:
        raise Http404("No such customer") from None
    history = orders.order_history([customer.pk]).get(customer.pk, [])
    today = timezone.localdate()
    context = {
        "customer": customer,
        "contacts": list(customer.contacts.all()),
        "addresses": list(customer.addresses.all()),
        "log": selectors.customer_log(customer),
        "value": customer_value(history, today=today),
        "rfm": orders.rfm_segments(today=today).get(customer.pk),
        "segment_help": rfm.SEGMENTS,
        "orders_available": orders.available(),
        "recent_orders": orders.recent_orders(customer),
        "open_balance": orders.open_balance(customer),
        "note_form": NoteForm(),
        "can_edit": user_can(request.user, "sales.edit"),
    }
    return render(request, "sales/customers/detail.html", context)


@require_http_methods(["GET", "POST"])
@capability_required("sales.edit")
def customer_archive(request, pk: int):
    """GET: the confirmation (modal with HTMX, page without). POST: archive or restore."""
    customer = get_object_or_404(Customer, pk=pk)
    if request.method == "GET":
        return render(request, "sales/customers/archive_confirm.html", {"customer": customer})
    try:
        if customer.is_active:
            services.customer_archive(customer=customer, user=request.user)
            messages.success(request, f"{customer.name} archived.")
        else:
            services.customer_restore(customer=customer, user=request.user)
            messages.success(request, f"{customer.name} is active again.")
    except CustomerError as exc:
        messages.error(request, exc.message)
    return redirect("sales:customers:detail", pk=customer.pk)


@require_POST
@capability_required("sales.edit")
def note_add(request, pk: int):
    from apps.sales.customers.log import note_add as log_note_add

    customer = get_object_or_404(Customer, pk=pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            log_note_add(customer=customer, user=request.user, **form.cleaned_data)
        except CustomerError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Logged.")
    else:
        messages.error(request, "Write something to log.")
    return redirect(f"{customer_url(customer)}#log")


def customer_url(customer) -> str:
    from django.urls import reverse

    return reverse("sales:customers:detail", args=[customer.pk])


@require_http_methods(["GET", "POST"])
@capability_required("sales.edit")
def email_send(request, pk: int):
    from apps.sales.customers.log import customer_email_send

    customer = get_object_or_404(Customer, pk=pk)
    form = EmailForm(request.POST or None, initial={"to": customer.email})
    if request.method == "POST" and form.is_valid():
        try:
            customer_email_send(customer=customer, user=request.user, **form.cleaned_data)
        except CustomerError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"Email sent to {form.cleaned_data['to']} and logged.")
            return redirect(f"{customer_url(customer)}#log")
    status = 422 if request.method == "POST" else 200
    return render(
        request, "sales/customers/email.html", {"customer": customer, "form": form}, status=status
    )


@require_http_methods(["GET", "POST"])
@capability_required("settings.manage")
def customer_erase(request, pk: int):
    """GET: the warning and the name to type. POST: erase, or say why not."""
    from apps.sales.customers.erasure import customer_erase as erase

    customer = get_object_or_404(Customer, pk=pk)
    error = ""
    if request.method == "POST":
        try:
            erase(
                customer=customer,
                user=request.user,
                confirm_name=request.POST.get("confirm_name", ""),
            )
        except CustomerError as exc:
            error = exc.message
        else:
            messages.success(request, "The customer's personal data was erased.")
            return redirect("sales:customers:detail", pk=customer.pk)
    return render(
        request,
        "sales/customers/erase_confirm.html",
        {"customer": customer, "error": error},
        status=422 if error else 200,
    )
