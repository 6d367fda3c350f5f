"""The schema class every API view uses (``DEFAULT_SCHEMA_CLASS``).

It documents, once for all operations, what every view would otherwise repeat:
- the error answers each operation can give (400/401/403/404/409/412/422/429), all with the one
  error body ``{"error": {"code", "message", "fields"}}`` and an example each;
- ``?fields=`` on the GETs whose serializer takes sparse fields (apps/api/sparse.py);
- request/response examples of the main write operations, kept by operation id in
  apps/api/examples.py so the views stay thin.
"""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from apps.api.etags import ETagMixin
from apps.api.sparse import PARAM, SparseFieldsMixin


class ShortageSerializer(serializers.Serializer):
    variant = serializers.IntegerField()
    location = serializers.IntegerField()
    requested = serializers.CharField()
    available = serializers.CharField()


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, for programs: `invalid`, `not_found`, …")
    message = serializers.CharField(help_text="For people.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Field name → its problems (empty unless a field is at fault).",
    )
    lines = ShortageSerializer(
        many=True, required=False, help_text="`insufficient_stock` only: what was short."
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


def _error(code: str, message: str, fields: dict | None = None, **extra) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}


ERRORS: dict[str, tuple[str, dict[str, dict]]] = {
    "400": (
        "Invalid input (`fields` names each field at fault) or a business rule refused it.",
        {
            "Validation": _error(
                "invalid",
                "quantity: A valid number is required.",
                {"quantity": ["A valid number is required."]},
            ),
            "Business rule": _error("invalid", "Only a draft order can be confirmed."),
        },
    ),
    "401": (
        "No credentials, or they are wrong, expired or revoked.",
        {"Not authenticated": _error("not_authenticated", "No credentials were given.")},
    ),
    "403": (
        "The role or the API key's scopes do not allow it.",
        {"Scope": _error("permission_denied", "This API key lacks the inventory:write scope.")},
    ),
    "404": (
        "Not found, including anything that belongs to another company.",
        {"Not found": _error("not_found", "No Product matches the given query.")},
    ),
    "409": (
        "Not enough stock (with the lines that are short), or the first request with this "
        "Idempotency-Key is still running.",
        {
            "Insufficient stock": _error(
                "insufficient_stock",
                "Not enough stock of MUG-1 at A-01: 7 available, 50 requested.",
                lines=[{"variant": 12, "location": 3, "requested": "50.000", "available": "7.000"}],
            ),
            "In progress": _error(
                "in_progress", "The first request with this key is still running."
            ),
        },
    ),
    "412": (
        "`If-Match` names an older version: read it again and reapply the change.",
        {
            "Stale": _error(
                "precondition_failed",
                "This was changed since you read it. GET it again and reapply your change.",
            )
        },
    ),
    "422": (
        "This Idempotency-Key was used before with a different body.",
        {
            "Key reused": _error(
                "idempotency_key_reused",
                "This Idempotency-Key was used with a different request. Use a new key.",
            )
        },
    ),
    "429": (
        "Too many requests: wait `Retry-After` seconds.",
        {
            "Throttled": _error(
                "throttled", "Request was throttled. Expected available in 12 seconds."
            )
        },
    ),
}

RETRY_AFTER = {
    "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."},
}


class AutoSchema(openapi.AutoSchema):
    def _takes_sparse_fields(self) -> bool:
        if self.method != "GET":
            return False
        get_class = getattr(self.view, "get_serializer_class", None)
        try:
            serializer_class = get_class() if get_class else None
        except Exception:  # noqa: BLE001 - a view without a serializer takes no fields
            return False
        return isinstance(serializer_class, type) and issubclass(
            serializer_class, SparseFieldsMixin
        )

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self._takes_sparse_fields():
            parameters.append(
                OpenApiParameter(
                    PARAM,
                    OpenApiTypes.STR,
                    description="Comma-separated top-level fields to return (default: all), "
                    "e.g. `id,name`. An unknown field is a 400.",
                )
            )
        return parameters

    def get_examples(self):
        from apps.api.examples import EXAMPLES

        examples = list(super().get_examples())
        names = {e.name for e in examples}
        extra = EXAMPLES.get(self.get_operation_id(), [])
        return examples + [e for e in extra if e.name not in names]

    def error_codes(self) -> list[str]:
        """The error statuses this operation can answer with."""
        writes = self.method in ("POST", "PUT", "PATCH", "DELETE")
        has_path_params = "{" in self.path
        codes = ["401", "403", "429"]
        if self.method != "DELETE":
            codes.append("400")
        if has_path_params:
            codes.append("404")
        if self.method == "POST":
            codes += ["409", "422"]
        if writes and has_path_params and isinstance(self.view, ETagMixin):
            codes.append("412")
        return sorted(codes)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        ref = self.resolve_serializer(ErrorSerializer, direction).ref
        for code in self.error_codes():
            if code in responses:
                continue  # the view documented it itself
            description, examples = ERRORS[code]
            responses[code] = {
                "description": description,
                "content": {
                    "application/json": {
                        "schema": ref,
                        "examples": {
                            name.replace(" ", ""): {"summary": name, "value": value}
                            for name, value in examples.items()
                        },
                    }
                },
            }
            if code == "429":
                responses[code]["headers"] = RETRY_AFTER
        return responses
