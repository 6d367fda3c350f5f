"""Webhook subscriptions over HTTP: the same endpoints, delivery log, redeliver and test event
as the Developers → Webhooks pages, through the same services. Owners and managers only
(``api_keys.manage``, as the pages); API keys need the ``webhooks`` scope."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.api.models import WebhookDelivery, WebhookEndpoint
from apps.api.sparse import SparseFieldsMixin
from apps.api.webhooks import services
from apps.api.webhooks.events import EVENTS

MANAGE = "api_keys.manage"


class EndpointSerializer(SparseFieldsMixin, serializers.ModelSerializer):
    url = serializers.URLField(max_length=500)
    events = serializers.MultipleChoiceField(
        choices=list(EVENTS), allow_empty=False, help_text="The events to receive."
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(
        required=False, help_text="Off: nothing is sent. Turning it back on resets the failures."
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id", "url", "description", "events", "is_active", "disabled_reason",
            "consecutive_failures", "created_at",
        ]  # fmt: skip
        read_only_fields = ["disabled_reason", "consecutive_failures", "created_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if "events" in data:
            data["events"] = sorted(data["events"])  # a set in DRF; a stable list for clients
        return data


class EndpointCreatedSerializer(EndpointSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="The signing secret: shown in this answer only. Keep it."
    )

    class Meta(EndpointSerializer.Meta):
        fields = [*EndpointSerializer.Meta.fields, "secret"]


class SecretSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text="Verify `Stockroom-Signature` with it.")


class TestSentSerializer(serializers.Serializer):
    queued = serializers.IntegerField(help_text="1 when the test event was queued; 0 when off.")
    message = serializers.CharField()


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id", "endpoint", "event", "event_id", "state", "attempts", "next_attempt_at",
            "last_status_code", "last_error", "created_at", "delivered_at",
        ]  # fmt: skip


class DeliveryDetailSerializer(DeliverySerializer):
    class Meta(DeliverySerializer.Meta):
        fields = [*DeliverySerializer.Meta.fields, "payload", "last_response"]


STATE_PARAM = OpenApiParameter(
    "state",
    str,
    enum=list(WebhookDelivery.State.values),
    description="Only deliveries in this state.",
)


class WebhookViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Webhook endpoints (addresses subscribed to events), newest first. `DELETE` removes one
    with its delivery log."""

    api_area = "webhooks"
    capabilities = {"read": MANAGE, "write": MANAGE}
    serializer_class = EndpointSerializer
    queryset = WebhookEndpoint.objects.order_by("-created_at", "-pk")
    lookup_value_regex = r"\d+"
    filterset_fields = ["is_active"]
    search_fields = ["url", "description"]
    ordering_fields = ["created_at", "url"]

    @extend_schema(responses={201: EndpointCreatedSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        endpoint = services.webhook_endpoint_create(
            url=d["url"], events=list(d["events"]), description=d.get("description", "")
        )
        if d.get("is_active") is False:
            endpoint = services.webhook_endpoint_update(
                endpoint=endpoint,
                url=endpoint.url,
                events=endpoint.events,
                description=endpoint.description,
                is_active=False,
            )
        response = Response(
            EndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED
        )
        response.holds_secret = True  # apps/api/middleware.py remembers it encrypted
        return response

    def perform_update(self, serializer):
        endpoint = serializer.instance
        d = serializer.validated_data
        serializer.instance = services.webhook_endpoint_update(
            endpoint=endpoint,
            url=d.get("url", endpoint.url),
            events=list(d.get("events", endpoint.events)),
            description=d.get("description", endpoint.description),
            is_active=d.get("is_active", endpoint.is_active),
        )

    def perform_destroy(self, instance):
        services.webhook_endpoint_delete(endpoint=instance)

    @extend_schema(
        parameters=[STATE_PARAM], responses={200: DeliverySerializer(many=True)}, filters=False
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def deliveries(self, request, pk=None):
        """This endpoint's delivery log, newest first (paginated)."""
        endpoint = self.get_object()
        rows = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-pk")
        state = request.query_params.get("state", "")
        if state:
            if state not in WebhookDelivery.State.values:
                raise serializers.ValidationError(
                    {"state": [f"Choose from {', '.join(WebhookDelivery.State.values)}."]}
                )
            rows = rows.filter(state=state)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)

    @extend_schema(request=None, responses={200: SecretSerializer})
    @action(detail=True, methods=["post"])
    def secret(self, request, pk=None):
        """Reveal the signing secret again (a POST: needs the `webhooks:write` scope)."""
        response = Response({"secret": self.get_object().secret})
        response.holds_secret = True
        return response

    @extend_schema(request=None, responses={202: TestSentSerializer})
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        """Send this endpoint a `webhook.test` event now (it appears in its delivery log)."""
        queued = services.webhook_endpoint_test(endpoint=self.get_object())
        message = (
            "Test event queued; it appears in the delivery log within seconds."
            if queued
            else "This webhook is off; turn it on to send."
        )
        return Response({"queued": queued, "message": message}, status=status.HTTP_202_ACCEPTED)


class DeliveryViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One delivery with the payload sent and the receiver's last answer; redeliver it."""

    api_area = "webhooks"
    capabilities = {"read": MANAGE, "write": MANAGE}
    serializer_class = DeliveryDetailSerializer
    queryset = WebhookDelivery.objects.all()
    lookup_value_regex = r"\d+"
    filter_backends: list = []

    @extend_schema(request=None, responses={202: DeliveryDetailSerializer})
    @action(detail=True, methods=["post"])
    def redeliver(self, request, pk=None):
        """Send it again now as a new attempt (the endpoint must be on)."""
        delivery = services.webhook_redeliver(delivery=self.get_object())
        return Response(DeliveryDetailSerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
