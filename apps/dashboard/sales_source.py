"""Where the sales and forecasting widgets get their figures.

``sales_order_model()`` / ``forecast_run_model()`` answer ``None`` while the app has no such
model, and those widgets show their empty state ("No sales yet", "No forecasts yet").

Definitions (the sales reports should mean the same):
- **Revenue** is net sales before tax in the company's currency: ``line_subtotal −
  discount_amount`` per line, ``subtotal − discount_total`` per order, times the exchange rate
  the order captured when it was created (1 for orders in the company's currency), of orders
  that are neither drafts nor cancelled, dated by ``order_date``. Sums are rounded to the
  cent once per figure, as in the sales reports' company-currency column.
- **To ship**: confirmed, picking, packed or partially shipped.
- **Backordered** quantity of a line: ordered − shipped − allocated, on orders still open.

- **Forecast accuracy** is 100 % − WAPE (weighted absolute percentage error) of the latest
  finished forecast run's backtest, as ``apps.forecasting`` stores it in ``accuracy["wape"]``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.apps import apps as django_apps
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Round, TruncMonth

MONEY = DecimalField(max_digits=24, decimal_places=2)
QTY = DecimalField(max_digits=14, decimal_places=3)
ZERO = Decimal("0")
NOT_SALES = ("draft", "cancelled")
TO_SHIP = ("confirmed", "picking", "packed", "partially_shipped")


def _model(app_label: str, name: str):
    try:
        return django_apps.get_model(app_label, name)
    except LookupError:
        return None


def sales_order_model():
    return _model("sales", "SalesOrder")


def forecast_run_model():
    return _model("forecasting", "ForecastRun")


RATED = DecimalField(max_digits=30, decimal_places=8)


def _net(prefix: str = ""):
    """Revenue of an order (``prefix=""``) or a line (``prefix="line_"``) in the company's
    currency (unrounded: wrap sums in ``_revenue``)."""
    if prefix:
        return ExpressionWrapper(
            (F("line_subtotal") - F("discount_amount")) * F("order__exchange_rate"),
            output_field=RATED,
        )
    return ExpressionWrapper(
        (F("subtotal") - F("discount_total")) * F("exchange_rate"), output_field=RATED
    )


def _revenue(total):
    return Round(total, 2, output_field=MONEY)


def _sales(model):
    return model.objects.exclude(status__in=NOT_SALES)


def _sold_lines(model, start: dt.date, end: dt.date):
    lines = model._meta.get_field("lines").related_model
    return lines.objects.exclude(order__status__in=NOT_SALES).filter(
        order__order_date__gte=start, order__order_date__lte=end
    )


def revenue_periods(model, periods: dict[str, tuple[dt.date, dt.date]]) -> dict:
    """Revenue of each named ``(first day, last day)`` period, in one query."""
    figures = {
        name: Coalesce(
            _revenue(Sum(_net(), filter=Q(order_date__gte=start, order_date__lte=end))),
            ZERO,
            output_field=MONEY,
        )
        for name, (start, end) in periods.items()
    }
    return _sales(model).aggregate(**figures)


def revenue_by_month(model, start: dt.date, end: dt.date) -> list[dict]:
    return list(
        _sales(model)
        .filter(order_date__gte=start, order_date__lte=end)
        .annotate(month=TruncMonth("order_date"))
        .order_by()
        .values("month")
        .annotate(revenue=_revenue(Sum(_net())), orders=Count("id"))
        .order_by("month")
    )


def orders_to_ship(model, today: dt.date) -> dict:
    """How many orders wait to be picked, are being picked, are packed, or went partly."""
    return model.objects.aggregate(
        count=Count("id", filter=Q(status__in=TO_SHIP)),
        older=Count("id", filter=Q(status__in=TO_SHIP, order_date__lt=today)),
        to_pick=Count("id", filter=Q(status="confirmed")),
        picking=Count("id", filter=Q(status="picking")),
        packed=Count("id", filter=Q(status="packed")),
        partly_shipped=Count("id", filter=Q(status="partially_shipped")),
    )


def oldest_to_ship(model, limit: int = 5) -> list[dict]:
    """The orders that have waited longest to ship: what to pick and pack first."""
    return list(
        model.objects.filter(status__in=TO_SHIP)
        .order_by("order_date", "id")
        .values("pk", "number", "status", "order_date", "customer__name")[:limit]
    )


def backorders(model) -> dict:
    lines = model._meta.get_field("lines").related_model
    waiting = ExpressionWrapper(
        F("quantity") - F("shipped_quantity") - F("allocated_quantity"), output_field=QTY
    )
    open_statuses = getattr(model, "OPEN", TO_SHIP + ("on_hold",))
    return (
        lines.objects.filter(order__status__in=open_statuses)
        .annotate(waiting=waiting)
        .filter(waiting__gt=0)
        .aggregate(
            lines=Count("id"),
            orders=Count("order", distinct=True),
            quantity=Coalesce(Sum("waiting"), ZERO, output_field=QTY),
        )
    )


def top_products(model, start: dt.date, end: dt.date, limit: int = 10) -> list:
    return list(
        _sold_lines(model, start, end)
        .order_by()
        .values("variant_id", "variant__sku", "variant__product__name")
        .annotate(quantity=Sum("quantity"), revenue=_revenue(Sum(_net("line_"))))
        .order_by("-quantity", "variant__sku")[:limit]
    )


def sales_by_category(model, start: dt.date, end: dt.date) -> list[dict]:
    rows = (
        _sold_lines(model, start, end)
        .order_by()
        .values("variant__product__category__name")
        .annotate(revenue=_revenue(Sum(_net("line_"))))
        .order_by("-revenue", "variant__product__category__name")
    )
    return [
        {
            "category": r["variant__product__category__name"] or "No category",
            "revenue": r["revenue"],
        }
        for r in rows
    ]


def orders_by_status(model, start: dt.date, end: dt.date) -> list[dict]:
    statuses = model._meta.get_field("status").choices or []
    counts = dict(
        model.objects.filter(order_date__gte=start, order_date__lte=end)
        .order_by()
        .values_list("status")
        .annotate(count=Count("id"))
    )
    # In the lifecycle's order, statuses without orders left out.
    return [
        {"status": value, "label": label, "count": counts[value]}
        for value, label in statuses
        if counts.get(value)
    ]


def revenue_forecast_by_month(today: dt.date) -> list[dict]:
    """Forecast revenue per month after ``today`` from the latest whole-catalogue forecast
    run: forecast units × each variant's list price, with the 80 % interval likewise. List
    prices ignore tiers and discounts, so this leans high where those are common."""
    forecast = _model("forecasting", "Forecast")
    run = forecast_run_model()
    if forecast is None or run is None:
        return []
    latest = (
        run.objects.filter(status="done", series__gt=0, variant__isnull=True)
        .order_by("-finished_at", "-id")
        .values("id")[:1]
    )
    price = F("variant__sale_price")

    def money(field):
        return Sum(ExpressionWrapper(F(field) * price, output_field=MONEY))

    return list(
        forecast.objects.filter(run_id=Subquery(latest), date__gt=today)
        .annotate(month=TruncMonth("date"))
        .order_by()
        .values("month")
        .annotate(revenue=money("quantity"), low=money("lower_80"), high=money("upper_80"))
        .order_by("month")
    )


def latest_forecast_accuracy(model) -> dict | None:
    """The latest finished run with a backtest: its WAPE and the accuracy it implies."""
    run = (
        model.objects.filter(status="done", series__gt=0)
        .order_by("-finished_at", "-id")
        .values("finished_at", "series", "accuracy")
        .first()
    )
    wape = (run or {}).get("accuracy", {}).get("wape")
    if wape is None:
        return None
    wape = Decimal(str(wape)) * 100
    return {
        "finished_at": run["finished_at"],
        "series": run["series"],
        "wape": wape,
        "accuracy": max(Decimal("100") - wape, ZERO),
    }
