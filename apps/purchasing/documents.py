"""PDF documents of purchasing: the purchase order and the debit note, with the company's
branding (name, address, accent colour and logo, embedded as a data: URI so weasyprint
needs no web server)."""

from __future__ import annotations

import base64
import mimetypes

from apps.core.pdf import render_pdf
from apps.purchasing.config import current_company
from apps.purchasing.models import PurchaseOrder, SupplierReturn


def branding() -> dict:
    tenant = current_company()
    logo = None
    if tenant is not None and getattr(tenant, "logo", None):
        try:
            with tenant.logo.open("rb") as handle:
                data = base64.b64encode(handle.read()).decode()
            kind = mimetypes.guess_type(tenant.logo.name)[0] or "image/png"
            logo = f"data:{kind};base64,{data}"
        except (OSError, ValueError):  # a missing file must not stop the document
            logo = None
    return {
        "current_tenant": tenant,
        "company_name": getattr(tenant, "legal_name", "") or getattr(tenant, "name", ""),
        "company_address": getattr(tenant, "address", ""),
        "company_email": getattr(tenant, "contact_email", ""),
        "company_currency": getattr(tenant, "currency", ""),
        "accent": getattr(tenant, "accent_colour", "#0d6efd"),
        "logo": logo,
    }


def purchase_order_context(order: PurchaseOrder) -> dict:
    return {
        **branding(),
        "order": order,
        "lines": list(order.lines.select_related("variant__product")),
        "charges": list(order.charges.all()),
    }


def purchase_order_pdf(order: PurchaseOrder) -> bytes:
    return render_pdf("purchasing/po_pdf.html", purchase_order_context(order))


def debit_note_context(supplier_return: SupplierReturn) -> dict:
    return {
        **branding(),
        "note": supplier_return,
        "order": supplier_return.order,
        "lines": list(supplier_return.lines.select_related("order_line__variant__product")),
    }


def debit_note_pdf(supplier_return: SupplierReturn) -> bytes:
    return render_pdf("purchasing/debit_note_pdf.html", debit_note_context(supplier_return))
