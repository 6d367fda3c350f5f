from django.urls import path

from apps.reports import budget_views, file_views, views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("budgets/", budget_views.budgets, name="budgets"),
    path("files/<uuid:pk>/", file_views.file_status, name="file"),
    path("files/<uuid:pk>/download/", file_views.file_download, name="file_download"),
    path("<slug:slug>/", views.report, name="report"),
]
