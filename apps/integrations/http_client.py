"""One HTTP client for every channel API: waits when told to, backs off when the API fails.

- 429: waits ``Retry-After`` seconds (or the backoff when the header is missing), then
  tries again; a wait longer than ``INTEGRATIONS_MAX_WAIT_SECONDS`` gives up instead, so a
  job never sleeps for an hour (the run fails and resumes from its cursor later).
- 5xx and network errors: exponential backoff (base × 2^attempt), up to ``max_attempts``.
- 401/403: ``AuthFailed`` at once (retrying will not help).
- Logs the method, host, path and status only: never headers, query strings or bodies, which
  is where credentials travel.
"""

from __future__ import annotations

import logging
import time
from email.utils import parsedate_to_datetime

import httpx
from django.conf import settings
from django.utils import timezone

from apps.integrations.errors import ApiError, AuthFailed

logger = logging.getLogger(__name__)


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP date (RFC 9110)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - timezone.now()).total_seconds())


class ApiClient:
    def __init__(
        self,
        *,
        base_url: str,
        headers: dict | None = None,
        auth: httpx.Auth | tuple[str, str] | None = None,
        max_attempts: int = 5,
        timeout: float = 20.0,
        label: str = "API",
    ):
        self.label = label
        self.max_attempts = max_attempts
        self.backoff = _setting("INTEGRATIONS_BACKOFF_SECONDS", 1.0)
        self.max_wait = _setting("INTEGRATIONS_MAX_WAIT_SECONDS", 60.0)
        self.waited = 0.0  # total seconds slept on rate limits and backoff (shown on the run)
        self._client = httpx.Client(
            base_url=base_url, headers=headers or {}, auth=auth, timeout=timeout
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _wait(self, seconds: float) -> None:
        self.waited += seconds
        _sleep(seconds)

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        last = ""
        for attempt in range(self.max_attempts):
            try:
                response = self._client.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                last = f"could not reach {self.label} ({exc.__class__.__name__})"
                logger.warning("%s %s %s: %s", self.label, method, path.split("?")[0], last)
                self._wait(self.backoff * 2**attempt)
                continue
            status = response.status_code
            logger.info("%s %s %s -> %s", self.label, method, path.split("?")[0], status)
            if status == 429:
                wait = retry_after_seconds(response.headers.get("Retry-After"))
                wait = self.backoff * 2**attempt if wait is None else wait
                if wait > self.max_wait:
                    raise ApiError(
                        f"{self.label} asked us to wait {int(wait)} seconds (rate limit); "
                        "the sync will try again later.",
                        status=429,
                    )
                last = f"{self.label} rate limit (429)"
                self._wait(wait)
                continue
            if status >= 500:
                last = f"{self.label} server error ({status})"
                self._wait(self.backoff * 2**attempt)
                continue
            if status in (401, 403):
                raise AuthFailed(
                    f"{self.label} refused our credentials ({status}). Reconnect the integration.",
                    status=status,
                )
            if status >= 400:
                raise ApiError(
                    f"{self.label} rejected the request ({status}): {_short(response)}",
                    status=status,
                )
            return response
        raise ApiError(f"Gave up after {self.max_attempts} attempts: {last}.", status=None)

    def get(self, path: str, **kwargs) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs) -> httpx.Response:
        return self.request("PUT", path, **kwargs)


def _short(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(data, dict):
        for key in ("message", "error", "errors"):
            if key in data:
                value = data[key]
                if isinstance(value, dict):
                    value = value.get("message", value)
                return str(value)[:200]
    return str(data)[:200]
