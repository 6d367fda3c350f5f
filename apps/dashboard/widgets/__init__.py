"""Every module in this package defines and registers one dashboard widget."""

from __future__ import annotations

import importlib
import pkgutil


def autodiscover() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
