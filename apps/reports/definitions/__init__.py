"""Every report, one module per group; importing registers them."""

from apps.reports.definitions import inventory, purchasing, sales, stock_analysis  # noqa: F401
