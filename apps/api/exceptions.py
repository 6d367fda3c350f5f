"""One error body for every failure: ``{"error": {"code", "message", "fields"}}``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from apps.core.errors import DomainError


def _flatten(detail) -> str:
    if isinstance(detail, list):
        return " ".join(_flatten(d) for d in detail)
    if isinstance(detail, dict):
        return " ".join(f"{k}: {_flatten(v)}" for k, v in detail.items())
    return str(detail)


def _fields(detail) -> dict:
    if not isinstance(detail, dict):
        return {}
    return {
        key: [str(v) for v in value] if isinstance(value, list) else [_flatten(value)]
        for key, value in detail.items()
        if key != "non_field_errors"
    }


def error_body(code: str, message: str, fields: dict | None = None, **extra) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}


def handler(exc, context):
    from apps.inventory.services import InsufficientStock

    if isinstance(exc, InsufficientStock):
        lines = [
            {
                "variant": s.variant_id,
                "location": s.location_id,
                "requested": str(s.requested),
                "available": str(s.available),
            }
            for s in exc.shortages
        ]
        return Response(
            error_body("insufficient_stock", exc.message, lines=lines),
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DomainError):
        fields = {exc.field: [exc.message]} if exc.field else {}
        return Response(error_body("invalid", exc.message, fields), status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    if response is None:
        return None  # a real bug: Django's 500 handling (and logging) takes over
    if isinstance(exc, exceptions.ValidationError):
        fields = _fields(exc.detail)
        message = (
            _flatten(exc.detail.get("non_field_errors"))
            if isinstance(exc.detail, dict) and exc.detail.get("non_field_errors")
            else "; ".join(f"{name}: {errors[0]}" for name, errors in fields.items())
            if fields
            else _flatten(exc.detail)
        )
        response.data = error_body("invalid", message, fields)
    else:
        code = getattr(exc, "default_code", "error")
        if isinstance(exc, exceptions.APIException):
            codes = exc.get_codes()
            code = codes if isinstance(codes, str) else code
        response.data = error_body(code, _flatten(getattr(exc, "detail", str(exc))))
    return response
