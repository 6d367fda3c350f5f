"""What every widget is asked with: who is looking, and for which dates.

The date range comes from the URL (``period``, ``date_from``, ``date_to``) through the
reports' ``DateRangeForm``, so the dashboard and the reports mean the same thing by
"last month". A range that does not validate falls back to the default preset; the
page shows the form's error in words, the widgets never fail on it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.http import urlencode

from apps.accounts.models import Role
from apps.reports.dates import DateRangeForm, preset_range

DEFAULT_PERIOD = "last_30"
# Clerks get the operational dashboard: quantities and tasks, never money.
MONEY_ROLES = frozenset({Role.OWNER, Role.MANAGER, Role.VIEWER})


def shows_money(user) -> bool:
    return getattr(user, "role", None) in MONEY_ROLES


@dataclass(frozen=True)
class WidgetContext:
    user: object
    date_from: dt.date
    date_to: dt.date
    period: str = DEFAULT_PERIOD
    today: dt.date = field(default_factory=timezone.localdate)
    # The company's currency: money figures are in it (sales converted at their orders' rates).
    currency: str = ""

    @property
    def show_money(self) -> bool:
        return shows_money(self.user)

    @property
    def start(self) -> dt.datetime:
        """The first instant of ``date_from`` in the company's time zone."""
        return timezone.make_aware(dt.datetime.combine(self.date_from, dt.time.min))

    @property
    def end(self) -> dt.datetime:
        """The first instant after ``date_to`` (ranges are half-open)."""
        next_day = self.date_to + dt.timedelta(days=1)
        return timezone.make_aware(dt.datetime.combine(next_day, dt.time.min))

    @property
    def query(self) -> str:
        """The range as a query string, for the widgets' own URLs."""
        params = {"period": self.period}
        if self.period == "custom":
            params |= {"date_from": self.date_from, "date_to": self.date_to}
        return urlencode(params)


def range_form(params) -> DateRangeForm:
    data = {k: params.get(k) for k in ("period", "date_from", "date_to") if params.get(k)}
    return DateRangeForm(data or {"period": DEFAULT_PERIOD})


def widget_context(
    request, today: dt.date | None = None, params=None
) -> tuple[WidgetContext, DateRangeForm]:
    """The context from the URL's range (or ``params``, e.g. a form's copy of it)."""
    form = range_form(request.GET if params is None else params)
    today = today or timezone.localdate()
    currency = getattr(getattr(request, "tenant", None), "currency", "") or ""
    if form.is_valid():
        data = form.cleaned_data
        return WidgetContext(
            user=request.user,
            date_from=data["date_from"],
            date_to=data["date_to"],
            period=data["period"],
            today=today,
            currency=currency,
        ), form
    start, end = preset_range(DEFAULT_PERIOD, today)
    context = WidgetContext(
        user=request.user, date_from=start, date_to=end, today=today, currency=currency
    )
    return context, form
