"""Forecasting over HTTP (issue 8): ``POST /api/ml/forecast``, ``/api/ml/optimize``,
``/api/ml/train``. The same services and selectors as the screens."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import ApiKey
from apps.accounts.permissions import user_can
from apps.api.permissions import ApiPermission
from apps.catalog.models import Variant
from apps.forecasting import selectors
from apps.forecasting.errors import ForecastingError
from apps.forecasting.models import Forecast, PolicyResult
from apps.forecasting.optimize import policies_optimize
from apps.forecasting.services import forecast_run_request

QTY = {"max_digits": 14, "decimal_places": 3}
MAX_VARIANTS = 500


class ReadingPost(ApiPermission):
    """For POSTs that only read (stored forecasts, what-if policies): the read scope and
    ``forecasting.view`` suffice; starting a run checks the write scope itself."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if isinstance(request.auth, ApiKey) and not request.auth.allows("forecasting", False):
            self.message = "This API key lacks the forecasting:read scope."
            return False
        if not user_can(user, "forecasting.view"):
            self.message = "Your role does not allow this (needs forecasting.view)."
            return False
        return True


def _variants(ids: list[int]) -> list[Variant]:
    """The variants asked for, in order; any id not of this company answers 404."""
    found = Variant.objects.in_bulk(ids)
    missing = [i for i in ids if i not in found]
    if missing:
        raise exceptions.NotFound(f"No variant with id {', '.join(map(str, missing))}.")
    return [found[i] for i in ids]


class VariantsIn(serializers.Serializer):
    variants = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        min_length=1,
        max_length=MAX_VARIANTS,
    )

    def validate_variants(self, value):
        return list(dict.fromkeys(value))  # drop repeats, keep order


class ForecastDaySerializer(serializers.ModelSerializer):
    forecast = serializers.DecimalField(source="quantity", **QTY)

    class Meta:
        model = Forecast
        fields = ["date", "forecast", "lower_80", "upper_80", "lower_95", "upper_95"]


class PolicySerializer(serializers.ModelSerializer):
    class Meta:
        model = PolicyResult
        fields = [
            "model", "demand_class", "pattern", "metrics", "abc", "xyz", "service_level",
            "lead_time_days", "daily_demand", "safety_stock", "reorder_point", "order_quantity",
            "stock_position", "stockout_date", "stockout_probability",
        ]  # fmt: skip


class VariantForecastSerializer(serializers.Serializer):
    variant = serializers.IntegerField()
    sku = serializers.CharField()
    run = serializers.IntegerField()
    finished_at = serializers.DateTimeField()
    policy = PolicySerializer()
    days = ForecastDaySerializer(many=True)


class ForecastOut(serializers.Serializer):
    status = serializers.ChoiceField(choices=["fresh", "queued"])
    forecasts = VariantForecastSerializer(many=True, required=False)
    job = serializers.UUIDField(required=False)
    job_url = serializers.CharField(required=False)
    run = serializers.IntegerField(required=False)


def _queue(request, variants: list[Variant] | None) -> Response:
    """Queue a run (one product's variants when they share a product, else everything)."""
    one = variants[0] if variants and len({v.product_id for v in variants}) == 1 else None
    try:
        run, job = forecast_run_request(user=request.user, variant=one)
    except ForecastingError as exc:
        raise RunBusy(exc.message) from exc
    body = {
        "status": "queued",
        "job": str(job.pk),
        "job_url": reverse("api:job-detail", args=[job.pk]),
        "run": run.pk,
    }
    return Response(body, status=status.HTTP_202_ACCEPTED)


