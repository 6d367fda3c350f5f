"""Rate limits for the expensive or abusable pages the API throttles do not cover: company sign-up
and exports/downloads (login and password reset are limited by allauth's ACCOUNT_RATE_LIMITS).

A fixed window counted in the cache (per company, through django-tenants' key function; Redis
when ``REDIS_URL`` is set so every worker shares it). Rules live in ``settings.SECURITY_RATE_LIMITS``:
``{"name": {"views": regex on the URL name, "methods": [...], "formats": [...], "rate": "N/Ss",
"per": "user" | "ip"}}``; ``formats`` also catches a page asked for ``?format=csv`` and so on.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render


@dataclass(frozen=True)
class Rule:
    name: str
    views: re.Pattern
    methods: frozenset
    formats: frozenset
    limit: int
    window: int
    per: str


def _rules() -> list[Rule]:
    rules = []
    for name, spec in settings.SECURITY_RATE_LIMITS.items():
        limit, window = spec["rate"].split("/")
        rules.append(
            Rule(
                name=name,
                views=re.compile(spec["views"]),
                methods=frozenset(m.upper() for m in spec.get("methods", ["GET", "POST"])),
                formats=frozenset(spec.get("formats", [])),
                limit=int(limit),
                window=int(window.rstrip("s")),
                per=spec.get("per", "user"),
            )
        )
    return rules


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def hit(key: str, *, limit: int, window: int) -> bool:
    """Count one use of ``key``; False once it has been used more than ``limit`` times."""
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit


def _matches(rule: Rule, request, url_name: str) -> bool:
    if request.method not in rule.methods:
        return False
    if rule.views.search(url_name):
        return True
    return bool(rule.formats) and request.GET.get("format", "") in rule.formats


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.rules = _rules()

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        url_name = f"{match.namespace}:{match.url_name}" if match and match.namespace else ""
        url_name = url_name or (match.url_name if match else "") or ""
        for rule in self.rules:
            if not _matches(rule, request, url_name):
                continue
            user = getattr(request, "user", None)
            if rule.per == "user" and user is not None and user.is_authenticated:
                who = f"u{user.pk}"
            else:
                who = "ip" + hashlib.sha256(client_ip(request).encode()).hexdigest()[:16]
            if not hit(f"ratelimit:{rule.name}:{who}", limit=rule.limit, window=rule.window):
                return too_many(request, rule)
        return None


def too_many(request, rule: Rule):
    minutes = max(1, round(rule.window / 60))
    message = (
        f"Too many requests: at most {rule.limit} in {minutes} minute"
        f"{'s' if minutes != 1 else ''}. Please wait a little and try again."
    )
    response = render(request, "core/too_many.html", {"message": message}, status=429)
    response["Retry-After"] = str(rule.window)
    return response
