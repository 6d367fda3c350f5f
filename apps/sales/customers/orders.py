"""The customers' view of sales orders and invoices: the one place that reads them.

Customer pages were built before orders existed, so the models are looked up by name
(``apps.get_model``) and every reader returns "nothing yet" when they are missing. When
orders land, only the names below may need adjusting:

- ``SalesOrder``: ``customer`` (FK), ``total`` (Decimal), ``status`` and the first date
  field found in ``ORDER_DATE_FIELDS``. Orders in ``NOT_SALES`` statuses are not sales.
- ``Invoice``: ``customer`` or ``order__customer``; the open amount is the first field in
  ``INVOICE_OPEN_FIELDS``, or ``total`` less the first field in ``INVOICE_PAID_FIELDS``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.apps import apps
from django.core.cache import cache
from django.db.models import Count, F, Max, QuerySet, Sum
from django.utils import timezone

ZERO = Decimal("0")
ORDER_DATE_FIELDS = ("order_date", "confirmed_at", "created_at")
NOT_SALES = ("draft", "cancelled", "canceled", "quote")
INVOICE_OPEN_FIELDS = ("open_balance", "balance_due", "amount_due")
INVOICE_PAID_FIELDS = ("amount_paid", "paid_amount", "paid")
INVOICE_NOT_OPEN = ("draft", "void", "cancelled", "paid", "refunded")


def _model(name: str):
    try:
        return apps.get_model("sales", name)
    except LookupError:
        return None


def _fields(model) -> set[str]:
    return {f.name for f in model._meta.get_fields()}


def order_model():
    """SalesOrder, if it exists and has what the customer figures need."""
    model = _model("SalesOrder")
    if model is None:
        return None
    names = _fields(model)
    if not {"customer", "total"} <= names or not any(f in names for f in ORDER_DATE_FIELDS):
        return None
    return model


def available() -> bool:
    return order_model() is not None


def _date_field(model) -> str:
    names = _fields(model)
    return next(f for f in ORDER_DATE_FIELDS if f in names)


def sales_orders(model=None) -> QuerySet:
    """Orders that count as sales (not drafts, not cancelled)."""
    model = model or order_model()
    qs = model.objects.all()
    if "status" in _fields(model):
        qs = qs.exclude(status__in=NOT_SALES)
    return qs


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def order_history(customer_ids=None) -> dict[int, list[tuple[date, Decimal]]]:
    """(date, total) of every sale per customer, oldest first. One query."""
    model = order_model()
    if model is None:
        return {}
    field = _date_field(model)
    qs = sales_orders(model)
    if customer_ids is not None:
        qs = qs.filter(customer_id__in=list(customer_ids))
    history: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for customer_id, when, total in qs.order_by(field, "pk").values_list(
        "customer_id", field, "total"
    ):
        history[customer_id].append((_as_date(when), total or ZERO))
    return dict(history)


@dataclass(frozen=True)
class OrderTotals:
    count: int
    revenue: Decimal  # in the customer's (the orders') currency
    last_order: date
    # At each order's captured exchange rate: what RFM ranks, so euros and dollars compare.
    revenue_company: Decimal | None = None


CACHE_SECONDS = 3600


def _fingerprint(model) -> str:
    """Changes whenever an order is added, changed or removed: count, last id and last
    change time, in one cheap query. Cached figures are keyed by it, so they are never
    stale, and the cache key is per company (django-tenants' ``make_key``)."""
    names = _fields(model)
    aggregates = {"n": Count("pk"), "last": Max("pk")}
    if "updated_at" in names:
        aggregates["changed"] = Max("updated_at")
    row = model.objects.order_by().aggregate(**aggregates)
    changed = row.get("changed")
    return f"{row['n']}:{row['last']}:{changed.timestamp() if changed else ''}"


def order_totals() -> dict[int, OrderTotals]:
    """Count, revenue and last order date per customer (for RFM and the list's columns).
    One aggregate over every sale, cached until an order changes."""
    return snapshot()[0]


def snapshot(
    *, today: date | None = None, totals_needed: bool = True
) -> tuple[dict[int, OrderTotals], dict]:
    """(order totals, RFM scores) per customer id, with one fingerprint query when both
    are cached: the list page and its exports need both. Without ``totals_needed`` the
    totals are only read (and returned) when the scores must be computed."""
    model = order_model()
    if model is None:
        return {}, {}
    from apps.sales.customers.rfm import Purchases, rfm_scores

    today = today or timezone.localdate()
    fingerprint = _fingerprint(model)
    totals_key = f"customers:order-totals:v2:{fingerprint}"
    rfm_key = f"customers:rfm:v2:{today.isoformat()}:{fingerprint}"
    cached = cache.get_many([totals_key, rfm_key] if totals_needed else [rfm_key])
    totals, scores = cached.get(totals_key), cached.get(rfm_key)
    if totals is None and (totals_needed or scores is None):
        totals = cache.get(totals_key) if not totals_needed else None
        if totals is None:
            totals = _order_totals(model)
            cache.set(totals_key, totals, CACHE_SECONDS)
    if scores is None:
        purchases = {
            k: Purchases(
                t.count,
                t.revenue if t.revenue_company is None else t.revenue_company,
                t.last_order,
            )
            for k, t in totals.items()
        }
        scores = rfm_scores(purchases, today=today)
        cache.set(rfm_key, scores, CACHE_SECONDS)
    return totals or {}, scores


def _order_totals(model) -> dict[int, OrderTotals]:
    field = _date_field(model)
    rows = (
        sales_orders(model)
        .order_by()
        .values("customer_id")
        .annotate(n=Count("pk"), revenue=Sum("total"), last=Max(field))
    )
    if "exchange_rate" in _fields(model):
        rows = rows.annotate(revenue_company=Sum(F("total") * F("exchange_rate")))
    return {
        r["customer_id"]: OrderTotals(
            r["n"],
            r["revenue"] or ZERO,
            _as_date(r["last"]),
            (r.get("revenue_company") or ZERO).quantize(Decimal("0.01")),
        )
        for r in rows
        if r["customer_id"] is not None
    }


def figures_attach(customers, totals: dict[int, OrderTotals]) -> None:
    """Set ``order_count``, ``revenue`` and ``last_order`` on customers shown in a list,
    from ``order_totals()`` (no query)."""
    for customer in customers:
        t = totals.get(customer.pk)
        customer.order_count = t.count if t else 0
        customer.revenue = t.revenue if t else ZERO
        customer.last_order = t.last_order if t else None


def recent_orders(customer, *, limit: int = 10) -> list:
    """The customer's latest orders (every status), newest first."""
    model = order_model()
    if model is None:
        return []
    field = _date_field(model)
    return list(model.objects.filter(customer=customer).order_by(F(field).desc(), "-pk")[:limit])


def open_balance(customer) -> Decimal | None:
    """What the customer still owes on invoices; None when invoices do not exist yet."""
    model = _model("Invoice")
    if model is None:
        return None
    names = _fields(model)
    if "customer" in names:
        qs = model.objects.filter(customer=customer)
    elif "order" in names:
        qs = model.objects.filter(order__customer=customer)
    else:
        return None
    for status_field in ("payment_status", "status"):
        if status_field in names:
            qs = qs.exclude(**{f"{status_field}__in": INVOICE_NOT_OPEN})
            break
    open_field = next((f for f in INVOICE_OPEN_FIELDS if f in names), None)
    if open_field:
        owed = qs.aggregate(v=Sum(open_field))["v"]
    else:
        paid_field = next((f for f in INVOICE_PAID_FIELDS if f in names), None)
        if "total" not in names or not paid_field:
            return None
        owed = qs.aggregate(v=Sum(F("total") - F(paid_field)))["v"]
    return (owed or ZERO).quantize(Decimal("0.01"))


def rfm_segments(*, today: date | None = None) -> dict:
    """RFM score per customer id from every sale; empty without orders. Scored once per
    day and set of orders (cached with the order totals)."""
    return snapshot(today=today, totals_needed=False)[1]
