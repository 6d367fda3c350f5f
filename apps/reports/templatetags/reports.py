from django import template

from apps.reports.renderers.values import as_display

register = template.Library()


@register.simple_tag
def cell(row: dict, column) -> str:
    return as_display(row.get(column.key), column.kind)


@register.simple_tag
def total_cell(totals: dict, column) -> str:
    return as_display(totals[column.key], column.kind) if column.key in totals else ""
