"""Barcode images of a variant and the label-sheet page (form → PDF).

Both only read the catalog, so ``catalog.view`` is enough: anyone who may see a product
may print its label (viewers included, per the capability table).
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from apps.accounts.permissions import capability_required
from apps.catalog.barcodes import BarcodeError, Symbol, barcode_png, barcode_svg, variant_symbol
from apps.catalog.labels import (
    DEFAULT_TEMPLATE,
    MAX_COPIES,
    MAX_LABELS,
    MIN_MODULE_MM,
    TEMPLATES,
    LabelTemplate,
    barcode_fit,
    label_sheet_pdf,
    options_text,
    sheets_needed,
)
from apps.catalog.models import Variant
from apps.catalog.selectors import variant_by_code
from apps.core.htmx import int_param, render_page_or_partial

IMAGE_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


@require_GET
@capability_required("catalog.view")
def variant_barcode(request: HttpRequest, pk: str, fmt: str) -> HttpResponse:
    """The variant's barcode as an image. The ETag is derived from what is drawn, so a
    browser revalidates cheaply (304) and sees a changed barcode at once."""
    variant = get_object_or_404(Variant.objects.only("pk", "sku", "barcode"), pk=int(pk))
    try:
        symbol = variant_symbol(variant)
    except BarcodeError as exc:
        return HttpResponseNotFound(str(exc), content_type="text/plain; charset=utf-8")
    etag = f'"{symbol.etag}-{fmt}"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        body = barcode_svg(symbol) if fmt == "svg" else barcode_png(symbol)
        response = HttpResponse(body, content_type=IMAGE_TYPES[fmt])
        response["Content-Disposition"] = f'inline; filename="{_filename(variant.sku)}.{fmt}"'
    response["ETag"] = etag
    # Private: behind a login and per company. no-cache = keep it, but ask (ETag) each time.
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _filename(sku: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in sku) or "barcode"


# --- Label sheets ----------------------------------------------------------------------


class LabelSheetForm(forms.Form):
    template = forms.ChoiceField(
        label="Label sheet",
        choices=[(t.code, t.label) for t in TEMPLATES.values()],
        help_text="The Avery code is printed on the pack.",
        error_messages={"invalid_choice": "Choose one of the label sheets listed."},
    )
    start_position = forms.IntegerField(
        label="Start at label",
        min_value=1,
        error_messages={
            "min_value": "Labels are numbered from 1.",
            "required": "Enter the label to start at (1 for a new sheet).",
            "invalid": "The label to start at is a whole number.",
        },
        help_text="To reuse a part-used sheet: labels are numbered left to right, then top "
        "to bottom, from 1.",
    )
    show_price = forms.BooleanField(label="Show the price", required=False)
    show_outlines = forms.BooleanField(
        label="Draw label outlines",
        required=False,
        help_text="For a test print on plain paper, to check the alignment.",
    )

    def __init__(self, *args, variants: list[Variant], **kwargs):
        super().__init__(*args, **kwargs)
        self.variants = variants
        for variant in variants:
            self.fields[copy_field(variant)] = forms.IntegerField(
                label=f"Copies of {variant.sku}",
                min_value=0,
                max_value=MAX_COPIES,
                error_messages={
                    "min_value": f"Copies of {variant.sku} cannot be negative.",
                    "max_value": f"Print at most {MAX_COPIES} copies of {variant.sku} at a time.",
                    "required": f"Enter how many copies of {variant.sku} to print (0 to skip).",
                    "invalid": f"Copies of {variant.sku} must be a whole number.",
                },
            )

    @property
    def chosen_template(self) -> LabelTemplate:
        """The sheet asked for, or the default while the choice is invalid (for the page)."""
        return TEMPLATES.get(self.data.get("template", "")) or TEMPLATES[DEFAULT_TEMPLATE]

    def clean(self):
        cleaned = super().clean()
        template = TEMPLATES.get(cleaned.get("template", ""))
        start = cleaned.get("start_position")
        if template and start and start > template.per_sheet:
            self.add_error(
                "start_position",
                f"Sheet {template.code} has {template.per_sheet} labels; start at 1 to "
                f"{template.per_sheet}.",
            )
        copies = [cleaned.get(copy_field(v)) for v in self.variants]
        if not self.variants:
            raise forms.ValidationError("Choose at least one variant to print labels for.")
        if all(c is not None for c in copies):
            total = sum(copies)
            if total == 0:
                raise forms.ValidationError("Every variant has 0 copies: nothing to print.")
            if total > MAX_LABELS:
                raise forms.ValidationError(
                    f"That is {total:,} labels; print at most {MAX_LABELS:,} at a time."
                )
        for variant, count in zip(self.variants, copies, strict=True):
            if count:
                try:
                    variant_symbol(variant)
                except BarcodeError as exc:
                    self.add_error(copy_field(variant), str(exc))
        return cleaned

    def items(self) -> list[tuple[Variant, int]]:
        return [(v, self.cleaned_data[copy_field(v)]) for v in self.variants]


def copy_field(variant: Variant) -> str:
    return f"copies_{variant.pk}"


@dataclass(frozen=True)
class LabelRow:
    variant: Variant
    copies: forms.BoundField
    symbol: Symbol | None
    problem: str  # why the barcode may not print or scan well
    remove_url: str

    @property
    def options(self) -> str:
        return options_text(self.variant.options)


def _chosen_variants(request: HttpRequest) -> tuple[list[Variant], list[str]]:
    """The variants asked for (``variant=<id>`` repeated, or ``product=<id>`` for all of a
    product's active variants), in the order asked, each once; and what was not found."""
    raw = request.GET.getlist("variant")
    ids = list(dict.fromkeys(i for i in map(int_param, raw) if i is not None))
    product_ids = [i for i in map(int_param, request.GET.getlist("product")) if i is not None]
    unknown = [value for value in raw if int_param(value) is None]
    qs = Variant.objects.select_related("product")
    found = {v.pk: v for v in qs.filter(pk__in=ids)} if ids else {}
    variants = [found[i] for i in ids if i in found]
    unknown += [str(i) for i in ids if i not in found]
    if product_ids:
        seen = set(found)
        for variant in qs.filter(product_id__in=product_ids, is_active=True).order_by(
            "product__name", "sku"
        ):
            if variant.pk not in seen:
                variants.append(variant)
    return variants, unknown


def _form_data(request: HttpRequest, variants: list[Variant]) -> dict:
    """GET parameters with defaults for a first visit (no ``template`` yet): price shown,
    position 1, ``copies`` (default 1) of each variant."""
    data = request.GET.copy()
    if "template" not in data:
        data["template"] = DEFAULT_TEMPLATE
        data["show_price"] = "on"
    data.setdefault("start_position", "1")
    default_copies = int_param(request.GET.get("copies"))
    default_copies = default_copies if default_copies is not None else 1
    for variant in variants:
        data.setdefault(copy_field(variant), str(default_copies))
    return data


def _rows(request: HttpRequest, form: LabelSheetForm) -> list[LabelRow]:
    template = form.chosen_template
    params = form.data.copy()
    for name in ("add", "print", "product"):
        params.pop(name, None)
    rows = []
    for variant in form.variants:
        others = params.copy()
        others.setlist("variant", [str(v.pk) for v in form.variants if v.pk != variant.pk])
        others.pop(copy_field(variant), None)
        remove_url = f"{reverse('catalog:labels')}?{others.urlencode()}"
        try:
            symbol, problem = variant_symbol(variant), ""
        except BarcodeError as exc:
            symbol, problem = None, str(exc)
        if symbol is not None:
            fit = barcode_fit(symbol, template)
            if fit.too_narrow:
                problem = (
                    f"on {template.code} its bars would be {fit.module_mm:.2f} mm wide, under "
                    f"the {MIN_MODULE_MM} mm most scanners need; a wider label helps."
                )
        rows.append(LabelRow(variant, form[copy_field(variant)], symbol, problem, remove_url))
    return rows


def _summary(form: LabelSheetForm) -> dict:
    if not form.is_valid():
        return {"ok": False}
    template = form.chosen_template
    start = form.cleaned_data["start_position"]
    count = sum(copies for _, copies in form.items())
    first_sheet = [
        "skip" if n < start else ("label" if n < start + count else "free")
        for n in range(1, template.per_sheet + 1)
    ]
    return {
        "ok": True,
        "count": count,
        "sheets": sheets_needed(template, count=count, start_position=start),
        "start": start,
        "first_sheet": first_sheet,
        "template": template,
    }


@require_GET
@vary_on_headers("HX-Request")
@capability_required("catalog.view")
def labels(request: HttpRequest) -> HttpResponse:
    """The label form for the chosen variants; ``print`` in the query answers the PDF."""
    variants, unknown = _chosen_variants(request)
    # The scanner's Enter submits the form with ``add``; "Download PDF" adds ``print``.
    if "print" not in request.GET and request.GET.get("add", "").strip():
        return _add_variant(request, variants, unknown)
    form = LabelSheetForm(_form_data(request, variants), variants=variants)
    if "print" in request.GET and form.is_valid():
        return _pdf(request, form)
    status = 422 if "print" in request.GET and form.errors else 200
    return _page(request, form, unknown, status=status)


def _page(request, form: LabelSheetForm, unknown: list[str], *, status=200, **extra):
    context = {
        "form": form,
        "rows": _rows(request, form),
        "max_copies": MAX_COPIES,
        "unknown": unknown,
        "summary": _summary(form),
        "add_code": "",
        "add_error": "",
        "printing": "print" in request.GET,
        **extra,
    }
    return render_page_or_partial(
        request, "catalog/labels/labels.html", "label-summary", context, status=status
    )


def _pdf(request: HttpRequest, form: LabelSheetForm) -> HttpResponse:
    template = form.chosen_template
    pdf = label_sheet_pdf(
        form.items(),
        template=template,
        start_position=form.cleaned_data["start_position"],
        show_price=form.cleaned_data["show_price"],
        show_outlines=form.cleaned_data["show_outlines"],
        currency=getattr(request.tenant, "currency", "USD"),
        request=request,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="labels-{template.code}.pdf"'
    return response


def _add_variant(request: HttpRequest, variants: list[Variant], unknown: list[str]):
    """The scan box: a barcode or SKU adds its variant to the URL, or says it found none."""
    code = request.GET["add"].strip()
    variant = variant_by_code(code)
    if variant is not None:
        params = request.GET.copy()
        params.pop("add")
        if variant.pk not in {v.pk for v in variants}:
            params.appendlist("variant", str(variant.pk))
        return redirect(f"{reverse('catalog:labels')}?{params.urlencode()}")
    form = LabelSheetForm(_form_data(request, variants), variants=variants)
    message = f"No variant has the barcode or SKU “{code}”."
    return _page(request, form, unknown, status=422, add_code=code, add_error=message)
