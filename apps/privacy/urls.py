from django.urls import path

from apps.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.home, name="home"),
    path("export/", views.export_start, name="export_start"),
    path("export/<uuid:token>/", views.export_download, name="export_download"),
    path("close/", views.close_company, name="close"),
    path("customers/<int:pk>/export/", views.customer_export, name="customer_export"),
]
