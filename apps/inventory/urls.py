from django.urls import path

from apps.inventory import count_views, reorder_views, report_views, views

app_name = "inventory"
urlpatterns = [
    path("", views.levels, name="levels"),
    path("warehouses/", views.warehouses, name="warehouses"),
    path("warehouses/<int:pk>/", views.warehouse_detail, name="warehouse"),
    path(
        "warehouses/<int:pk>/reorder-rules/",
        reorder_views.reorder_rule_set,
        name="reorder_rule_set",
    ),
    path(
        "warehouses/<int:pk>/reorder-rules/<int:rule_pk>/delete/",
        reorder_views.reorder_rule_delete,
        name="reorder_rule_delete",
    ),
    path("adjust/", views.adjust, name="adjust"),
    path("history/", views.history, name="history"),
    path("low-stock/", views.low_stock_list, name="low_stock"),
    path("valuation/", report_views.valuation, name="valuation"),
    path("expiring/", views.expiring, name="expiring"),
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/new/", views.transfer_new, name="transfer_new"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer"),
]

urlpatterns += [
    path("counts/", count_views.counts, name="counts"),
    path("counts/new/", count_views.count_new, name="count_new"),
    path("counts/<int:pk>/", count_views.count_detail, name="count"),
    path("counts/<int:pk>/scan/", count_views.count_scan, name="count_scan"),
    path("counts/<int:pk>/lines/<int:line_pk>/", count_views.count_line_set, name="count_line"),
    path("counts/<int:pk>/review/", count_views.count_review, name="count_review"),
    path("counts/<int:pk>/post/", count_views.count_post, name="count_post"),
    path("counts/<int:pk>/cancel/", count_views.count_cancel, name="count_cancel"),
    path("counts/<int:pk>/sheet.pdf", count_views.count_sheet, name="count_sheet"),
]
