from django import template

from apps.accounts.permissions import user_can

register = template.Library()


@register.filter
def can(user, capability: str) -> bool:
    """``{% if user|can:"inventory.adjust" %}``"""
    return user_can(user, capability)
