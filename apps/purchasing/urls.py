from django.urls import path

from apps.purchasing import views, views_receiving, views_replenishment

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
    path("orders/<int:pk>/confirm/<str:action>/", views.order_confirm, name="order_confirm"),
    path("orders/<int:pk>/<str:action>/", views.order_action, name="order_action"),
    path("suggestions/", views_replenishment.suggestions, name="suggestions"),
    path("settings/", views.settings_edit, name="settings"),
]
