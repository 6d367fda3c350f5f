from django.urls import include, path

from apps.sales import views, views_billing, views_fulfilment, views_rates

app_name = "sales"
urlpatterns = [
    path("customers/", include("apps.sales.customers.urls")),
    path("", views.orders, name="orders"),
    path("orders/new/", views.order_new, name="order_new"),
    path("variants/", views.variant_search, name="variant_search"),
    path("orders/pick/", views_fulfilment.bulk_pick, name="bulk_pick"),
    path("orders/ship-csv/", views_fulfilment.tracking_csv, name="tracking_csv"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/edit/", views.order_edit, name="order_edit"),
    path("orders/<int:pk>/ship/", views_fulfilment.order_ship, name="order_ship"),
    path("orders/<int:pk>/invoice/", views_billing.order_invoice, name="order_invoice"),
    path("orders/<int:pk>/return/", views_billing.return_new, name="return_new"),
    path("orders/<int:pk>/promise/", views.order_promise, name="order_promise"),
    path("orders/<int:pk>/confirm/<str:action>/", views.order_confirm, name="order_confirm"),
    # confirm, hold, release, cancel, pick, pack, deliver (POST); after the named pages.
    path("orders/<int:pk>/<str:action>/", views.order_action, name="order_action"),
    path("pick-lists/", views_fulfilment.pick_lists, name="pick_lists"),
    path("pick-lists/<int:pk>/", views_fulfilment.pick_list, name="pick_list"),
    path("pick-lists/<int:pk>/pdf/", views_fulfilment.pick_list_pdf, name="pick_list_pdf"),
    path("pick-lists/<int:pk>/scan/", views_fulfilment.pick_scan, name="pick_scan"),
    path("shipments/<int:pk>/packing-slip/", views_fulfilment.packing_slip, name="packing_slip"),
    path(
        "shipments/<int:pk>/delivered/",
        views_fulfilment.shipment_delivered,
        name="shipment_delivered",
    ),
    path("invoices/<int:pk>/", views_billing.invoice_detail, name="invoice"),
    path("invoices/<int:pk>/pdf/", views_billing.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:pk>/payment/", views_billing.invoice_payment, name="invoice_payment"),
    path("returns/<int:pk>/credit-note/", views_billing.credit_note_pdf, name="credit_note_pdf"),
    path("settings/", views.settings_edit, name="settings"),
    path("exchange-rates/", views_rates.exchange_rates, name="exchange_rates"),
    path(
        "exchange-rates/<str:currency>/remove/",
        views_rates.exchange_rate_remove,
        name="exchange_rate_remove",
    ),
]
