from django.urls import path

from apps.accounts import api_key_views, views

app_name = "accounts"
urlpatterns = [
    path("", views.team, name="team"),
    path("api-keys/", api_key_views.api_keys, name="api_keys"),
    path("api-keys/<int:pk>/usage/", api_key_views.api_key_usage, name="api_key_usage"),
    path(
        "api-keys/<int:pk>/<str:action>/",
        api_key_views.api_key_action,
        name="api_key_action",
    ),
    path("invite/", views.invite, name="invite"),
    path("<int:pk>/role/", views.change_role, name="change_role"),
    path("<int:pk>/access/", views.set_active, name="set_active"),
    path(
        "invitations/<int:pk>/resend/",
        views.invitation_action,
        {"action": "resend"},
        name="invitation_resend",
    ),
    path(
        "invitations/<int:pk>/revoke/",
        views.invitation_action,
        {"action": "revoke"},
        name="invitation_revoke",
    ),
    path("join/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("profile/", views.profile, name="profile"),
    path("security/", views.security, name="security"),
]
