"""Notification rules per company: low stock, purchase orders waiting too long for approval,
large stock adjustments, failed integration syncs.

``rules_evaluate`` runs every 15 minutes per company (ensure_schedules). Each rule fires once
per condition: a ``RuleCondition`` row remembers what was notified while it still holds (an
item stays low); when the condition clears the row goes, and if it comes back that is a new
condition and a new notification. The dedupe key of each notification carries the condition's
id, so even two workers racing send it once. Each person's preferences still apply.

*Order overdue to ship*: confirmed (and not on hold), not fully shipped, and its promised ship
date has passed (orders without one: order date + the company's handling days).
*Predicted stock-out*: the latest forecast run gives an item at least a 50 % chance of running
out within N days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Max, Q
from django.db.models.functions import Abs
from django.utils import timezone

from apps.inventory.changes import on_stock_change
from apps.notifications.channels import Message, deliver
from apps.notifications.schedule_models import RuleCondition, RuleSettings


def _now() -> dt.datetime:
    return timezone.now()


def rule_settings() -> RuleSettings:
    settings = RuleSettings.objects.first()
    if settings is None:
        from apps.inventory.models import StockMove

        # Start watching adjustments from now, not from the beginning of the ledger.
        last = StockMove.objects.aggregate(m=Max("pk"))["m"] or 0
        settings = RuleSettings.objects.create(adjustments_seen_up_to=last)
    return settings


def channels(settings: RuleSettings) -> set[str]:
    return {"in_app", "email"} if settings.email else {"in_app"}


def _fire(rule: str, key: str, message: Message, settings: RuleSettings) -> bool:
    """Open the condition and notify, unless it is already open."""
    with transaction.atomic():
        condition, created = RuleCondition.objects.get_or_create(rule=rule, key=key[:150])
        if not created:
            return False
        message = replace(message, dedupe_key=f"rule:{rule}:{key}:{condition.pk}")
        deliver(message, channels(settings))
    return True


def conditions_sync(rule: str, current: dict[str, Message], settings: RuleSettings) -> int:
    """Notify conditions that are new, forget the ones that cleared. Returns how many fired."""
    known = set(RuleCondition.objects.filter(rule=rule).values_list("key", flat=True))
    RuleCondition.objects.filter(rule=rule, key__in=known - current.keys()).delete()
    return sum(_fire(rule, key, current[key], settings) for key in sorted(current.keys() - known))


def _qty(value: Decimal) -> str:
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def low_stock_rule(settings: RuleSettings) -> int:
    from apps.inventory.selectors import low_stock

    current = {}
    if settings.low_stock:
        for row in low_stock():
            where = f" in {row['warehouse_code']}" if row["warehouse_code"] else ""
            current[f"{row['variant_pk']}:{row['warehouse_pk'] or '*'}"] = Message(
                kind="low_stock",
                title=f"{row['variant_sku']} is low{where}: {_qty(row['on_hand'])} on hand",
                body=f"{row['product_name']}: reorder point {_qty(row['point'])}, "
                f"suggested order {_qty(row['suggested'])}.",
                url="/inventory/low-stock/",
            )
    return conditions_sync("low_stock", current, settings)


def po_approval_rule(settings: RuleSettings) -> int:
    from apps.purchasing.models import PurchaseOrder
    from apps.purchasing.services import approvers

    current = {}
    if settings.po_approval:
        cutoff = _now() - dt.timedelta(hours=settings.po_approval_hours)
        waiting = PurchaseOrder.objects.filter(
            status=PurchaseOrder.Status.AWAITING_APPROVAL, submitted_at__lte=cutoff
        ).select_related("supplier")
        for order in waiting:
            current[f"{order.pk}:{order.submitted_at.timestamp():.0f}"] = Message(
                kind="po_awaiting_approval",
                title=f"{order.number} from {order.supplier.name} has waited over "
                f"{settings.po_approval_hours} hours for approval",
                url=f"/purchasing/orders/{order.pk}/",
                users=approvers(order),
            )
    return conditions_sync("po_approval", current, settings)


def order_overdue_rule(settings: RuleSettings) -> int:
    from apps.sales.config import sales_settings
    from apps.sales.models import SalesOrder

    current = {}
    if settings.order_overdue:
        # Overdue once the promised day is over in the company's time zone.
        today = timezone.localdate(_now())
        handling = sales_settings().default_handling_days
        late = (
            SalesOrder.objects.filter(status__in=SalesOrder.FILLABLE)
            .filter(
                Q(promised_date__lt=today)
                | Q(
                    promised_date__isnull=True,
                    order_date__lt=today - dt.timedelta(days=handling),
                )
            )
            .select_related("customer")
        )
        for order in late:
            promised = order.promised_on(handling)
            days = (today - promised).days
            # Keyed by the promised date: a new promise that passes again is a new condition.
            current[f"{order.pk}:{promised.isoformat()}"] = Message(
                kind="order_overdue",
                title=f"{order.number} for {order.customer.name} is overdue to ship",
                body=f"Promised to ship by {promised:%Y-%m-%d} ({days} day"
                f"{'' if days == 1 else 's'} ago); {order.get_status_display().lower()}.",
                url=f"/sales/orders/{order.pk}/",
            )
    return conditions_sync("order_overdue", current, settings)


STOCKOUT_PROBABILITY = Decimal("0.5")


def stockout_rule(settings: RuleSettings) -> int:
    from apps.forecasting.selectors import at_risk, latest_run

    current = {}
    if settings.stockout:
        horizon = timezone.localdate() + dt.timedelta(days=settings.stockout_days)
        risky = at_risk(latest_run(), float(STOCKOUT_PROBABILITY)).filter(
            stockout_date__lte=horizon
        )
        for policy in risky:
            current[str(policy.variant_id)] = Message(
                kind="stockout_predicted",
                title=f"{policy.variant.sku} may run out by {policy.stockout_date:%Y-%m-%d}",
                body=f"{policy.variant.product.name}: {policy.stockout_probability * 100:.0f} % "
                f"chance; {_qty(policy.stock_position)} in stock or on order, reorder point "
                f"{_qty(policy.reorder_point)}.",
                url=f"/forecasting/variants/{policy.variant_id}/",
            )
    return conditions_sync("stockout", current, settings)


LARGE_ADJUSTMENT_KINDS = ("adjustment", "count")


def large_adjustment_rule(settings: RuleSettings) -> int:
    """Every adjustment or count correction since the last look, worth at least the
    threshold either way. Each move is its own event (dedupe key: the move)."""
    from apps.inventory.models import StockMove

    moves = StockMove.objects.filter(pk__gt=settings.adjustments_seen_up_to)
    last = moves.aggregate(m=Max("pk"))["m"]
    if last is None:
        return 0
    fired = 0
    if settings.large_adjustment:
        big = (
            moves.filter(kind__in=LARGE_ADJUSTMENT_KINDS)
            .annotate(worth=Abs(F("quantity") * F("unit_cost")))
            .filter(worth__gte=settings.large_adjustment_value)
            .select_related("variant", "location__warehouse", "user")
            .order_by("pk")
        )
        for move in big:
            who = f" by {move.user.email}" if move.user else ""
            deliver(
                Message(
                    kind="large_adjustment",
                    title=f"{move.variant.sku}: {_qty(move.quantity)} "
                    f"({move.get_kind_display().lower()}) worth {move.worth:.2f}{who}",
                    body=f"At {move.location.warehouse.code} / {move.location.code}."
                    + (f" Reason: {move.get_reason_display()}." if move.reason else ""),
                    url=f"/inventory/movements/?sku={move.variant.sku}",
                    dedupe_key=f"rule:large_adjustment:{move.pk}",
                ),
                channels(settings),
            )
            fired += 1
    RuleSettings.objects.filter(pk=settings.pk).update(adjustments_seen_up_to=last)
    return fired


def large_adjustments_check() -> int:
    """The job queued by ``_adjustment_posted``: run the large-adjustment rule now."""
    return large_adjustment_rule(rule_settings())


@on_stock_change
def _adjustment_posted(moves) -> None:
    """Listener on every ledger posting (inside its transaction): a large adjustment is told
    about within moments instead of at the next 15-minute round. One query, and only when
    the posting holds an adjustment or a count correction."""
    candidates = [m for m in moves if m.kind in LARGE_ADJUSTMENT_KINDS]
    if not candidates:
        return
    settings = RuleSettings.objects.first()
    if settings is None or not settings.large_adjustment:
        return
    if any(
        abs(Decimal(m.quantity) * Decimal(m.unit_cost or 0)) >= settings.large_adjustment_value
        for m in candidates
    ):
        from apps.core.jobs import job_enqueue

        job_enqueue(
            "apps.notifications.rules.large_adjustments_check", label="Large adjustment check"
        )


def sync_failed_notify(*, integration: str, error: str, url: str = "") -> bool:
    """The hook for apps/integrations: call it when a sync fails. Notifies once until
    ``sync_recovered`` is called for the same integration. Returns whether it fired."""
    settings = rule_settings()
    if not settings.sync_failed:
        return False
    message = Message(
        kind="sync_failed",
        title=f"{integration} failed to sync",
        body=error[:1000],
        url=url or "/",
    )
    return _fire("sync_failed", integration, message, settings)


def sync_recovered(*, integration: str) -> None:
    RuleCondition.objects.filter(rule="sync_failed", key=integration).delete()


def rules_evaluate() -> dict[str, int]:
    """Run every rule for the current company; how many notifications each fired."""
    settings = rule_settings()
    return {
        "low_stock": low_stock_rule(settings),
        "po_approval": po_approval_rule(settings),
        "order_overdue": order_overdue_rule(settings),
        "stockout": stockout_rule(settings),
        "large_adjustment": large_adjustment_rule(settings),
    }
