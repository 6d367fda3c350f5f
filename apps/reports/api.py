"""``GET /api/reports/{name}/?format=json|csv|xlsx|pdf`` — any report over the API.

Parameters are the report's own (the same names as on its page, e.g. ``period``,
``date_from``, ``date_to``, ``warehouse``) plus ``sort``. JSON is paginated
(``limit``/``offset``) with the columns and the totals of all rows; the files are the same
as the page's downloads (CSV streamed) and need the export permission.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import user_can
from apps.api.pagination import Pagination
from apps.reports.base import Result
from apps.reports.params import params_text
from apps.reports.registry import REPORTS, report_get
from apps.reports.renderers import files

FORMATS = ("json", "csv", "xlsx", "pdf")


def _json_value(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


class ReportView(APIView):
    """Run one report; see ``GET /api/reports/`` for their names."""

    api_area = "reports"
    capabilities = {"read": "reports.view"}

    def perform_content_negotiation(self, request, force=False):
        # ``format`` picks the report's file type, not a DRF renderer: errors stay JSON.
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    @extend_schema(
        tags=["reports"],
        parameters=[
            OpenApiParameter("format", OpenApiTypes.STR, enum=list(FORMATS), default="json"),
            OpenApiParameter("sort", OpenApiTypes.STR, description="A column key; '-' for descending"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )  # fmt: skip
    def get(self, request, name: str):
        definition = report_get(name)
        if definition is None:
            raise exceptions.NotFound(f"There is no report called {name!r}.")
        if not user_can(request.user, definition.capability):
            raise exceptions.PermissionDenied("Your role cannot see this report.")
        fmt = request.query_params.get("format", "json") or "json"
        if fmt not in FORMATS:
            raise exceptions.ValidationError({"format": [f"Use one of {', '.join(FORMATS)}."]})
        form = definition.form(request.query_params)
        if not form.is_valid():
            errors = {k: [str(e) for e in v] for k, v in form.errors.items()}
            raise exceptions.ValidationError(errors)
        result = Result(definition, form.cleaned_data, request.query_params.get("sort", ""))
        if fmt != "json":
            if not user_can(request.user, "reports.export"):
                raise exceptions.PermissionDenied("Your role can see reports but not export them.")
            if fmt == "csv":
                return files.render_csv(result)
            if fmt == "xlsx":
                return files.render_xlsx(result)
            return files.render_pdf_response(result, request=request, params_text=params_text(form))
        paginator = Pagination()
        rows = result.rows
        page = paginator.paginate_queryset(rows, request, view=self)
        response = paginator.get_paginated_response(
            [{k: _json_value(v) for k, v in row.items()} for row in page]
        )
        response.data["report"] = definition.slug
        response.data["title"] = definition.title
        response.data["columns"] = [
            {"key": c.key, "label": c.label, "kind": c.kind} for c in definition.columns
        ]
        response.data["totals"] = {k: _json_value(v) for k, v in result.totals.items()}
        return response


class ReportListView(APIView):
    """The reports this user may run, with their parameters."""

    api_area = "reports"
    capabilities = {"read": "reports.view"}

    @extend_schema(
        tags=["reports"], operation_id="reports_list", responses={200: OpenApiTypes.OBJECT}
    )
    def get(self, request):
        results = []
        for slug, definition in sorted(REPORTS.items()):
            if not user_can(request.user, definition.capability):
                continue
            results.append(
                {
                    "name": slug,
                    "title": definition.title,
                    "group": definition.group,
                    "parameters": list(definition.form_class.base_fields),
                }
            )
        return Response({"results": results})
