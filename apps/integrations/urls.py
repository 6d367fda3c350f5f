from django.urls import path

from apps.integrations import views, views_channels, views_pay

app_name = "integrations"
urlpatterns = [
    path("", views.index, name="index"),
    path("shopify/connect/", views.shopify_connect, name="shopify_connect"),
    path("shopify/callback/", views.shopify_callback, name="shopify_callback"),
    path("woocommerce/connect/", views.woocommerce_connect, name="woocommerce_connect"),
    path("stripe/connect/", views.stripe_connect, name="stripe_connect"),
    path("stripe/invoices/<int:pk>/pay-link/", views_pay.invoice_pay_link, name="invoice_pay_link"),
    path(
        "stripe/invoices/<int:pk>/pay-email/", views_pay.invoice_pay_email, name="invoice_pay_email"
    ),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/locations/", views.locations_save, name="locations_save"),
    path("<int:pk>/fields/", views.field_map_save, name="field_map_save"),
    path("<int:pk>/sync/<str:entity>/", views.sync_start, name="sync_start"),
    path("<int:pk>/runs/<int:run_id>/retry/", views.run_retry, name="run_retry"),
    path("<int:pk>/inbox/<int:event_id>/retry/", views.inbox_retry, name="inbox_retry"),
    path("<int:pk>/<str:action>/", views.status_change, name="status_change"),
]
urlpatterns += views_channels.urlpatterns  # Amazon, QuickBooks, Mailchimp, Slack, Twilio
