"""The service worker (static/js/sw.js) served from the site root, so its scope is the
whole company site rather than /static/js/. See docs/accessibility.md."""

from __future__ import annotations

from pathlib import Path

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse
from django.views.decorators.http import require_GET


def _source() -> bytes:
    found = finders.find("js/sw.js")
    if found:
        return Path(found).read_bytes()
    with staticfiles_storage.open("js/sw.js") as handle:
        return handle.read()


@require_GET
def service_worker(request):
    response = HttpResponse(_source(), content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
