"""Purchase orders over HTTP: list, read, draft, edit, submit, approve, reject, cancel and
receive. Every write calls the same services as the screens (approval rules included)."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.api.etags import ETagMixin, etag_of
from apps.api.sparse import SparseFieldsMixin
from apps.catalog.models import Supplier, Variant
from apps.inventory.models import Location, Warehouse
from apps.purchasing import receiving, services
from apps.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderCharge,
    PurchaseOrderLine,
    ReceiptLine,
)

QTY = {"max_digits": 14, "decimal_places": 3}
MONEY = {"max_digits": 14, "decimal_places": 2}
COST = {"max_digits": 14, "decimal_places": 4}


class LineSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="variant.sku", read_only=True)

    class Meta:
        model = PurchaseOrderLine
        fields = [
            "id", "variant", "sku", "supplier_sku", "quantity", "pack_size", "unit_cost",
            "tax_rate", "received_quantity", "rejected_quantity",
        ]  # fmt: skip


class ChargeSerializer(serializers.ModelSerializer):
    class Meta:
        model = PurchaseOrderCharge
        fields = ["id", "kind", "description", "amount", "allocation", "receipt"]


class PurchaseOrderSerializer(SparseFieldsMixin, serializers.ModelSerializer):
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)
    lines = LineSerializer(many=True, read_only=True)
    charges = ChargeSerializer(many=True, read_only=True)

    class Meta:
        model = PurchaseOrder
        fields = [
            "id", "number", "status", "supplier", "supplier_name", "warehouse", "warehouse_code",
            "currency", "exchange_rate", "order_date", "expected_date", "notes", "subtotal",
            "tax_total", "charges_total", "total", "created_at", "updated_at", "submitted_at",
            "approved_at", "sent_at", "received_at", "lines", "charges",
        ]  # fmt: skip


class LineInput(serializers.Serializer):
    variant = serializers.PrimaryKeyRelatedField(queryset=Variant.objects.all())
    quantity = serializers.DecimalField(**QTY)
    unit_cost = serializers.DecimalField(
        required=False, allow_null=True, help_text="Default: the supplier item's cost.", **COST
    )
    tax_rate = serializers.DecimalField(
        max_digits=6, decimal_places=3, required=False, help_text="Percent, e.g. 20."
    )


class ChargeInput(serializers.Serializer):
    amount = serializers.DecimalField(**MONEY)
    kind = serializers.ChoiceField(
        choices=PurchaseOrderCharge.Kind.choices, default=PurchaseOrderCharge.Kind.FREIGHT
    )
    allocation = serializers.ChoiceField(
        choices=PurchaseOrderCharge.Allocation.choices,
        default=PurchaseOrderCharge.Allocation.VALUE,
    )
    description = serializers.CharField(required=False, allow_blank=True, max_length=200)


class OrderWrite(serializers.Serializer):
    supplier = serializers.PrimaryKeyRelatedField(queryset=Supplier.objects.all())
    warehouse = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.all())
    lines = LineInput(many=True, allow_empty=False)
    charges = ChargeInput(many=True, required=False)
    currency = serializers.CharField(required=False, allow_blank=True, max_length=3)
    exchange_rate = serializers.DecimalField(
        max_digits=14, decimal_places=6, required=False, allow_null=True
    )
    expected_date = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True)


class OrderUpdate(OrderWrite):
    supplier = None
    warehouse = None


class CommentInput(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class ReceiveItemInput(serializers.Serializer):
    line = serializers.IntegerField(help_text="Purchase order line id.")
    quantity = serializers.DecimalField(default=0, help_text="Accepted into stock.", **QTY)
    rejected = serializers.DecimalField(default=0, **QTY)
    reject_reason = serializers.ChoiceField(
        choices=ReceiptLine.RejectReason.choices, required=False, allow_blank=True
    )
    lot = serializers.CharField(
        required=False, allow_blank=True, max_length=64, help_text="Required if lot-tracked."
    )
    expiry = serializers.DateField(
        required=False, allow_null=True, help_text="The lot's expiry; required if lot-tracked."
    )
    serials = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        max_length=10000,
        help_text="Serial-tracked: one serial number per unit accepted.",
    )


class ReceiveInput(serializers.Serializer):
    location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(), help_text="A location of the order's warehouse."
    )
    items = ReceiveItemInput(many=True, allow_empty=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=255)


def _comment(request) -> str:
    data = CommentInput(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data.get("comment", "")


def _lines(data) -> list[services.LineInput]:
    return [
        services.LineInput(
            variant_id=line["variant"].pk,
            quantity=line["quantity"],
            unit_cost=line.get("unit_cost"),
            **({"tax_rate": line["tax_rate"]} if line.get("tax_rate") is not None else {}),
        )
        for line in data["lines"]
    ]


def _charges(data) -> list[services.ChargeInput]:
    return [
        services.ChargeInput(
            amount=c["amount"],
            kind=c["kind"],
            allocation=c["allocation"],
            description=c.get("description", ""),
        )
        for c in data.get("charges", [])
    ]


class PurchaseOrderViewSet(
    ETagMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Draft → (awaiting approval →) approved → sent → partially received → received → closed;
    also cancelled and rejected. Orders above the company's approval threshold wait for a
    manager or owner on submit."""

    api_area = "purchasing"
    capabilities = {
        "read": "purchasing.view",
        "write": "purchasing.edit",
        "approve": "purchasing.approve",
        "reject": "purchasing.approve",
        "receive": "purchasing.receive",
    }
    serializer_class = PurchaseOrderSerializer
    filterset_fields = ["status", "supplier", "warehouse"]
    search_fields = ["number", "supplier__name", "notes"]
    ordering_fields = ["created_at", "number", "total", "expected_date"]

    def get_queryset(self):
        return PurchaseOrder.objects.select_related("supplier", "warehouse").prefetch_related(
            Prefetch("lines", PurchaseOrderLine.objects.select_related("variant").order_by("pk")),
            Prefetch("charges", PurchaseOrderCharge.objects.order_by("pk")),
        )

    def _out(self, order, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=order.pk)
        response = Response(self.get_serializer(fresh).data, status=code)
        response["ETag"] = etag_of(fresh, self.etag_field)
        return response

    @extend_schema(request=OrderWrite, responses={201: PurchaseOrderSerializer})
    def create(self, request):
        data = OrderWrite(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        order = services.purchase_order_create(
            supplier=d["supplier"],
            warehouse=d["warehouse"],
            lines=_lines(d),
            charges=_charges(d),
            currency=d.get("currency", ""),
            exchange_rate=d.get("exchange_rate"),
            expected_date=d.get("expected_date"),
            notes=d.get("notes", ""),
            user=request.user,
        )
        return self._out(order, status.HTTP_201_CREATED)

    @extend_schema(request=OrderUpdate, responses={200: PurchaseOrderSerializer})
    def update(self, request, pk=None):
        """Replace lines and charges (send `If-Match` with the ETag you read). An approved
        order goes back through approval."""
        order = self.get_object()
        self.check_if_match(order)
        data = OrderUpdate(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        order = services.purchase_order_update(
            order=order,
            lines=_lines(d),
            charges=_charges(d),
            expected_date=d.get("expected_date"),
            notes=d.get("notes"),
            exchange_rate=d.get("exchange_rate"),
            user=request.user,
        )
        return self._out(order)

    @extend_schema(request=None, responses={200: PurchaseOrderSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send a draft for approval (or approve it at once when the rule does not need it)."""
        return self._out(services.purchase_order_submit(order=self.get_object(), user=request.user))

    @extend_schema(request=CommentInput, responses={200: PurchaseOrderSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        order = services.purchase_order_approve(
            order=self.get_object(), user=request.user, comment=_comment(request)
        )
        return self._out(order)

    @extend_schema(request=CommentInput, responses={200: PurchaseOrderSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        order = services.purchase_order_reject(
            order=self.get_object(), user=request.user, comment=_comment(request)
        )
        return self._out(order)

    @extend_schema(request=CommentInput, responses={200: PurchaseOrderSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        order = services.purchase_order_cancel(
            order=self.get_object(), user=request.user, reason=_comment(request)
        )
        return self._out(order)

    @extend_schema(request=ReceiveInput, responses={200: PurchaseOrderSerializer})
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        """Accept (and reject, with a reason) quantities per line; receipt moves update stock,
        moving-average cost and FIFO layers at the line's landed cost."""
        order = self.get_object()
        data = ReceiveInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        receiving.purchase_order_receive(
            order=order,
            location=d["location"],
            items=[
                receiving.ReceiveItem(
                    line_id=item["line"],
                    quantity=item["quantity"],
                    rejected=item["rejected"],
                    reject_reason=item.get("reject_reason", ""),
                    lot=item.get("lot", ""),
                    expiry=item.get("expiry"),
                    serials=tuple(item.get("serials", ())),
                )
                for item in d["items"]
            ],
            user=request.user,
            note=d.get("note", ""),
        )
        return self._out(order)
