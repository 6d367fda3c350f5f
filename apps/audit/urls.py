from django.urls import path

from apps.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.log, name="log"),
    path("export.csv", views.log_export, name="export"),
    path("settings/", views.settings_edit, name="settings"),
    path("record/<str:table>/<str:pk>/", views.record, name="record"),
]
