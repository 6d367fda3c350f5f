from django.urls import path

from apps.notifications import rule_views, schedule_views, views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("bell/", views.bell, name="bell"),
    path("read-all/", views.mark_all_read, name="mark_all_read"),
    path("preferences/", views.preferences, name="preferences"),
    path("<int:pk>/open/", views.open_notification, name="open"),
    path("schedules/", schedule_views.schedules, name="schedules"),
    path("schedules/new/", schedule_views.schedule_new, name="schedule_new"),
    path("schedules/<int:pk>/delete/", schedule_views.schedule_delete, name="schedule_delete"),
    path("schedules/<int:pk>/send/", schedule_views.schedule_send_now, name="schedule_send"),
    path("rules/", rule_views.rules, name="rules"),
]
