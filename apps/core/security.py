"""Security headers every response carries (docs/security.md).

Django's ``SecurityMiddleware`` already sends HSTS (production), ``X-Content-Type-Options`` and
``Referrer-Policy``; this adds what it does not: a Content-Security-Policy that allows scripts only
from our own origin (no inline script, no eval — pages use data attributes that
``static/js/app.js`` reads), a Permissions-Policy that turns off browser features we never use,
and ``Cross-Origin-Opener-Policy``. Downloads and media are served so a browser never renders
them as a page of our origin: anything that is not a known-safe image or document type gets
``Content-Disposition: attachment`` and a sandboxing CSP of its own.
"""

from __future__ import annotations

from django.conf import settings

# Content types a browser may show inline (it cannot run script from them).
INLINE_SAFE_TYPES = (
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/csv",
)
FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def csp_header_value() -> str:
    policy = settings.CONTENT_SECURITY_POLICY
    return "; ".join(f"{name} {' '.join(sources)}".strip() for name, sources in policy.items())


def _is_file(request, response) -> bool:
    if getattr(response, "streaming", False) and hasattr(response, "file_to_stream"):
        return True
    media = settings.MEDIA_URL
    return bool(media) and request.path.startswith(media)


def harden_file_response(response) -> None:
    """A served file: never sniffed, never run as a page of our origin."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    content_type = (response.get("Content-Type") or "").split(";")[0].strip().lower()
    if content_type not in INLINE_SAFE_TYPES:
        disposition = response.get("Content-Disposition", "")
        if not disposition.startswith("attachment"):
            response["Content-Disposition"] = "attachment"
        if content_type in ("text/html", "image/svg+xml", "application/xhtml+xml", "text/xml"):
            response["Content-Type"] = "application/octet-stream"


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = csp_header_value()
        self.permissions = settings.PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if _is_file(request, response):
            harden_file_response(response)
        else:
            response.setdefault("Content-Security-Policy", self.csp)
        response.setdefault("Permissions-Policy", self.permissions)
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.setdefault("X-Content-Type-Options", "nosniff")
        return response
