from django.urls import path

from apps.importexport import views

app_name = "importexport"
urlpatterns = [
    path("", views.home, name="home"),
    path("imports/", views.batches, name="batches"),
    path("imports/<int:pk>/", views.batch_detail, name="batch"),
    path("imports/<int:pk>/confirm/", views.batch_confirm, name="batch_confirm"),
    path("imports/<int:pk>/recheck/", views.batch_recheck, name="batch_recheck"),
    path("imports/<int:pk>/discard/", views.batch_discard, name="batch_discard"),
    path("import/<slug:kind>/", views.upload, name="upload"),
    path("import/<slug:kind>/template.<str:fmt>", views.template_file, name="template"),
    path("export/<slug:kind>.<str:fmt>", views.export, name="export"),
]
