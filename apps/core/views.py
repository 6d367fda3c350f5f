from __future__ import annotations

from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
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


def server_error(request):
    return render(request, "errors/500.html", status=500)
