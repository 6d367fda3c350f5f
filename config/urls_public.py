"""URLs of the public site (``localhost:8000``): landing, sign-up, platform console."""

from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path

from apps.core import views as core_views

urlpatterns = [
    path("", include("apps.tenants.urls_public")),
    path("console/", include("apps.tenants.urls_console")),
    path("accounts/", include("allauth.urls")),
    path("jobs/", include("apps.core.urls")),
    path("healthz", core_views.healthz, name="healthz"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "apps.core.views.page_not_found"
handler403 = "apps.core.views.permission_denied"
handler500 = "apps.core.views.server_error"
