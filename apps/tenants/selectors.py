from __future__ import annotations

from django.db.models import Q, QuerySet

from apps.tenants.models import Tenant

CONSOLE_SORTS = {
    "name": "name",
    "slug": "slug",
    "status": "status",
    "plan": "plan__name",
    "users": "user_count",
    "skus": "sku_count",
    "activity": "last_activity_at",
    "created": "created_at",
}


def tenants_customers() -> QuerySet[Tenant]:
    """Real companies: neither the public site nor the hidden template."""
    return Tenant.objects.exclude(schema_name="public").filter(is_template=False)


def tenants_active() -> QuerySet[Tenant]:
    return tenants_customers().filter(status=Tenant.Status.ACTIVE)


def tenants_for_console(
    *, search: str = "", status: str = "", plan: str = "", sort: str = "name"
) -> QuerySet[Tenant]:
    qs = tenants_customers().select_related("plan")
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(slug__icontains=search))
    if status in Tenant.Status.values:
        qs = qs.filter(status=status)
    if plan:
        qs = qs.filter(plan__code=plan)
    descending = sort.startswith("-")
    field = CONSOLE_SORTS.get(sort.lstrip("-"), "name")
    return qs.order_by(("-" if descending else "") + field, "pk")
