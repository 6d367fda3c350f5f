from django.urls import path

from apps.forecasting import views

app_name = "forecasting"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("variants/<int:pk>/", views.variant_detail, name="variant"),
    path("reforecast/", views.reforecast, name="reforecast"),
    path("settings/", views.settings_edit, name="settings"),
    path("accuracy.json", views.accuracy_data, name="accuracy-data"),
]
