"""PDF documents (count sheets, labels, pick lists, invoices …) from templates via weasyprint.

Templates extend ``layouts/pdf.html``, which carries its own CSS, so rendering needs no
web server and no static-file lookups; images can be passed as ``data:`` URIs.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    from weasyprint import HTML  # imported late: it loads Pango, which costs ~0.3 s

    html = render_to_string(template_name, context, request=request)
    return HTML(
        string=html, base_url=request.build_absolute_uri("/") if request else None
    ).write_pdf()


def pdf_response(
    template_name: str, context: dict, *, request, filename: str, inline: bool = True
) -> HttpResponse:
    response = HttpResponse(
        render_pdf(template_name, context, request=request), content_type="application/pdf"
    )
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
