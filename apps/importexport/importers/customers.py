"""Customers: matched by email (ignoring case), else by name (ignoring case, and only a
customer without an email when the row has one); a row that matches nobody creates one. Writes go through the customers' services
(apps/sales/customers/services.py), so a file follows the same rules as the form.

The export has the import's columns plus the customer's RFM segment and order figures
(ignored when the file comes back), and honours the customer list's filters, so one
segment can be exported by exporting the list filtered on it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils import timezone

from apps.importexport.importers.base import Column, Importer, Row, RowPlan, diff, shown
from apps.sales.customers.errors import CustomerError
from apps.sales.customers.selectors import MIN_PHONE_DIGITS, digits_of, phone_digits
from apps.sales.customers.services import (
    PHONE_CHARS,
    CustomerData,
    customer_create,
    customer_update,
    tags_parse,
)
from apps.sales.models import Customer, PriceTier

COLUMNS = (
    Column(
        "name",
        "Customer name. Used to find the customer when the row has no email.",
        "Acme Retail",
        required=True,
        aliases=("customer", "customer_name", "company"),
    ),
    Column(
        "email",
        "Email address: the key. An existing email (any case) is updated.",
        "buyer@acme.example",
        aliases=("e_mail", "email_address"),
    ),
    Column("kind", "company or person.", "company", aliases=("type",)),
    Column("phone", "Phone number.", "+1 555 0100", aliases=("telephone", "tel")),
    Column("tax_id", "Tax or VAT number.", "US123456789", aliases=("vat", "vat_number", "tax")),
    Column("price_tier", "Name of an existing price tier.", "Trade", aliases=("tier",)),
    Column("currency", "Three-letter currency code.", "USD"),
    Column("payment_terms_days", "Payment terms in days.", "30", aliases=("payment_terms",)),
    Column("tags", "Tags separated by commas.", "wholesale, vip"),
    Column(
        "marketing_consent",
        "yes if the customer agreed to marketing email.",
        "no",
        aliases=("consent", "marketing"),
    ),
    Column("active", "yes or no.", "yes", aliases=("is_active",)),
    Column("notes", "Free text.", ""),
)
EXTRA_EXPORT_COLUMNS = ["segment", "rfm_score", "orders", "revenue", "last_order"]
FIELDS = (
    "name",
    "kind",
    "email",
    "phone",
    "tax_id",
    "price_tier",
    "currency",
    "payment_terms_days",
    "tags",
    "marketing_consent",
    "notes",
)


class CustomerImporter(Importer):
    kind = "customers"
    label = "Customers"
    description = "Create or update customers by email (or by name when there is no email)."
    capability = "sales.edit"
    columns = COLUMNS

    def prepare(self, rows: list[Row]) -> None:
        emails = {(r.get("email") or "").strip().lower() for r in rows} - {""}
        names = {" ".join((r.get("name") or "").split()).lower() for r in rows} - {""}
        by_email: dict[str, list[Customer]] = {}
        for c in Customer.objects.annotate(key=Lower("email")).filter(key__in=emails):
            by_email.setdefault(c.key, []).append(c)
        by_name: dict[str, list[Customer]] = {}
        for c in Customer.objects.annotate(key=Lower("name")).filter(key__in=names):
            by_name.setdefault(c.key, []).append(c)
        self.by_email, self.by_name = by_email, by_name
        # Same phone (digits only) as an existing customer: shown as a possible duplicate.
        digits = {phone_digits(r.get("phone") or "") for r in rows}
        digits = {d for d in digits if len(d) >= MIN_PHONE_DIGITS}
        by_phone: dict[str, list[str]] = {}
        if digits:
            for c in Customer.objects.annotate(key=digits_of("phone")).filter(key__in=digits):
                by_phone.setdefault(c.key, []).append(c.name)
        self.by_phone = by_phone
        self.tiers = {t.name.lower(): t for t in PriceTier.objects.all()}
        self.default_tier = next((t for t in self.tiers.values() if t.is_default), None)
        self.seen: dict[str, int] = {}

    def _match(self, row: Row, name: str | None, email: str | None) -> Customer | None:
        """The customer a row is about: same email; else the one customer with the same
        name — when the row has an email, only a namesake without an email (the row
        gives them one), so two different people who share a name are not merged."""
        if email:
            found = self.by_email.get(email.lower(), [])
            if len(found) > 1:
                row.error(
                    "email", f"{len(found)} customers have the email {email}; fix them first."
                )
            if found:
                return found[0]
        if name:
            found = self.by_name.get(name.lower(), [])
            if email:
                found = [c for c in found if not c.email]
            if len(found) > 1:
                row.error(
                    "name",
                    f"{len(found)} customers are called “{name}”: add the email to say which.",
                )
            return found[0] if len(found) == 1 else None
        return None

    def plan(self, row: Row) -> RowPlan:
        name = row.text("name", max_length=200)
        name = " ".join(name.split()) if name else name
        email = row.text("email", max_length=254)
        if email:
            email = email.strip()
            try:
                validate_email(email)
            except ValidationError:
                row.error("email", f"“{email}” is not an email address.")
        key = (email or name or "").lower()
        if key and key in self.seen:
            row.error(
                "email" if email else "name",
                f"“{email or name}” appears twice in the file (first on row {self.seen[key]}).",
            )
        kind = row.get("kind")
        if kind is not None:
            kind = kind.strip().lower()
            if kind not in Customer.Kind.values:
                row.error("kind", f"“{row.get('kind')}” is not company or person.")
        phone = row.text("phone", max_length=40)
        if phone and not PHONE_CHARS.match(phone):
            row.error("phone", f"“{phone}” is not a phone number.")
        tier_name = row.get("price_tier")
        tier = None
        if tier_name is not None:
            tier = self.tiers.get(tier_name.strip().lower())
            if tier is None:
                row.error(
                    "price_tier",
                    f"No price tier is called “{tier_name}”. Create it under Customers → "
                    "Price tiers first.",
                )
        currency = row.get("currency")
        if currency is not None:
            currency = currency.strip().upper()
            if len(currency) != 3 or not currency.isalpha():
                row.error("currency", f"“{row.get('currency')}” is not a code like USD.")
        tags = tags_parse(row.get("tags")) if row.get("tags") is not None else None
        values = {
            "name": name,
            "kind": kind,
            "email": email,
            "phone": phone,
            "tax_id": row.text("tax_id", max_length=40),
            "price_tier": tier,
            "currency": currency,
            "payment_terms_days": row.integer("payment_terms_days", maximum=3650),
            "tags": tags,
            "marketing_consent": row.boolean("marketing_consent"),
            "notes": row.get("notes"),
        }
        active = row.boolean("active")
        customer = self._match(row, name, email)
        if not name and customer is None and not row.errors:
            row.error("name", "Enter the customer's name.")
        if key:
            self.seen.setdefault(key, row.number)
        if row.errors:
            return RowPlan(row.number, "error", key=email or name or "", errors=row.errors)
        values = {k: v for k, v in values.items() if v is not None}
        if customer is None:
            changes = [[k, "", shown(v)] for k, v in values.items()]
            if active is False:
                changes.append(["active", "", "no"])
            same_phone = self.by_phone.get(phone_digits(phone or ""))
            if same_phone:
                changes.append(
                    ["possible duplicate", "", f"same phone as {', '.join(same_phone[:3])}"]
                )
            return RowPlan(
                row.number,
                "create",
                key=email or name,
                changes=changes,
                data={"values": values, "active": active},
            )
        changes: list[list[str]] = []
        for field in FIELDS:
            old = getattr(customer, field)
            new = values.get(field)
            if field == "price_tier":
                old = old.name if old else ""
                new = new.name if new else None
            if field == "tags" and new is not None:
                old, new = ", ".join(old or []), ", ".join(new)
            diff(changes, field, old, new)
        if active is not None and active != customer.is_active:
            changes.append(["active", shown(customer.is_active), shown(active)])
        return RowPlan(
            row.number,
            "update" if changes else "unchanged",
            key=customer.email or customer.name,
            changes=changes,
            data={"customer": customer, "values": values, "active": active},
        )

    def apply(self, plan: RowPlan) -> None:
        values = plan.data["values"]
        active = plan.data["active"]
        try:
            if plan.action == "create":
                customer = customer_create(
                    data=CustomerData(
                        **{**values, "price_tier": values.get("price_tier", self.default_tier)}
                    ),
                    user=self.user,
                    allow_duplicate=True,
                )
            else:
                current = Customer.objects.get(pk=plan.data["customer"].pk)
                data = CustomerData(
                    **{f: getattr(current, f) for f in FIELDS},
                    preferred_warehouse=current.preferred_warehouse,
                )
                for name, value in values.items():
                    setattr(data, name, value)
                customer = customer_update(customer=current, data=data, user=self.user)
        except CustomerError as exc:
            # Planning checks what the service checks; this only fires if data changed since.
            from apps.importexport.errors import ImportExportError

            raise ImportExportError(f"Row {plan.number}: {exc.message}") from exc
        if active is not None and active != customer.is_active:
            Customer.objects.filter(pk=customer.pk).update(
                is_active=active, updated_at=timezone.now()
            )


EXPORT_HEADER = [c.name for c in COLUMNS] + EXTRA_EXPORT_COLUMNS


def customer_rows(params) -> object:
    """Rows of the customer list as filtered by ``params`` (the list's query string)."""
    from apps.sales.customers import orders
    from apps.sales.customers.listing import filtered_customers, list_filters

    filters = list_filters(params)
    if not params.get("active"):  # from the import/export page: every customer
        filters["active"] = "all"
    totals, segments = orders.snapshot()
    qs = filtered_customers(filters, params.get("sort") or "name", segments, totals)
    with_orders = orders.available()
    for c in qs.iterator(chunk_size=1000):
        orders.figures_attach([c], totals)
        score = segments.get(c.pk)
        yield [
            c.name,
            c.email,
            c.kind,
            c.phone,
            c.tax_id,
            c.price_tier.name if c.price_tier else "",
            c.currency,
            c.payment_terms_days,
            ", ".join(c.tags or []),
            "yes" if c.marketing_consent else "no",
            "yes" if c.is_active else "no",
            c.notes,
            score.label if score else "No orders",
            score.code if score else "",
            c.order_count if with_orders else 0,
            c.revenue if with_orders else 0,
            c.last_order.isoformat()[:10] if with_orders and c.last_order else "",
        ]