class RunBusy(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "A forecast run is already queued or running."


class ForecastView(APIView):
    """Forecasts for variants: the stored ones when every variant has a fresh forecast
    (a run finished in the last three days), otherwise a run is queued and its job id
    returned (follow it at ``GET /api/jobs/{id}/``, then ask again)."""

    api_area = "forecasting"
    permission_classes = [ReadingPost]

    @extend_schema(
        request=VariantsIn,
        responses={200: ForecastOut, 202: ForecastOut},
        tags=["forecasting"],
        examples=[OpenApiExample("Two variants", value={"variants": [12, 13]}, request_only=True)],
    )
    def post(self, request):
        data = VariantsIn(data=request.data)
        data.is_valid(raise_exception=True)
        variants = _variants(data.validated_data["variants"])
        runs = selectors.fresh_runs()
        ids = [v.pk for v in variants]
        latest: dict[int, PolicyResult] = {}
        if runs:
            rank = {r.pk: i for i, r in enumerate(runs)}
            for p in PolicyResult.objects.filter(run__in=runs, variant_id__in=ids).select_related(
                "run"
            ):
                if p.variant_id not in latest or rank[p.run_id] < rank[latest[p.variant_id].run_id]:
                    latest[p.variant_id] = p
        if len(latest) < len(ids):
            if isinstance(request.auth, ApiKey) and not request.auth.allows("forecasting", True):
                raise exceptions.PermissionDenied(
                    "No fresh forecast for some variants, and starting a run needs the "
                    "forecasting:write scope."
                )
            if not user_can(request.user, "forecasting.run"):
                raise exceptions.PermissionDenied(
                    "No fresh forecast for some variants, and your role cannot start a run "
                    "(needs forecasting.run)."
                )
            return _queue(request, variants)
        days: dict[tuple[int, int], list[Forecast]] = {}
        for f in Forecast.objects.filter(
            run_id__in={p.run_id for p in latest.values()}, variant_id__in=ids
        ).order_by("date"):
            days.setdefault((f.run_id, f.variant_id), []).append(f)
        rows = [
            {
                "variant": v.pk,
                "sku": v.sku,
                "run": latest[v.pk].run_id,
                "finished_at": latest[v.pk].run.finished_at,
                "policy": latest[v.pk],
                "days": days.get((latest[v.pk].run_id, v.pk), []),
            }
            for v in variants
        ]
        return Response(ForecastOut({"status": "fresh", "forecasts": rows}).data)


class OptimizeIn(VariantsIn):
    service_levels = serializers.DictField(
        child=serializers.FloatField(min_value=0.5, max_value=0.9999),
        required=False,
        help_text='Per ABC class, e.g. {"A": 0.99}; the others keep the company settings.',
    )
    ordering_cost = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False
    )
    holding_rate = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal(1000),
        required=False,
        help_text="Yearly holding cost in percent of unit cost.",
    )
    lead_time_days = serializers.IntegerField(min_value=1, max_value=365, required=False)

    def validate_service_levels(self, value):
        bad = sorted(set(value) - {"A", "B", "C"})
        if bad:
            raise serializers.ValidationError(f"Unknown class {', '.join(bad)}; use A, B or C.")
        return value


class OptimizeRow(serializers.Serializer):
    variant = serializers.IntegerField()
    sku = serializers.CharField()
    run = serializers.IntegerField()
    abc = serializers.CharField()
    xyz = serializers.CharField()
    service_level = serializers.FloatField()
    lead_time_days = serializers.IntegerField()
    daily_demand = serializers.DecimalField(**QTY)
    lead_time_demand = serializers.DecimalField(**QTY)
    safety_stock = serializers.DecimalField(**QTY)
    reorder_point = serializers.DecimalField(**QTY)
    eoq = serializers.DecimalField(**QTY)
    order_quantity = serializers.DecimalField(**QTY)
    order_up_to = serializers.DecimalField(**QTY)


class OptimizeView(APIView):
    """Reorder point, safety stock and EOQ for the given variants from their latest
    forecast, optionally with other service levels, ordering cost, holding rate or lead
    time (what-if; nothing is saved)."""

    api_area = "forecasting"
    permission_classes = [ReadingPost]

    @extend_schema(
        request=OptimizeIn,
        responses={200: OptimizeRow(many=True)},
        tags=["forecasting"],
        examples=[
            OpenApiExample(
                "What if A items were at 99%",
                value={"variants": [12], "service_levels": {"A": 0.99}, "ordering_cost": "40"},
                request_only=True,
            )
        ],
    )
    def post(self, request):
        data = OptimizeIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        variants = _variants(d["variants"])
        rows = policies_optimize(
            variant_ids=[v.pk for v in variants],
            service_levels=d.get("service_levels"),
            ordering_cost=float(d["ordering_cost"]) if "ordering_cost" in d else None,
            holding_rate_percent=float(d["holding_rate"]) if "holding_rate" in d else None,
            lead_time_days=d.get("lead_time_days"),
        )
        return Response(OptimizeRow(rows, many=True).data)


class TrainOut(serializers.Serializer):
    status = serializers.CharField()
    job = serializers.UUIDField()
    job_url = serializers.CharField()
    run = serializers.IntegerField()


class TrainView(APIView):
    """Start a retrain: a whole-catalogue forecast run (model selection by backtest, fit,
    forecast, policies). Follow the job at ``GET /api/jobs/{id}/``."""

    api_area = "forecasting"
    capabilities = {"write": "forecasting.run"}

    @extend_schema(request=None, responses={202: TrainOut}, tags=["forecasting"])
    def post(self, request):
        return _queue(request, None)
