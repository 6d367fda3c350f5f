from django.urls import include, path

app_name = "sales"
urlpatterns: list = [
    path("customers/", include("apps.sales.customers.urls")),
]
