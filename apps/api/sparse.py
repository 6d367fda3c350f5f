"""Sparse fields: ``GET /api/products/?fields=id,name,variants`` answers only those top-level
fields of each object (a script that needs two columns of a large list should not pay for the
rest). A name the resource does not have is a 400 with the usual error body, so a typo never
silently returns less than the caller thinks."""

from __future__ import annotations

from rest_framework import serializers

PARAM = "fields"


def wanted_fields(request) -> list[str] | None:
    """The names asked for, in order, or None when the request does not ask (or is a write:
    a write's answer is always the whole object)."""
    if request is None or request.method not in ("GET", "HEAD"):
        return None
    raw = request.query_params.get(PARAM)
    if raw is None:
        return None
    return [name.strip() for name in raw.split(",") if name.strip()]


class SparseFieldsMixin:
    """Serializer mixin: keep only the fields named in ``?fields=`` (top level only; nested
    objects stay whole)."""

    def _is_top_level(self) -> bool:
        parent = getattr(self, "parent", None)
        if isinstance(parent, serializers.ListSerializer):
            parent = parent.parent
        return parent is None

    def get_fields(self):
        fields = super().get_fields()
        if not self._is_top_level():
            return fields
        wanted = wanted_fields(self.context.get("request"))
        if wanted is None:
            return fields
        readable = [name for name, field in fields.items() if not field.write_only]
        unknown = [name for name in wanted if name not in readable]
        if unknown or not wanted:
            problem = f"Unknown field: {', '.join(unknown)}." if unknown else "Name a field."
            raise serializers.ValidationError(
                {PARAM: [f"{problem} Choose from {', '.join(readable)}."]}
            )
        return {name: field for name, field in fields.items() if name in wanted}
