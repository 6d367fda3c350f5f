from django.urls import path

from apps.inventory import views

app_name = "inventory"
urlpatterns = [
    path("", views.levels, name="levels"),
    path("warehouses/", views.warehouses, name="warehouses"),
    path("warehouses/<int:pk>/", views.warehouse_detail, name="warehouse"),
    path("adjust/", views.adjust, name="adjust"),
    path("history/", views.history, name="history"),
    path("low-stock/", views.low_stock_list, name="low_stock"),
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/new/", views.transfer_new, name="transfer_new"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer"),
]
