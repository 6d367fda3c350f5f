"""PDF documents of sales with the company's branding: pick list, packing slip, invoice,
credit note."""

from __future__ import annotations

from apps.core.pdf import render_pdf
from apps.purchasing.documents import branding
from apps.sales.invoicing import open_balance
from apps.sales.models import Invoice, PickList, SalesReturn, Shipment
from apps.sales.picking import pick_rows


def pick_list_pdf(pick_list: PickList) -> bytes:
    return render_pdf(
        "sales/pdf/pick_list.html",
        {
            **branding(),
            "pick_list": pick_list,
            "groups": pick_rows(pick_list),
            "orders": list(pick_list.orders.select_related("customer").order_by("number")),
        },
    )


def packing_slip_pdf(shipment: Shipment) -> bytes:
    return render_pdf(
        "sales/pdf/packing_slip.html",
        {
            **branding(),
            "shipment": shipment,
            "order": shipment.order,
            "lines": list(
                shipment.lines.select_related("order_line__variant__product", "location")
            ),
        },
    )


def invoice_pdf(invoice: Invoice) -> bytes:
    return render_pdf(
        "sales/pdf/invoice.html",
        {
            **branding(),
            "invoice": invoice,
            "order": invoice.order,
            "lines": list(invoice.lines.all()),
            "payments": list(invoice.payments.all()),
            "order_balance": open_balance(invoice.order),
        },
    )


def credit_note_pdf(sales_return: SalesReturn) -> bytes:
    return render_pdf(
        "sales/pdf/credit_note.html",
        {
            **branding(),
            "note": sales_return,
            "order": sales_return.order,
            "lines": list(
                sales_return.lines.select_related("order_line__variant__product", "location")
            ),
        },
    )
