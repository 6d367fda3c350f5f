"""Request limits per API key or user (rate from the company's plan) and per IP address;
sign-in attempts have their own, stricter limit. Counters live in the cache, per company."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from rest_framework.throttling import SimpleRateThrottle

from apps.accounts.models import ApiKey


def plan_rate() -> str:
    tenant = getattr(connection, "tenant", None)
    plan = getattr(tenant, "plan", None)
    per_minute = getattr(plan, "api_requests_per_minute", None) or settings.API_DEFAULT_RATE
    return f"{per_minute}/min"


class ClientThrottle(SimpleRateThrottle):
    scope = "client"

    def get_rate(self):
        return plan_rate()

    def allow_request(self, request, view):
        self.rate = self.get_rate()  # the plan can change while the process lives
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiKey):
            ident = f"key{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user{request.user.pk}"
        else:
            ident = f"ip{self.get_ident(request)}"
        return f"throttle_client_{ident}"


class IpThrottle(SimpleRateThrottle):
    scope = "ip"

    def get_rate(self):
        return settings.API_IP_RATE

    def get_cache_key(self, request, view):
        return f"throttle_ip_{self.get_ident(request)}"


class LoginThrottle(SimpleRateThrottle):
    """Per IP and per email, so one address cannot be guessed at from many machines fast."""

    scope = "login"

    def get_rate(self):
        return settings.API_LOGIN_RATE

    def get_cache_key(self, request, view):
        email = str(request.data.get("email", "")).strip().lower()[:200]
        return f"throttle_login_{self.get_ident(request)}_{email}"


class BadKeyThrottle(SimpleRateThrottle):
    """Unknown API keys per IP. DRF authenticates before it throttles, so a request with a
    wrong key is a 401 that no other limit sees; this counts those, and once an address has
    made too many it gets 429 (even with a right key) until the window passes."""

    scope = "bad_key"

    def get_rate(self):
        return settings.API_BAD_KEY_RATE

    def get_cache_key(self, request, view):
        return f"throttle_bad_key_{self.get_ident(request)}"

    def _load(self, request) -> None:
        self.key = self.get_cache_key(request, None)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()

    def refuses(self, request) -> bool:
        self._load(request)
        return len(self.history) >= self.num_requests

    def count_failure(self, request) -> None:
        self._load(request)
        self.throttle_success()  # records this attempt
