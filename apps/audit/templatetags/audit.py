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


@register.inclusion_tag("audit/_history_link.html", takes_context=True)
def audit_history_link(context, table: str, pk, label: str = "History"):
    """A link to a record's audit timeline, shown only to people who may see the log:
    ``{% load audit %}{% audit_history_link "catalog_product" product.pk %}``."""
    from apps.accounts.permissions import user_can

    request = context.get("request")
    user = getattr(request, "user", None)
    return {"show": user_can(user, "audit.view"), "table": table, "pk": pk, "label": label}
