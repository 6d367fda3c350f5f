"""Every endpoint of the API, collected from each app's ``api.py``.

Mounted twice by config/urls_tenant.py: ``/api/v1/`` (the versioned contract) and ``/api/``
(the current version). The schema and docs sit beside them.
"""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from apps.api import auth_views
from apps.api.jobs import JobViewSet
from apps.api.webhooks import api as webhooks_api
from apps.catalog import api as catalog_api
from apps.forecasting import api as forecasting_api
from apps.inventory import api as inventory_api
from apps.purchasing import api as purchasing_api
from apps.sales import api as sales_api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("products", catalog_api.ProductViewSet, basename="product")
router.register("variants", catalog_api.VariantViewSet, basename="variant")
router.register("categories", catalog_api.CategoryViewSet, basename="category")
router.register("suppliers", catalog_api.SupplierViewSet, basename="supplier")
router.register("inventory/stock-items", inventory_api.StockItemViewSet, basename="stock-item")
router.register("inventory/moves", inventory_api.MoveViewSet, basename="move")
router.register("inventory/low-stock", inventory_api.LowStockViewSet, basename="low-stock")
router.register("inventory/transfers", inventory_api.TransferViewSet, basename="transfer")
router.register("warehouses", inventory_api.WarehouseViewSet, basename="warehouse")
router.register("locations", inventory_api.LocationViewSet, basename="location")
router.register("purchase-orders", purchasing_api.PurchaseOrderViewSet, basename="purchase-order")
router.register("orders", sales_api.OrderViewSet, basename="order")
router.register("customers", sales_api.CustomerViewSet, basename="customer")
router.register("jobs", JobViewSet, basename="job")
# Deliveries before endpoints so "webhooks/deliveries/…" is never read as an endpoint id.
router.register("webhooks/deliveries", webhooks_api.DeliveryViewSet, basename="webhook-delivery")
router.register("webhooks", webhooks_api.WebhookViewSet, basename="webhook")

urlpatterns = [
    path("auth/login/", auth_views.LoginView.as_view(), name="auth-login"),
    path("auth/refresh/", auth_views.RefreshView.as_view(), name="auth-refresh"),
    path("auth/logout/", auth_views.LogoutView.as_view(), name="auth-logout"),
    path("auth/register/", auth_views.RegisterView.as_view(), name="auth-register"),
    path("inventory/adjust/", inventory_api.AdjustView.as_view(), name="inventory-adjust"),
    path("reports/", include("apps.reports.api_urls")),
    path("ml/forecast", forecasting_api.ForecastView.as_view(), name="ml-forecast"),
    path("ml/optimize", forecasting_api.OptimizeView.as_view(), name="ml-optimize"),
    path("ml/train", forecasting_api.TrainView.as_view(), name="ml-train"),
    path("", include(router.urls)),
]


def schema_only_current(endpoints):
    """drf-spectacular hook: document each operation once, under ``/api/`` (``/api/v1/`` is
    the same operation at its versioned address)."""
    return [e for e in endpoints if not e[0].startswith("/api/v1/")]
