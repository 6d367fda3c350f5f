from django.urls import path

from apps.tenants import views

app_name = "public"
urlpatterns = [
    path("", views.landing, name="landing"),
]
