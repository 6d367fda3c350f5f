"""Reads of customers shared by pages, exports and the importer. Lists are a fixed number
of queries whatever their length."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Lower

from apps.sales.models import Customer, PriceTier

MIN_PHONE_DIGITS = 6

CUSTOMER_SORTS = {
    "name": Lower("name"),
    "kind": F("kind"),
    "email": Lower("email"),
    "phone": F("phone"),
    "tax_id": F("tax_id"),
    "tier": Lower("price_tier__name"),
    "currency": F("currency"),
    "created": F("created_at"),
}


def phone_digits(phone: str) -> str:
    return re.sub(r"\D", "", phone or "")


def customer_duplicates(
    *, email: str = "", phone: str = "", exclude_pk: int | None = None
) -> list[Customer]:
    """Customers with the same email (ignoring case) or the same phone number (digits only,
    so "+1 (555) 010-0200" matches "15550100200"). One query."""
    conditions = Q()
    if email.strip():
        conditions |= Q(email__iexact=email.strip())
    digits = phone_digits(phone)
    if len(digits) >= MIN_PHONE_DIGITS:
        conditions |= Q(phone_digits=digits)
    if not conditions:
        return []
    qs = Customer.objects.annotate(
        phone_digits=digits_of("phone"),
    ).filter(conditions)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs.order_by("name", "id")[:10])


def digits_of(field: str):
    """The field with everything but digits removed (in the database)."""
    from django.db.models import CharField, Func

    return Func(
        F(field),
        Value(r"\D"),
        Value(""),
        Value("g"),
        function="regexp_replace",
        output_field=CharField(),
    )


def customers(
    *,
    search: str = "",
    tag: str = "",
    tier_id: int | None = None,
    active: str = "active",
    segment_ids: Iterable[int] | None = None,
    sort: str = "name",
) -> QuerySet[Customer]:
    """Customers for the list page and exports, with their tier, in one query. (Order
    figures and segments come from ``orders.snapshot()``; ``listing`` sorts by them.)"""
    qs = Customer.objects.select_related("price_tier")
    if search:
        digits = phone_digits(search)
        condition = (
            Q(name__icontains=search)
            | Q(email__icontains=search)
            | Q(tax_id__icontains=search)
            | Q(phone__icontains=search)
            | Q(contacts__name__icontains=search)
            | Q(contacts__email__icontains=search)
        )
        if len(digits) >= 4:
            condition |= Q(phone_digits__contains=digits)
        # The contact join can repeat a customer: filter by id instead of DISTINCT, which
        # would clash with sorting on annotations.
        matching = Customer.objects.annotate(phone_digits=digits_of("phone")).filter(condition)
        qs = qs.filter(pk__in=matching.values("pk"))
    if tag:
        # tags is a JSON list; match a tag ignoring case.
        qs = qs.filter(pk__in=_tagged(tag))
    if tier_id == 0:
        qs = qs.filter(price_tier__isnull=True)
    elif tier_id:
        qs = qs.filter(price_tier_id=tier_id)
    if active == "active":
        qs = qs.filter(is_active=True)
    elif active == "archived":
        qs = qs.filter(is_active=False)
    if segment_ids is not None:
        qs = qs.filter(pk__in=list(segment_ids))
    return _sorted(qs, sort)


def _tagged(tag: str) -> QuerySet:
    from django.db.models.expressions import RawSQL

    return (
        Customer.objects.annotate(
            has_tag=RawSQL(
                "EXISTS (SELECT 1 FROM jsonb_array_elements_text(tags) t WHERE lower(t) = %s)",
                [tag.strip().lower()],
            )
        )
        .filter(has_tag=True)
        .values("pk")
    )


def _sorted(qs: QuerySet[Customer], sort: str) -> QuerySet[Customer]:
    descending = sort.startswith("-")
    expression = CUSTOMER_SORTS.get(sort.lstrip("-"), CUSTOMER_SORTS["name"])
    ordered = expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
    return qs.order_by(ordered, "id")


def all_tags() -> list[str]:
    """Every tag in use, for the filter (one query, sorted ignoring case)."""
    from django.db import connection

    table = Customer._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT t FROM {table}, jsonb_array_elements_text(tags) t"  # noqa: S608
        )
        tags = {row[0] for row in cursor.fetchall()}
    unique: dict[str, str] = {}
    for tag in sorted(tags):
        unique.setdefault(tag.lower(), tag)
    return sorted(unique.values(), key=str.lower)


def price_tiers() -> QuerySet[PriceTier]:
    from django.db.models import Count

    return PriceTier.objects.annotate(customer_count=Count("customers")).order_by("name")


def customer_detail(pk: int) -> Customer:
    return Customer.objects.select_related("price_tier", "preferred_warehouse").get(pk=pk)


def customer_log(customer: Customer, *, limit: int = 50):
    return list(customer.log.select_related("user").order_by("-created_at", "-id")[:limit])
