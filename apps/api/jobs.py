"""``GET /api/jobs/{id}/``: progress and result of a background job of this company."""

from __future__ import annotations

from django.db import connection
from rest_framework import serializers, viewsets

from apps.core.models import JobProgress


class JobSerializer(serializers.ModelSerializer):
    class Meta:
        model = JobProgress
        fields = [
            "id", "label", "state", "percent", "message", "result_url", "error",
            "created_at", "finished_at",
        ]  # fmt: skip


class JobViewSet(viewsets.ReadOnlyModelViewSet):
    """Jobs started in this company (another company's job id answers 404)."""

    serializer_class = JobSerializer
    filter_backends: list = []

    def get_queryset(self):
        # JobProgress lives in the public schema: filter by this company explicitly.
        return JobProgress.objects.filter(schema_name=connection.schema_name).order_by(
            "-created_at"
        )
