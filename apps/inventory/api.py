"""Inventory over HTTP: stock items, adjustments, moves, low stock, warehouses, locations,
transfers. Every write calls the same services as the screens."""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django.db.models import F
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.api.sparse import SparseFieldsMixin
from apps.catalog.models import Variant
from apps.inventory import selectors, transfers, warehousing
from apps.inventory.models import Location, StockLevel, StockMove, Transfer, Warehouse
from apps.inventory.services import MoveLine, stock_moves_post

QTY = {"max_digits": 14, "decimal_places": 3}


class VariantRef(serializers.ModelSerializer):
    class Meta:
        model = Variant
        fields = ["id", "sku"]


class LocationRef(serializers.ModelSerializer):
    warehouse = serializers.CharField(source="warehouse.code")

    class Meta:
        model = Location
        fields = ["id", "code", "warehouse"]


class StockItemSerializer(SparseFieldsMixin, serializers.ModelSerializer):
    variant = VariantRef()
    location = LocationRef()
    available = serializers.DecimalField(source="available_qty", read_only=True, **QTY)

    class Meta:
        model = StockLevel
        fields = ["id", "variant", "location", "on_hand", "reserved", "available", "updated_at"]


class StockItemFilter(django_filters.FilterSet):
    sku = django_filters.CharFilter(field_name="variant__sku")
    warehouse = django_filters.CharFilter(field_name="location__warehouse__code")

    class Meta:
        model = StockLevel
        fields = ["variant", "location", "sku", "warehouse"]


class StockItemViewSet(viewsets.ReadOnlyModelViewSet):
    """Balances per variant and location (`available = on_hand − reserved`)."""

    api_area = "inventory"
    capabilities = {"read": "inventory.view"}
    serializer_class = StockItemSerializer
    filterset_class = StockItemFilter
    search_fields = ["variant__sku", "variant__product__name", "variant__barcode"]
    ordering_fields = ["on_hand", "reserved", "variant__sku", "updated_at"]

    def get_queryset(self):
        return (
            StockLevel.objects.select_related("variant", "location__warehouse")
            .annotate(available_qty=F("on_hand") - F("reserved"))
            .order_by("variant__sku", "location__code", "pk")
        )


class MoveSerializer(SparseFieldsMixin, serializers.ModelSerializer):
    variant = VariantRef()
    location = LocationRef()
    user = serializers.CharField(source="user.email", default=None)
    balance = serializers.DecimalField(read_only=True, **QTY)

    class Meta:
        model = StockMove
        fields = [
            "id", "variant", "location", "quantity", "balance", "unit_cost", "kind", "reason",
            "note", "reference_type", "reference_id", "user", "created_at",
        ]  # fmt: skip


class MoveViewSet(viewsets.ReadOnlyModelViewSet):
    """The ledger, newest first, with the running balance of each (variant, location)."""

    api_area = "inventory"
    capabilities = {"read": "inventory.view"}
    serializer_class = MoveSerializer
    filter_backends: list = []

    def get_queryset(self):
        params = self.request.query_params
        number = lambda name: int(params[name]) if params.get(name, "").isdigit() else None  # noqa: E731
        return selectors.movement_history(
            variant_id=number("variant"),
            location_id=number("location"),
            kind=params.get("kind", ""),
            date_from=params.get("date_from") or None,
            date_to=params.get("date_to") or None,
        )


class AdjustSerializer(serializers.Serializer):
    variant = serializers.PrimaryKeyRelatedField(queryset=Variant.objects.all(), required=False)
    sku = serializers.CharField(required=False, help_text="Instead of `variant`.")
    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.all())
    quantity = serializers.DecimalField(help_text="Signed: +5 found, -2 damaged.", **QTY)
    reason = serializers.ChoiceField(choices=StockMove.Reason.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=255)
    unit_cost = serializers.DecimalField(
        max_digits=14, decimal_places=4, required=False, allow_null=True
    )

    def validate(self, data):
        if not data.get("variant"):
            sku = data.get("sku", "")
            data["variant"] = Variant.objects.filter(sku=sku).first() if sku else None
            if data["variant"] is None:
                raise serializers.ValidationError(
                    {"sku": ["Give an existing `variant` id or `sku`."]}
                )
        if data["quantity"] == 0:
            raise serializers.ValidationError({"quantity": ["Use a quantity other than zero."]})
        return data


class AdjustView(APIView):
    """Adjust stock at one location. 409 with the failing lines when stock is short."""

    api_area = "inventory"
    capabilities = {"write": "inventory.adjust"}

    @extend_schema(
        request=AdjustSerializer, responses={201: MoveSerializer(many=True)}, tags=["inventory"]
    )
    def post(self, request):
        data = AdjustSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        moves = stock_moves_post(
            lines=[MoveLine(d["variant"].pk, d["location"].pk, d["quantity"], d.get("unit_cost"))],
            kind=StockMove.Kind.ADJUSTMENT,
            reason=d["reason"],
            note=d.get("note", ""),
            user=request.user,
        )
        moves = selectors.movement_history().filter(pk__in=[m.pk for m in moves])
        return Response(MoveSerializer(moves, many=True).data, status=status.HTTP_201_CREATED)


