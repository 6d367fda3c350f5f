from django import template

from apps.audit.tracked import label_for

register = template.Library()


@register.filter
def table_label(table: str) -> str:
    return label_for(table) if table else ""


@register.filter
def audit_value(value) -> str:
    """A before/after value in words: empty is a dash, true/false are yes/no."""
    if value is None or value == "":
        return "—"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)
