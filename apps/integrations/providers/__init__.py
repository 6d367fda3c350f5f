"""One module per channel; each offers what it supports:

``sync_products(connection, recorder)``, ``sync_stock(connection, recorder)``,
``webhook_verify(connection, request) -> (event_id, topic)``, ``webhook_handle(connection, event)``.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

MODULES = {
    "shopify": "apps.integrations.providers.shopify",
    "woocommerce": "apps.integrations.providers.woocommerce",
    "stripe": "apps.integrations.providers.stripe",
    "slack": "apps.integrations.providers.slack",
    "twilio": "apps.integrations.providers.twilio",
    "mailchimp": "apps.integrations.providers.mailchimp",
    "amazon": "apps.integrations.providers.amazon",
    "quickbooks": "apps.integrations.providers.quickbooks",
}


def provider_module(provider: str) -> ModuleType:
    try:
        return import_module(MODULES[provider])
    except KeyError:
        raise LookupError(f"Unknown provider {provider!r}") from None
