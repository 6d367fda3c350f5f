"""A report's parameters in words (the PDF header, background files, scheduled emails)."""

from __future__ import annotations


def params_text(form) -> str:
    parts = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, ""):
            continue
        if hasattr(field, "choices"):
            value = dict(field.choices).get(value, dict(field.choices).get(str(value), value))
        parts.append(f"{field.label or name.replace('_', ' ').capitalize()}: {value}")
    return " · ".join(parts)


def query_params(form) -> dict[str, str]:
    """The submitted values of the form's own fields (what a job or schedule re-validates)."""
    return {
        name: form.data.get(name) for name in form.fields if form.data.get(name) not in (None, "")
    }


def chosen_text(form, params: dict) -> str:
    """Only the choices actually made (``params`` as submitted), in words: a schedule says
    "Period: Last month", not the dates that month had when it was created."""
    parts = []
    for name, field in form.fields.items():
        value = params.get(name)
        if value in (None, ""):
            continue
        if hasattr(field, "choices"):
            value = dict((str(k), v) for k, v in field.choices).get(str(value), value)
        parts.append(f"{field.label or name.replace('_', ' ').capitalize()}: {value}")
    return " · ".join(parts)
