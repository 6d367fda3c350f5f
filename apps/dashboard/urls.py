from django.urls import path

from apps.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/widgets/<slug:key>/", views.widget, name="widget"),
    path("dashboard/widgets/<slug:key>/data.json", views.widget_data, name="widget_data"),
    path(
        "dashboard/layout/<slug:action>/",
        views.layout_change,
        name="layout",
    ),
]
