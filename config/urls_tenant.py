"""URLs of a company's site (``<slug>.localhost:8000``)."""

from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from apps.core import views as core_views
from apps.core.service_worker import service_worker
from apps.tenants import views as tenant_views

urlpatterns = [
    path("", include("apps.dashboard.urls")),
    path("accounts/", include("allauth.urls")),
    path("team/", include("apps.accounts.urls")),
    path("products/", include("apps.catalog.urls")),
    path("inventory/", include("apps.inventory.urls")),
    path("sales/", include("apps.sales.urls")),
    path("purchasing/", include("apps.purchasing.urls")),
    path("data/", include("apps.importexport.urls")),
    path("notifications/", include("apps.notifications.urls")),
    path("reports/", include("apps.reports.urls")),
    path("forecasting/", include("apps.forecasting.urls")),
    path("integrations/", include("apps.integrations.urls")),
    path("hooks/", include("apps.integrations.urls_hooks")),
    path("developers/", include("apps.api.urls_pages")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        # The split view serves its start-up script as a file: the CSP forbids inline script.
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("api/v1/", include(("apps.api.urls", "api"), namespace="api-v1")),
    path("api/", include(("apps.api.urls", "api"), namespace="api")),
    path("settings/", include("apps.tenants.urls_settings")),
    path("privacy/", include("apps.privacy.urls")),
    path("jobs/", include("apps.core.urls")),
    path("audit/", include("apps.audit.urls")),
    path("welcome/<str:token>/", tenant_views.handoff, name="tenant_handoff"),
    path("healthz", core_views.healthz, name="healthz"),
    path("sw.js", service_worker, name="service_worker"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "apps.core.views.page_not_found"
handler403 = "apps.core.views.permission_denied"
handler500 = "apps.core.views.server_error"
