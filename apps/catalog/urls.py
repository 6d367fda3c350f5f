from django.urls import path, re_path

from apps.catalog import label_views, views

app_name = "catalog"
urlpatterns = [
    path("", views.products, name="products"),
    path("new/", views.product_create, name="product_create"),
    path("suppliers/", views.suppliers, name="suppliers"),
    path("categories/", views.categories, name="categories"),
    path("<int:pk>/", views.product_detail, name="product"),
    path("<int:pk>/variants/", views.variant_add, name="variant_add"),
]

# Barcode images and label sheets.
urlpatterns += [
    re_path(
        r"^variants/(?P<pk>[0-9]+)/barcode\.(?P<fmt>svg|png)$",
        label_views.variant_barcode,
        name="variant_barcode",
    ),
    path("labels/", label_views.labels, name="labels"),
]
