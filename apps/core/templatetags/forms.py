"""Bootstrap form rendering with accessible errors: one place for every form in the app.

``{% bootstrap_form form %}`` renders non-field errors as an alert and each field
with its label, help text and errors tied to the input by ``aria-describedby``.
"""

from __future__ import annotations

from django import forms, template

register = template.Library()


def _widget_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return ""
    if isinstance(widget, (forms.Select, forms.SelectMultiple)):
        return "form-select"
    if isinstance(widget, forms.TextInput) and getattr(widget, "input_type", "") == "color":
        return "form-control form-control-color"
    return "form-control"


@register.inclusion_tag("forms/field.html")
def bootstrap_field(field, **options):
    widget = field.field.widget
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-help")
    if field.errors:
        described.append(f"{field.auto_id}-errors")
    attrs = {}
    classes = _widget_class(widget)
    if field.errors:
        classes += " is-invalid"
        attrs["aria-invalid"] = "true"
    if classes.strip():
        attrs["class"] = (widget.attrs.get("class", "") + " " + classes).strip()
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return {
        "field": field,
        "widget_html": field.as_widget(attrs=attrs),
        "is_checkbox": isinstance(widget, forms.CheckboxInput),
        "floating": False,
        **options,
    }


@register.inclusion_tag("forms/form.html")
def bootstrap_form(form, **options):
    return {"form": form, **options}
