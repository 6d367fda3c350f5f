"""The other company's objects behind every id in a URL, for the isolation sweep.

Each id parameter of a tenant route is mapped to the model the view looks it up in: API viewsets
say it themselves (their queryset or serializer model); function views are listed in
``ROUTE_OBJECTS``. ``foreign_objects_create`` then makes, in the other company's schema, one row
of each of those models whose key is the one the sweep puts in the URL (``FOREIGN_ID``, or
``FOREIGN_UUID`` for uuid keys), filling required fields itself and pointing foreign keys at the
other ``FOREIGN_ID`` rows, so nested routes (``/customers/<pk>/contacts/<contact_pk>/``) find a
child that really belongs to its parent. A 404 in this company then means "isolated", and the
sweep's control (the other company's owner gets something other than 404) proves the URL works.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.apps import apps
from django.db import models
from django.utils import timezone

from tests.security.urlsweep import FOREIGN_ID, FOREIGN_UUID, Route

# Parameters that are not an object's key: registry names, actions, formats, file paths.
NOT_OBJECTS = {
    "action", "entity", "fmt", "format", "key", "kind", "name", "path", "provider", "slug", "what",
    "table",
}  # fmt: skip

# Raw link tokens the other company's rows are made for (only hashes or uuids are stored).
INVITATION_TOKEN = "beta-secret-invitation-token"
FOREIGN_CURRENCY = "XBT"  # the other company's exchange rate (keyed by currency, not id)

# Function views: route name -> {parameter: model}. The view's own get_object_or_404.
ROUTE_OBJECTS: dict[str, dict[str, str]] = {
    "accounts:api_key_action": {"pk": "accounts.ApiKey"},
    "accounts:api_key_usage": {"pk": "accounts.ApiKey"},
    "accounts:change_role": {"pk": "accounts.User"},
    "accounts:set_active": {"pk": "accounts.User"},
    "accounts:invitation_resend": {"pk": "accounts.Invitation"},
    "accounts:invitation_revoke": {"pk": "accounts.Invitation"},
    "accounts:invitation_accept": {"token": "accounts.Invitation"},
    "catalog:product": {"pk": "catalog.Product"},
    "catalog:product_edit": {"pk": "catalog.Product"},
    "catalog:product_archive": {"pk": "catalog.Product"},
    "catalog:product_options": {"pk": "catalog.Product"},
    "catalog:variant_add": {"pk": "catalog.Product"},
    "catalog:variant_edit": {"pk": "catalog.Product", "variant_pk": "catalog.Variant"},
    "catalog:variant_supplier_add": {"pk": "catalog.Product"},
    "catalog:image_upload": {"pk": "catalog.Product"},
    "catalog:image_change": {"pk": "catalog.Product", "image_pk": "catalog.ProductImage"},
    "catalog:image_file": {"pk": "catalog.Product", "image_pk": "catalog.ProductImage"},
    "catalog:category": {"pk": "catalog.Category"},
    "catalog:supplier": {"pk": "catalog.Supplier"},
    "catalog:supplier_edit": {"pk": "catalog.Supplier"},
    "catalog:supplier_item": {"pk": "catalog.Supplier", "item_pk": "catalog.SupplierItem"},
    "inventory:warehouse": {"pk": "inventory.Warehouse"},
    "inventory:reorder_rule_set": {"pk": "inventory.Warehouse"},
    "inventory:reorder_rule_delete": {
        "pk": "inventory.Warehouse",
        "rule_pk": "inventory.ReorderRule",
    },
    "inventory:transfer": {"pk": "inventory.Transfer"},
    "inventory:count": {"pk": "inventory.StockCount"},
    "inventory:count_scan": {"pk": "inventory.StockCount"},
    "inventory:count_line": {"pk": "inventory.StockCount", "line_pk": "inventory.StockCountLine"},
    "inventory:count_review": {"pk": "inventory.StockCount"},
    "inventory:count_post": {"pk": "inventory.StockCount"},
    "inventory:count_cancel": {"pk": "inventory.StockCount"},
    "inventory:count_sheet": {"pk": "inventory.StockCount"},
    "sales:customers:tier_edit": {"pk": "sales.PriceTier"},
    "sales:customers:tier_delete": {"pk": "sales.PriceTier"},
    "sales:customers:detail": {"pk": "sales.Customer"},
    "sales:customers:edit": {"pk": "sales.Customer"},
    "sales:customers:archive": {"pk": "sales.Customer"},
    "sales:customers:erase": {"pk": "sales.Customer"},
    "sales:customers:note_add": {"pk": "sales.Customer"},
    "sales:customers:email": {"pk": "sales.Customer"},
    "sales:customers:contact_new": {"pk": "sales.Customer"},
    "sales:customers:contact_edit": {"pk": "sales.Customer", "contact_pk": "sales.CustomerContact"},
    "sales:customers:address_new": {"pk": "sales.Customer"},
    "sales:customers:address_edit": {"pk": "sales.Customer", "address_pk": "sales.CustomerAddress"},
    "sales:customers:related_delete": {"pk": "sales.Customer", "item_pk": "sales.CustomerContact"},
    "sales:order": {"pk": "sales.SalesOrder"},
    "sales:order_edit": {"pk": "sales.SalesOrder"},
    "sales:order_promise": {"pk": "sales.SalesOrder"},
    "sales:exchange_rate_remove": {"currency": "sales.ExchangeRate"},
    "sales:order_ship": {"pk": "sales.SalesOrder"},
    "sales:order_invoice": {"pk": "sales.SalesOrder"},
    "sales:return_new": {"pk": "sales.SalesOrder"},
    "sales:order_confirm": {"pk": "sales.SalesOrder"},
    "sales:order_action": {"pk": "sales.SalesOrder"},
    "sales:pick_list": {"pk": "sales.PickList"},
    "sales:pick_list_pdf": {"pk": "sales.PickList"},
    "sales:pick_scan": {"pk": "sales.PickList"},
    "sales:packing_slip": {"pk": "sales.Shipment"},
    "sales:shipment_delivered": {"pk": "sales.Shipment"},
    "sales:invoice": {"pk": "sales.Invoice"},
    "sales:invoice_pdf": {"pk": "sales.Invoice"},
    "sales:invoice_payment": {"pk": "sales.Invoice"},
    "sales:credit_note_pdf": {"pk": "sales.SalesReturn"},
    "purchasing:order": {"pk": "purchasing.PurchaseOrder"},
    "purchasing:order_edit": {"pk": "purchasing.PurchaseOrder"},
    "purchasing:order_pdf": {"pk": "purchasing.PurchaseOrder"},
    "purchasing:order_send": {"pk": "purchasing.PurchaseOrder"},
    "purchasing:order_charges": {"pk": "purchasing.PurchaseOrder"},
    "purchasing:order_receive": {"pk": "purchasing.PurchaseOrder"},
    "purchasing:return_new": {"pk": "purchasing.PurchaseOrder"},
    "purchasing:order_confirm": {"pk": "purchasing.PurchaseOrder"},
    "purchasing:order_action": {"pk": "purchasing.PurchaseOrder"},
    "purchasing:return_pdf": {"pk": "purchasing.SupplierReturn"},
    "purchasing:vendor": {"pk": "catalog.Supplier"},
    "purchasing:vendor_pdf": {"pk": "catalog.Supplier"},
    "importexport:batch": {"pk": "importexport.ImportBatch"},
    "importexport:batch_confirm": {"pk": "importexport.ImportBatch"},
    "importexport:batch_recheck": {"pk": "importexport.ImportBatch"},
    "importexport:batch_discard": {"pk": "importexport.ImportBatch"},
    "notifications:open": {"pk": "notifications.Notification"},
    "notifications:schedule_delete": {"pk": "notifications.ReportSchedule"},
    "notifications:schedule_send": {"pk": "notifications.ReportSchedule"},
    "reports:file": {"pk": "reports.ReportFile"},
    "reports:file_download": {"pk": "reports.ReportFile"},
    "forecasting:variant": {"pk": "catalog.Variant"},
    "integrations:invoice_pay_link": {"pk": "sales.Invoice"},
    "integrations:invoice_pay_email": {"pk": "sales.Invoice"},
    "integrations:detail": {"pk": "integrations.Connection"},
    "integrations:locations_save": {"pk": "integrations.Connection"},
    "integrations:sync_start": {"pk": "integrations.Connection"},
    "integrations:run_retry": {"pk": "integrations.Connection", "run_id": "integrations.SyncRun"},
    "integrations:inbox_retry": {
        "pk": "integrations.Connection",
        "event_id": "integrations.InboxEvent",
    },
    "integrations:status_change": {"pk": "integrations.Connection"},
    "integrations:field_map_save": {"pk": "integrations.Connection"},  # on main since branching
    "hooks:receive": {"connection_id": "integrations.Connection"},
    "developers:webhook": {"pk": "api.WebhookEndpoint"},
    "developers:webhook_secret": {"pk": "api.WebhookEndpoint"},
    "developers:webhook_test": {"pk": "api.WebhookEndpoint"},
    "developers:webhook_delete": {"pk": "api.WebhookEndpoint"},
    "developers:redeliver": {"pk": "api.WebhookDelivery"},
    "privacy:export_download": {"token": "privacy.CompanyExport"},
    "privacy:customer_export": {"pk": "sales.Customer"},
    "core:job_status": {"job_id": "core.JobProgress"},
    # The audit timeline of the other company's product (its insert is audited by trigger).
    "audit:record": {"pk": "catalog.Product"},
    # A signed sign-in link made for the other company's user, and a password reset link.
    "tenant_handoff": {"token": "accounts.User"},
    "account_reset_password_from_key": {"uidb36": "accounts.User"},
    "account_confirm_email": {"key": "account.EmailAddress"},
}

# Route values that are not ids but must be right for the view to reach its lookup.
ROUTE_VALUES: dict[str, dict[str, str]] = {
    "sales:order_confirm": {"action": "cancel"},
    "sales:order_action": {"action": "cancel"},
    "purchasing:order_confirm": {"action": "cancel"},
    "purchasing:order_action": {"action": "cancel"},
    "sales:customers:related_delete": {"what": "contact"},
    "audit:record": {"table": "catalog_product"},
    "sales:exchange_rate_remove": {"currency": FOREIGN_CURRENCY},
    "accounts:invitation_accept": {"token": INVITATION_TOKEN},
    "privacy:export_download": {"token": str(FOREIGN_UUID)},
}


def id_params(route: Route) -> list[str]:
    mapped = ROUTE_OBJECTS.get(route.name, {})
    return [param for param in route.params if param not in NOT_OBJECTS or param in mapped]


def route_models(route: Route) -> dict[str, type[models.Model]]:
    """The model behind each id parameter of the route ({} for a parameter nobody mapped)."""
    labels = ROUTE_OBJECTS.get(route.name)
    if labels is not None:
        return {param: apps.get_model(label) for param, label in labels.items()}
    cls = getattr(route.view, "cls", None)  # a DRF viewset's action
    if cls is not None and "pk" in route.params:
        queryset = getattr(cls, "queryset", None)
        if queryset is not None:
            return {"pk": queryset.model}
        serializer = getattr(cls, "serializer_class", None)
        model = getattr(getattr(serializer, "Meta", None), "model", None)
        if model is not None:
            return {"pk": model}
    return {}


def route_values(route_list: list[Route]) -> dict[str, dict[str, str]]:
    """Per-route URL values: uuid keys where the model's key is a uuid, plus ROUTE_VALUES."""
    values = {name: dict(given) for name, given in ROUTE_VALUES.items()}
    for route in route_list:
        for param, model in route_models(route).items():
            if isinstance(model._meta.pk, models.UUIDField):
                values.setdefault(route.name, {}).setdefault(param, str(FOREIGN_UUID))
    return values


