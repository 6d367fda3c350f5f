from django.urls import path

from apps.integrations import views_hooks

app_name = "hooks"
urlpatterns = [
    path("<str:provider>/<int:connection_id>/", views_hooks.receive, name="receive"),
]
