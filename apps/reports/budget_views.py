"""Monthly purchasing budgets (the settings behind the budget vs actual report)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from apps.accounts.permissions import capability_required
from apps.reports.forms import BudgetsForm
from apps.reports.models import PurchasingBudget
from apps.reports.services import ReportError, purchasing_budgets_save


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year
    return min(max(year, 2000), 2100)


@require_http_methods(["GET", "POST"])
@capability_required("settings.manage")
def budgets(request):
    year = _year(request)
    saved = {b.month.month: b.amount for b in PurchasingBudget.objects.filter(month__year=year)}
    form = BudgetsForm(
        request.POST or None, year=year, initial={f"m{m}": a for m, a in saved.items()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            purchasing_budgets_save(year=year, amounts=form.amounts())
        except ReportError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Purchasing budgets for {year} saved.")
            return redirect(f"{request.path}?year={year}")
    return render(
        request,
        "reports/budgets.html",
        {"form": form, "year": year, "years": [year - 1, year + 1]},
        status=400 if form.errors else 200,
    )
