"""Every report, one module per group; importing registers them."""

from apps.reports.definitions import (  # noqa: F401
    forecasting,
    inventory,
    purchasing,
    sales,
    sales_more,
    stock_analysis,
)
