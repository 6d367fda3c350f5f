"""Writes of the reports app: purchasing budgets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from apps.core.errors import DomainError
from apps.reports.models import PurchasingBudget


class ReportError(DomainError):
    """Something about a report a user can fix."""


def purchasing_budgets_save(*, year: int, amounts: dict[int, Decimal | None]) -> int:
    """Set the budget of each month (1–12) of ``year``; None removes it. All or nothing."""
    for month, amount in amounts.items():
        if not 1 <= month <= 12:
            raise ReportError(f"There is no month {month}.")
        if amount is not None and amount < 0:
            raise ReportError(f"The budget for {dt.date(year, month, 1):%B} cannot be negative.")
    with transaction.atomic():
        for month, amount in sorted(amounts.items()):
            day = dt.date(year, month, 1)
            if amount is None:
                PurchasingBudget.objects.filter(month=day).delete()
            else:
                PurchasingBudget.objects.update_or_create(month=day, defaults={"amount": amount})
    return len(amounts)