class LowStockSerializer(serializers.Serializer):
    """One row per variant's pooled stock (``warehouse`` null) or per warehouse rule."""

    variant = serializers.IntegerField(source="variant_pk")
    sku = serializers.CharField(source="variant_sku")
    product = serializers.CharField(source="product_name")
    warehouse = serializers.IntegerField(source="warehouse_pk", allow_null=True)
    warehouse_code = serializers.CharField(allow_blank=True)
    on_hand = serializers.DecimalField(**QTY)
    reorder_point = serializers.DecimalField(source="point", **QTY)
    suggested_quantity = serializers.DecimalField(source="suggested", **QTY)


class LowStockViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Variants at or below their reorder point, with a suggested order quantity."""

    api_area = "inventory"
    capabilities = {"read": "inventory.view"}
    serializer_class = LowStockSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.low_stock()


class WarehouseSerializer(SparseFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = Warehouse
        fields = ["id", "code", "name", "address", "is_active"]
        read_only_fields = ["is_active"]


class WarehouseViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    api_area = "inventory"
    capabilities = {"read": "inventory.view", "write": "inventory.manage_warehouses"}
    serializer_class = WarehouseSerializer
    queryset = Warehouse.objects.order_by("code")
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]

    def perform_create(self, serializer):
        d = serializer.validated_data
        serializer.instance = warehousing.warehouse_create(
            code=d["code"], name=d["name"], address=d.get("address", "")
        )


class LocationSerializer(SparseFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = ["id", "warehouse", "code", "name", "kind", "parent"]


class LocationViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    api_area = "inventory"
    capabilities = {"read": "inventory.view", "write": "inventory.manage_warehouses"}
    serializer_class = LocationSerializer
    queryset = Location.objects.select_related("warehouse").order_by("warehouse__code", "code")
    filterset_fields = ["warehouse", "kind"]
    search_fields = ["code", "name"]

    def perform_create(self, serializer):
        d = serializer.validated_data
        serializer.instance = warehousing.location_create(
            warehouse=d["warehouse"],
            code=d["code"],
            kind=d.get("kind", Location.Kind.BIN),
            parent=d.get("parent"),
            name=d.get("name", ""),
        )


class TransferLineInput(serializers.Serializer):
    variant = serializers.PrimaryKeyRelatedField(queryset=Variant.objects.all())
    source_location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.all())
    quantity = serializers.DecimalField(**QTY)


class TransferSerializer(SparseFieldsMixin, serializers.ModelSerializer):
    lines = serializers.SerializerMethodField()

    class Meta:
        model = Transfer
        fields = ["id", "number", "source", "destination", "status", "note", "created_at", "lines"]

    def get_lines(self, transfer) -> list[dict]:
        return [
            {
                "id": line.pk,
                "variant": line.variant_id,
                "source_location": line.source_location_id,
                "quantity": str(line.quantity),
                "received_quantity": str(line.received_quantity)
                if line.received_quantity is not None
                else None,
            }
            for line in transfer.lines.all()
        ]


class TransferCreateSerializer(serializers.Serializer):
    source = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.all())
    destination = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.all())
    note = serializers.CharField(required=False, allow_blank=True, max_length=255)
    lines = TransferLineInput(many=True)


class TransferReceiveSerializer(serializers.Serializer):
    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.all())
    received = serializers.DictField(
        child=serializers.DecimalField(**QTY),
        required=False,
        help_text="Line id → quantity that arrived (default: everything shipped).",
    )


class TransferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Draft → shipped (stock in transit) → received → closed; cancellable before shipping."""

    api_area = "inventory"
    capabilities = {"read": "inventory.view", "write": "inventory.transfer"}
    serializer_class = TransferSerializer
    queryset = Transfer.objects.prefetch_related("lines").order_by("-created_at", "-pk")
    filterset_fields = ["status", "source", "destination"]

    @extend_schema(request=TransferCreateSerializer, responses={201: TransferSerializer})
    def create(self, request):
        data = TransferCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        transfer = transfers.transfer_create(
            source=d["source"],
            destination=d["destination"],
            items=[
                transfers.TransferItem(
                    variant_id=line["variant"].pk,
                    source_location_id=line["source_location"].pk,
                    quantity=line["quantity"],
                )
                for line in d["lines"]
            ],
            user=request.user,
            note=d.get("note", ""),
        )
        return Response(self.get_serializer(self._fresh(transfer)).data, status=201)

    @extend_schema(request=None, responses={200: TransferSerializer})
    @action(detail=True, methods=["post"])
    def ship(self, request, pk=None):
        transfer = transfers.transfer_ship(transfer=self.get_object(), user=request.user)
        return Response(self.get_serializer(self._fresh(transfer)).data)

    @extend_schema(request=TransferReceiveSerializer, responses={200: TransferSerializer})
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        transfer = self.get_object()  # another company's id is a 404 before any validation
        data = TransferReceiveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        received = data.validated_data.get("received")
        transfer = transfers.transfer_receive(
            transfer=transfer,
            location=data.validated_data["location"],
            received={int(k): Decimal(v) for k, v in received.items()} if received else None,
            user=request.user,
        )
        return Response(self.get_serializer(self._fresh(transfer)).data)

    @extend_schema(request=None, responses={200: TransferSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        transfer = transfers.transfer_cancel(transfer=self.get_object())
        return Response(self.get_serializer(self._fresh(transfer)).data)

    def _fresh(self, transfer):
        return get_object_or_404(self.get_queryset(), pk=transfer.pk)
