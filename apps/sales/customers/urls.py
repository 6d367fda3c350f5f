from django.urls import path

from apps.sales.customers import views, views_related, views_tiers

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_new, name="new"),
    path("price-tiers/", views_tiers.tiers, name="tiers"),
    path("price-tiers/<int:pk>/", views_tiers.tiers, name="tier_edit"),
    path("price-tiers/<int:pk>/delete/", views_tiers.tier_delete, name="tier_delete"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/archive/", views.customer_archive, name="archive"),
    path("<int:pk>/erase/", views.customer_erase, name="erase"),
    path("<int:pk>/notes/", views.note_add, name="note_add"),
    path("<int:pk>/email/", views.email_send, name="email"),
    path("<int:pk>/contacts/new/", views_related.contact_edit, name="contact_new"),
    path("<int:pk>/contacts/<int:contact_pk>/", views_related.contact_edit, name="contact_edit"),
    path("<int:pk>/addresses/new/", views_related.address_edit, name="address_new"),
    path("<int:pk>/addresses/<int:address_pk>/", views_related.address_edit, name="address_edit"),
    path(
        "<int:pk>/<str:what>/<int:item_pk>/delete/",
        views_related.related_delete,
        name="related_delete",
    ),
]
