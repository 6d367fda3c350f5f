"""Every report, one module per group; importing registers them."""

from apps.reports.definitions import (  # noqa: F401
    forecasting,
    inventory,
    purchasing,
    sales,
    stock_analysis,
)
