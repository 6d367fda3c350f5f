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
from django.db.models import Count, DecimalField, F, Max, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
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
    revenue: Decimal
    last_order: date


def order_totals() -> dict[int, OrderTotals]:
    """Count, revenue and last order date per customer, aggregated in one query (for RFM)."""
    model = order_model()
    if model is None:
        return {}
    field = _date_field(model)
    rows = (
        sales_orders(model)
        .order_by()
        .values("customer_id")
        .annotate(n=Count("pk"), revenue=Sum("total"), last=Max(field))
    )
    return {
        r["customer_id"]: OrderTotals(r["n"], r["revenue"] or ZERO, _as_date(r["last"]))
        for r in rows
        if r["customer_id"] is not None
    }


def annotate_order_figures(qs: QuerySet) -> QuerySet:
    """Add ``order_count``, ``revenue`` and ``last_order`` to a customer queryset, as
    subqueries (so the list stays one query and every column can be sorted)."""
    model = order_model()
    if model is None:
        return qs
    field = _date_field(model)
    per_customer = sales_orders(model).filter(customer_id=OuterRef("pk")).order_by()
    money = DecimalField(max_digits=16, decimal_places=2)
    return qs.annotate(
        order_count=Coalesce(
            Subquery(per_customer.values("customer_id").annotate(n=Count("pk")).values("n")),
            Value(0),
        ),
        revenue=Coalesce(
            Subquery(
                per_customer.values("customer_id").annotate(s=Sum("total")).values("s"),
                output_field=money,
            ),
            Value(ZERO),
            output_field=money,
        ),
        last_order=Subquery(per_customer.values("customer_id").annotate(m=Max(field)).values("m")),
    )


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
    """RFM score per customer id from every sale (one query); empty without orders."""
    from apps.sales.customers.rfm import Purchases, rfm_scores

    totals = order_totals()
    purchases = {k: Purchases(t.count, t.revenue, t.last_order) for k, t in totals.items()}
    return rfm_scores(purchases, today=today or timezone.localdate())
