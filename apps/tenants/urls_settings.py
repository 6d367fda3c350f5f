from django.urls import path

from apps.tenants import settings_views

app_name = "tenant_settings"
urlpatterns = [
    path("", settings_views.edit, name="edit"),
]
