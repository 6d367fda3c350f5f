from django.urls import path

from apps.tenants import console, console_backups

app_name = "console"
urlpatterns = [
    path("", console.home, name="home"),
    path("companies/new/", console.create, name="create"),
    path("companies/<int:pk>/", console.detail, name="detail"),
    path("companies/<int:pk>/suspend/", console.suspend, name="suspend"),
    path("companies/<int:pk>/reactivate/", console.reactivate, name="reactivate"),
    path("companies/<int:pk>/delete/", console.schedule_deletion, name="schedule_deletion"),
    path("companies/<int:pk>/backups/", console_backups.backups, name="backups"),
    path("companies/<int:pk>/backups/new/", console_backups.backup_now, name="backup_now"),
    path(
        "companies/<int:pk>/backups/<str:name>/restore/",
        console_backups.restore,
        name="backup_restore",
    ),
]