def _fill(field: models.Field):
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, models.EmailField):
        return "secret@beta.test"
    if isinstance(field, (models.CharField, models.TextField)):
        text = f"Beta secret {field.name}"
        return text[: field.max_length] if field.max_length else text
    if isinstance(field, models.DecimalField):
        return Decimal("1")
    if isinstance(field, (models.IntegerField, models.FloatField)):
        return 1
    if isinstance(field, models.DateTimeField):
        return timezone.now()
    if isinstance(field, models.DateField):
        return dt.date.today()
    if isinstance(field, models.TimeField):
        return dt.time(9, 0)
    if isinstance(field, models.DurationField):
        return dt.timedelta(days=1)
    if isinstance(field, models.UUIDField):
        return uuid.uuid4()
    if isinstance(field, models.JSONField):
        return {}
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, (models.BinaryField,)):
        return b""
    raise TypeError(f"foreign.py cannot fill {field.model.__name__}.{field.name}")


class ForeignObjects:
    """Rows in the current (other company's) schema keyed FOREIGN_ID / FOREIGN_UUID."""

    def __init__(self, overrides: dict[type[models.Model], dict]):
        """``overrides``: field values per model; a callable value gets this object."""
        self.overrides = overrides
        self.made: dict[type[models.Model], models.Model] = {}

    def get(self, model: type[models.Model]) -> models.Model:
        if model in self.made:
            return self.made[model]
        key = FOREIGN_UUID if isinstance(model._meta.pk, models.UUIDField) else FOREIGN_ID
        existing = model._default_manager.filter(pk=key).first()
        if existing is not None:
            self.made[model] = existing
            return existing
        values = {
            name: value(self) if callable(value) else value
            for name, value in self.overrides.get(model, {}).items()
        }
        for field in model._meta.concrete_fields:
            if field.primary_key or field.name in values or field.attname in values:
                continue
            if field.is_relation:
                if not field.null:
                    values[field.name] = self.get(field.related_model)
                continue
            if field.has_default() or field.null or getattr(field, "auto_now_add", False):
                continue
            if getattr(field, "auto_now", False) or (field.blank and field.empty_strings_allowed):
                continue
            values[field.name] = _fill(field)
        obj = model._default_manager.create(pk=key, **values)
        self.made[model] = obj
        return obj
