from django.urls import path

from apps.purchasing import (
    views,
    views_receiving,
    views_replenishment,
    views_returns,
    views_vendors,
)

app_name = "purchasing"
urlpatterns = [
    path("", views.orders, name="orders"),
    path("orders/new/", views.order_new, name="order_new"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/edit/", views.order_edit, name="order_edit"),
    path("orders/<int:pk>/pdf/", views.order_pdf, name="order_pdf"),
    path("orders/<int:pk>/send/", views.order_send, name="order_send"),
    path("orders/<int:pk>/charges/", views.order_charges, name="order_charges"),
    path("orders/<int:pk>/receive/", views_receiving.order_receive, name="order_receive"),
    path("orders/<int:pk>/return/", views_returns.return_new, name="return_new"),
    path("orders/<int:pk>/confirm/<str:action>/", views.order_confirm, name="order_confirm"),
    # submit, approve, reject, reopen, cancel, close (POST); keep it after the named pages.
    path("orders/<int:pk>/<str:action>/", views.order_action, name="order_action"),
    path("returns/<int:pk>/pdf/", views_returns.return_pdf, name="return_pdf"),
    path("suggestions/", views_replenishment.suggestions, name="suggestions"),
    path("vendors/", views_vendors.vendors, name="vendors"),
    path("vendors/<int:pk>/", views_vendors.vendor_detail, name="vendor"),
    path("vendors/<int:pk>/pdf/", views_vendors.vendor_pdf, name="vendor_pdf"),
    path("settings/", views.settings_edit, name="settings"),
]
