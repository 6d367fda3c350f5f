"""Reorder rules of one warehouse: set (create or change) and remove."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from apps.accounts.permissions import capability_required
from apps.inventory import reorder
from apps.inventory.forms import ReorderRuleForm
from apps.inventory.models import ReorderRule, Warehouse
from apps.inventory.services import InventoryError
from apps.inventory.views import warehouse_page


@require_POST
@capability_required("inventory.manage_warehouses")
def reorder_rule_set(request, pk: int):
    warehouse = get_object_or_404(Warehouse, pk=pk)
    form = ReorderRuleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            rule = reorder.reorder_rule_set(
                variant=data["code"],
                warehouse=warehouse,
                reorder_point=data["reorder_point"],
                reorder_quantity=data["reorder_quantity"] or 0,
                safety_stock=data["safety_stock"] or 0,
            )
        except InventoryError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                f"{rule.variant.sku} in {warehouse.code}: reorder at {rule.reorder_point.normalize()}.",
            )
            return redirect("inventory:warehouse", pk=warehouse.pk)
    return warehouse_page(request, warehouse, rule_form=form)


@require_POST
@capability_required("inventory.manage_warehouses")
def reorder_rule_delete(request, pk: int, rule_pk: int):
    rule = get_object_or_404(
        ReorderRule.objects.select_related("variant"), pk=rule_pk, warehouse_id=pk
    )
    reorder.reorder_rule_delete(rule=rule)
    messages.success(
        request, f"{rule.variant.sku} in this warehouse follows the variant's own values again."
    )
    return redirect("inventory:warehouse", pk=pk)
