"""The tables whose every insert, update and delete is audited by a database trigger.

Adding a table is one line here; ``manage.py migrate`` (post_migrate) or
``manage.py audit_triggers_sync`` attaches the trigger in every company schema.
Not audited on purpose: the stock ledger (StockMove is itself the audit trail) and
high-volume tables (StockLevel, reservations, API usage, webhook deliveries, jobs).
"""

from __future__ import annotations

from dataclasses import dataclass

# Columns that change on every save and say nothing about what a person did.
NOISY = ("updated_at", "modified_at", "last_login", "last_used_at", "search_vector")


@dataclass(frozen=True)
class Tracked:
    table: str
    label: str
    pk: str = "id"
    ignore: tuple[str, ...] = ()
    # Recorded as changed, but the values are hidden (hashes, secrets).
    mask: tuple[str, ...] = ()
    # A change of any of these is also logged as a security event ("permission change").
    security: tuple[str, ...] = ()

    @property
    def ignored(self) -> tuple[str, ...]:
        return NOISY + self.ignore


TRACKED: tuple[Tracked, ...] = (
    # catalog
    Tracked("catalog_category", "Category"),
    Tracked("catalog_product", "Product"),
    Tracked("catalog_variant", "Variant"),
    Tracked("catalog_productimage", "Product image"),
    Tracked("catalog_supplier", "Supplier"),
    Tracked("catalog_supplieritem", "Supplier item"),
    Tracked("catalog_catalogsettings", "Catalog settings"),
    # inventory documents and set-up
    Tracked("inventory_warehouse", "Warehouse"),
    Tracked("inventory_location", "Location"),
    Tracked("inventory_transfer", "Transfer"),
    Tracked("inventory_transferline", "Transfer line"),
    Tracked("inventory_stockcount", "Stock count"),
    Tracked("inventory_stockcountline", "Stock count line"),
    Tracked("inventory_reorderrule", "Reorder rule"),
    # sales
    Tracked("sales_customer", "Customer"),
    Tracked("sales_customercontact", "Customer contact"),
    Tracked("sales_customeraddress", "Customer address"),
    Tracked("sales_pricetier", "Price tier"),
    Tracked("sales_exchangerate", "Exchange rate"),
    Tracked("sales_salesorder", "Sales order"),
    Tracked("sales_salesorderline", "Sales order line"),
    Tracked("sales_shipment", "Shipment"),
    Tracked("sales_invoice", "Invoice"),
    Tracked("sales_invoiceline", "Invoice line"),
    Tracked("sales_payment", "Payment"),
    Tracked("sales_salesreturn", "Sales return"),
    Tracked("sales_salesreturnline", "Sales return line"),
    Tracked("sales_salessettings", "Sales settings"),
    # purchasing
    Tracked("purchasing_purchaseorder", "Purchase order"),
    Tracked("purchasing_purchaseorderline", "Purchase order line"),
    Tracked("purchasing_purchaseordercharge", "Purchase order charge"),
    Tracked("purchasing_supplierreturn", "Supplier return"),
    Tracked("purchasing_supplierreturnline", "Supplier return line"),
    Tracked("purchasing_purchasingsettings", "Purchasing settings"),
    # people and access
    Tracked(
        "accounts_user",
        "User",
        mask=("password",),
        security=("role", "is_active", "is_superuser", "is_staff"),
    ),
    Tracked("accounts_invitation", "Invitation", mask=("token_hash",)),
    Tracked("accounts_apikey", "API key", mask=("key_hash",), security=("scopes", "revoked_at")),
    Tracked("mfa_authenticator", "Two-factor method", mask=("data",)),
    Tracked("auth_group", "Group"),
    Tracked("accounts_user_groups", "User group", security=("group_id",)),
    # settings and integrations
    Tracked("notifications_notificationsettings", "Notification settings"),
    Tracked("notifications_rulesettings", "Alert rule settings"),
    Tracked("notifications_rulecondition", "Alert rule condition"),
    Tracked("notifications_reportschedule", "Scheduled report"),
    Tracked("reports_purchasingbudget", "Purchasing budget"),
    Tracked("integrations_connection", "Integration connection", mask=("credentials_encrypted",)),
    Tracked("api_webhookendpoint", "Webhook endpoint", mask=("secret_encrypted",)),
    Tracked("audit_auditsettings", "Audit settings"),
)

BY_TABLE: dict[str, Tracked] = {t.table: t for t in TRACKED}


def label_for(table: str) -> str:
    tracked = BY_TABLE.get(table)
    return tracked.label if tracked else table.replace("_", " ")
