from django.urls import path

from apps.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.products, name="products"),
    path("new/", views.product_create, name="product_create"),
    path("suppliers/", views.suppliers, name="suppliers"),
    path("categories/", views.categories, name="categories"),
    path("<int:pk>/", views.product_detail, name="product"),
    path("<int:pk>/variants/", views.variant_add, name="variant_add"),
]
