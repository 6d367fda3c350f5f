"""Where the sales and forecasting widgets get their figures.

``apps.sales`` and ``apps.forecasting`` are being built alongside the dashboard. Until
their models exist, ``sales_order_model()`` / ``forecast_run_model()`` answer ``None``
and those widgets show their empty state ("No sales yet", "No forecasts yet").

The queries below are written against the fields issue 4 describes. ASSUMED NAMES, to
check when the sales models land (this is the one place to adapt):
- ``SalesOrder``: ``status`` (draft, confirmed, picking, packed, shipped, delivered,
  cancelled, on_hold), ``order_date`` (date), ``total`` (order currency),
  ``exchange_rate`` (company currency per unit of the order's), lines as ``lines``.
- ``SalesOrderLine``: ``variant``, ``quantity``, ``line_total`` (order currency, before
  tax), ``backordered_quantity``.
- ``forecasting.ForecastRun``: ``created_at``, ``accuracy`` (0–100, higher is better).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.apps import apps as django_apps
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth

MONEY = DecimalField(max_digits=24, decimal_places=6)
ZERO = Decimal("0")
NOT_SALES = ("draft", "cancelled")
TO_SHIP = ("confirmed", "picking", "packed")


def _model(app_label: str, name: str):
    try:
        return django_apps.get_model(app_label, name)
    except LookupError:
        return None


def sales_order_model():
    return _model("sales", "SalesOrder")


def forecast_run_model():
    return _model("forecasting", "ForecastRun")


def _base_total(prefix: str = ""):
    return ExpressionWrapper(F(f"{prefix}total") * F(f"{prefix}exchange_rate"), output_field=MONEY)


def revenue_between(model, start: dt.date, end: dt.date) -> Decimal:
    """Revenue of orders dated ``start`` to ``end`` (both included), company currency."""
    return (
        model.objects.exclude(status__in=NOT_SALES)
        .filter(order_date__gte=start, order_date__lte=end)
        .aggregate(v=Coalesce(Sum(_base_total()), ZERO, output_field=MONEY))["v"]
    )


def revenue_by_month(model, start: dt.date, end: dt.date) -> list[dict]:
    return list(
        model.objects.exclude(status__in=NOT_SALES)
        .filter(order_date__gte=start, order_date__lte=end)
        .annotate(month=TruncMonth("order_date"))
        .order_by()
        .values("month")
        .annotate(revenue=Sum(_base_total()), orders=Count("id"))
        .order_by("month")
    )


def orders_to_ship(model, today: dt.date) -> dict:
    return model.objects.aggregate(
        count=Count("id", filter=Q(status__in=TO_SHIP)),
        older=Count("id", filter=Q(status__in=TO_SHIP, order_date__lt=today)),
    )


def backorders(model) -> dict:
    lines = model._meta.get_field("lines").related_model
    waiting = lines.objects.filter(backordered_quantity__gt=0).exclude(
        order__status__in=("cancelled", "shipped", "delivered")
    )
    return waiting.aggregate(
        lines=Count("id"),
        orders=Count("order", distinct=True),
        quantity=Coalesce(Sum("backordered_quantity"), ZERO, output_field=MONEY),
    )


def top_products(model, start: dt.date, end: dt.date, limit: int = 10) -> list[dict]:
    lines = model._meta.get_field("lines").related_model
    return list(
        lines.objects.exclude(order__status__in=NOT_SALES)
        .filter(order__order_date__gte=start, order__order_date__lte=end)
        .order_by()
        .values("variant_id", "variant__sku", "variant__product__name")
        .annotate(
            quantity=Sum("quantity"),
            revenue=Sum(
                ExpressionWrapper(F("line_total") * F("order__exchange_rate"), output_field=MONEY)
            ),
        )
        .order_by("-quantity", "variant__sku")[:limit]
    )


def sales_by_category(model, start: dt.date, end: dt.date) -> list[dict]:
    lines = model._meta.get_field("lines").related_model
    return list(
        lines.objects.exclude(order__status__in=NOT_SALES)
        .filter(order__order_date__gte=start, order__order_date__lte=end)
        .order_by()
        .values(category=Coalesce("variant__product__category__name", "variant__sku"))
        .annotate(
            revenue=Sum(
                ExpressionWrapper(F("line_total") * F("order__exchange_rate"), output_field=MONEY)
            )
        )
        .order_by("-revenue")
    )


def orders_by_status(model, start: dt.date, end: dt.date) -> list[dict]:
    labels = dict(model._meta.get_field("status").choices or [])
    rows = (
        model.objects.filter(order_date__gte=start, order_date__lte=end)
        .order_by()
        .values("status")
        .annotate(count=Count("id"))
        .order_by("status")
    )
    return [{**r, "label": labels.get(r["status"], r["status"])} for r in rows]


def latest_forecast_accuracy(model) -> dict | None:
    return model.objects.order_by("-created_at").values("created_at", "accuracy").first()
