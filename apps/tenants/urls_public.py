from django.urls import path

from apps.tenants import views

app_name = "public"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("signup/", views.signup, name="signup"),
    path("signup/check/", views.subdomain_check, name="subdomain_check"),
    path("signup/<uuid:job_id>/", views.signup_progress, name="signup_progress"),
]
