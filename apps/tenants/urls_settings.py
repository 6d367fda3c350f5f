app_name = "tenant_settings"
urlpatterns: list = []
