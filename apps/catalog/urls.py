from django.urls import path, re_path

from apps.catalog import category_views, label_views, product_views, supplier_views, views

app_name = "catalog"
urlpatterns = [
    path("", views.products, name="products"),
    path("scan/", views.scan, name="scan"),
    path("bulk/", views.bulk_action, name="bulk"),
    path("settings/", views.catalog_settings_page, name="settings"),
    path("new/", product_views.product_create, name="product_create"),
    path("<int:pk>/", product_views.product_detail, name="product"),
    path("<int:pk>/edit/", product_views.product_edit, name="product_edit"),
    path("<int:pk>/archive/", product_views.product_archive, name="product_archive"),
    path("<int:pk>/options/", product_views.product_options, name="product_options"),
    path("<int:pk>/variants/", product_views.variant_add, name="variant_add"),
    path(
        "<int:pk>/variants/<int:variant_pk>/edit/",
        product_views.variant_edit,
        name="variant_edit",
    ),
    path("<int:pk>/suppliers/", product_views.variant_supplier_add, name="variant_supplier_add"),
    path("<int:pk>/images/", product_views.image_upload, name="image_upload"),
    path("<int:pk>/images/<int:image_pk>/", product_views.image_change, name="image_change"),
    re_path(
        r"^(?P<pk>[0-9]+)/images/(?P<image_pk>[0-9]+)/(?P<kind>full|thumb)$",
        product_views.image_file,
        name="image_file",
    ),
    path("categories/", category_views.categories, name="categories"),
    path("categories/<int:pk>/", category_views.category_detail, name="category"),
    path("suppliers/", supplier_views.suppliers, name="suppliers"),
    path("suppliers/<int:pk>/", supplier_views.supplier_detail, name="supplier"),
    path("suppliers/<int:pk>/edit/", supplier_views.supplier_edit, name="supplier_edit"),
    path(
        "suppliers/<int:pk>/items/<int:item_pk>/",
        supplier_views.supplier_item_change,
        name="supplier_item",
    ),
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
