"""Pages for developers (not the API itself): webhooks. Mounted at /developers/."""

from django.urls import path

from apps.api.webhooks import views

app_name = "developers"
urlpatterns = [
    path("webhooks/", views.endpoints, name="webhooks"),
    path("webhooks/<int:pk>/", views.endpoint_detail, name="webhook"),
    path("webhooks/<int:pk>/secret/", views.endpoint_secret, name="webhook_secret"),
    path("webhooks/<int:pk>/test/", views.endpoint_test, name="webhook_test"),
    path("webhooks/<int:pk>/delete/", views.endpoint_delete, name="webhook_delete"),
    path("deliveries/<int:pk>/redeliver/", views.delivery_redeliver, name="redeliver"),
]
