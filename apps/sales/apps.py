from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "apps.sales"
    label = "sales"
    verbose_name = "Sales"

    def ready(self):
        from apps.inventory.arrivals import on_stock_arrival
        from apps.sales.allocation import backorders_fill

        # Stock arrived: reserve waiting backorders, oldest confirmed order first.
        on_stock_arrival(backorders_fill)
