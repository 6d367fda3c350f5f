from django.urls import path

from apps.inventory import views

app_name = "inventory"
urlpatterns = [
    path("", views.levels, name="levels"),
    path("warehouses/", views.warehouses, name="warehouses"),
    path("warehouses/<int:pk>/", views.warehouse_detail, name="warehouse"),
    path("adjust/", views.adjust, name="adjust"),
    path("history/", views.history, name="history"),
]
