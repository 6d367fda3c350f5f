from django.urls import path

from apps.reports import api

urlpatterns = [
    path("", api.ReportListView.as_view(), name="reports"),
    path("<slug:name>/", api.ReportView.as_view(), name="report"),
]
