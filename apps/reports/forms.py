from __future__ import annotations

import calendar

from django import forms


class BudgetsForm(forms.Form):
    """Twelve amounts, one per month of a year; an empty one means no budget."""

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year
        for month in range(1, 13):
            self.fields[f"m{month}"] = forms.DecimalField(
                required=False,
                min_value=0,
                max_digits=16,
                decimal_places=2,
                label=f"{calendar.month_name[month]} {year}",
                error_messages={"min_value": "A budget cannot be negative."},
            )

    def amounts(self) -> dict:
        return {month: self.cleaned_data[f"m{month}"] for month in range(1, 13)}
