from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError, connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from apps.core.models import JobProgress


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_GET
def job_status(request, job_id):
    """The progress of one job, polled by HTMX every second until it is done.

    Only jobs of the schema the request is routed to are visible; the job id itself
    is an unguessable UUID handed only to the page that started the job.
    """
    job = JobProgress.objects.filter(pk=job_id, schema_name=request.tenant.schema_name).first()
    if job is None:
        raise Http404("No such job")
    if job.state == JobProgress.State.SUCCEEDED and job.result_url and request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = job.result_url
        return response
    return render(request, "core/job_status.html", {"job": job})


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", {"reason": str(exception or "")}, status=403)


# How long a client should wait before trying again while the database is away (seconds).
DATABASE_RETRY_AFTER = 5


def server_error(request):
    """The 500 handler; a database that cannot be reached (restarting, failing over) is a 503.

    Django calls this inside its ``except`` block, so ``sys.exc_info()`` is the error, wherever
    it was raised (a view, or a middleware such as the tenant lookup). Nothing here may touch
    the database: both pages are self-contained templates rendered without a request context.
    """
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        busy = getattr(error.__cause__, "sqlstate", None) in BUSY_SQLSTATES
        return database_unavailable(request, busy=busy)
    return render(request, "errors/500.html", status=500)


# Transient refusals from a database that is up: a deadlock or serialization failure (the
# other transaction won) and a statement cancelled by its timeout.
BUSY_SQLSTATES = {"40P01", "40001", "57014"}


def database_unavailable(request, *, busy: bool = False):
    if busy:
        message = "Stockroom was too busy to finish that just now. Please try again in a moment."
    else:
        message = "Stockroom cannot reach its database right now. Please try again in a moment."
    if request.path.startswith("/api/"):
        from apps.api.exceptions import error_body

        response = JsonResponse(error_body("database_unavailable", message), status=503)
    else:
        response = HttpResponse(
            render_to_string("errors/503.html", {"message": message}), status=503
        )
    response["Retry-After"] = str(DATABASE_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response
