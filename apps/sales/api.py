"""Sales over HTTP: orders (list, read, create, confirm, fulfil, cancel) and customers
(read). Every write calls the same services as the screens; a refusal is a 400 with the
service's message, a stock shortage a 409."""

from __future__ import annotations

from django.db.models import Count, Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.api.etags import ETagMixin
from apps.api.sparse import SparseFieldsMixin
from apps.catalog.models import Variant
from apps.inventory.models import Warehouse
from apps.sales import selectors, services
from apps.sales.carriers import CARRIERS
from apps.sales.models import Customer, SalesOrder, SalesOrderLine, Shipment
from apps.sales.shipping import ShipItem, shipment_create

QTY = {"max_digits": 14, "decimal_places": 3}
MONEY = {"max_digits": 14, "decimal_places": 2}


class CustomerRef(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "name"]


class OrderLineSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="variant.sku", read_only=True)
    backordered_quantity = serializers.DecimalField(read_only=True, **QTY)

    class Meta:
        model = SalesOrderLine
        fields = [
            "id", "variant", "sku", "description", "quantity", "unit_price", "price_overridden",
            "discount_percent", "tax_rate", "line_subtotal", "discount_amount", "tax_amount",
            "line_total", "allocated_quantity", "backordered_quantity", "shipped_quantity",
            "invoiced_quantity", "returned_quantity",
        ]  # fmt: skip


class ShipmentSerializer(serializers.ModelSerializer):
    tracking_url = serializers.CharField(read_only=True)
    warehouse = serializers.CharField(source="warehouse.code", read_only=True)

    class Meta:
        model = Shipment
        fields = [
            "id", "number", "warehouse", "carrier", "service", "tracking_number", "tracking_url",
            "weight_kg", "packages", "shipped_at", "delivered_at",
        ]  # fmt: skip


class OrderSerializer(SparseFieldsMixin, serializers.ModelSerializer):
    customer = CustomerRef(read_only=True)
    warehouse = serializers.CharField(source="warehouse.code", default=None, read_only=True)
    lines = OrderLineSerializer(many=True, read_only=True)
    shipments = ShipmentSerializer(many=True, read_only=True)

    class Meta:
        model = SalesOrder
        fields = [
            "id", "number", "status", "customer", "channel", "warehouse", "currency",
            "exchange_rate", "order_date", "promised_date", "customer_reference", "shipping_address", "notes", "subtotal",
            "discount_total", "tax_total", "total", "created_at", "updated_at", "confirmed_at",
            "shipped_at", "delivered_at", "cancelled_at", "lines", "shipments",
        ]  # fmt: skip


class OrderLineInput(serializers.Serializer):
    variant = serializers.PrimaryKeyRelatedField(queryset=Variant.objects.all(), required=False)
    sku = serializers.CharField(required=False, help_text="Instead of `variant`.")
    quantity = serializers.DecimalField(**QTY)
    unit_price = serializers.DecimalField(
        required=False, allow_null=True, help_text="Managers only; default: tier price.", **MONEY
    )
    discount_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, default=0
    )
    tax_rate = serializers.DecimalField(
        max_digits=6, decimal_places=3, required=False, allow_null=True
    )

    def validate(self, data):
        if not data.get("variant"):
            sku = data.get("sku", "")
            data["variant"] = Variant.objects.filter(sku__iexact=sku).first() if sku else None
            if data["variant"] is None:
                raise serializers.ValidationError(
                    {"sku": ["Give an existing `variant` id or `sku`."]}
                )
        return data


class OrderCreateSerializer(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    warehouse = serializers.PrimaryKeyRelatedField(
        queryset=Warehouse.objects.all(), required=False, allow_null=True
    )
    channel = serializers.ChoiceField(choices=SalesOrder.Channel.choices, default="api")
    customer_reference = serializers.CharField(required=False, allow_blank=True, max_length=60)
    promised_date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Promised to ship on or before; default: today + the handling days.",
    )
    exchange_rate = serializers.DecimalField(
        max_digits=14,
        decimal_places=6,
        required=False,
        allow_null=True,
        help_text="Company currency per one unit of the customer's currency; default: the "
        "company's current rate. Ignored for orders in the company's currency.",
    )
    shipping_address = serializers.CharField(required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    confirm = serializers.BooleanField(default=False, help_text="Confirm (reserve) right away.")
    lines = OrderLineInput(many=True, allow_empty=False)


class SalesOrderUpdateSerializer(serializers.Serializer):
    warehouse = serializers.PrimaryKeyRelatedField(
        queryset=Warehouse.objects.all(), required=False, allow_null=True
    )
    customer_reference = serializers.CharField(required=False, allow_blank=True, max_length=60)
    shipping_address = serializers.CharField(required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    lines = OrderLineInput(many=True, allow_empty=False, help_text="Replace every line.")


def _line_inputs(lines) -> list:
    return [
        services.LineInput(
            variant_id=line["variant"].pk,
            quantity=line["quantity"],
            unit_price=line.get("unit_price"),
            discount_percent=line.get("discount_percent") or 0,
            tax_rate=line.get("tax_rate"),
        )
        for line in lines
    ]


class FulfilLineInput(serializers.Serializer):
    line = serializers.IntegerField()
    quantity = serializers.DecimalField(**QTY)


class FulfilSerializer(serializers.Serializer):
    carrier = serializers.ChoiceField(choices=list(CARRIERS), required=False, allow_blank=True)
    service = serializers.CharField(required=False, allow_blank=True, max_length=60)
    tracking_number = serializers.CharField(required=False, allow_blank=True, max_length=80)
    weight_kg = serializers.DecimalField(
        max_digits=10, decimal_places=3, required=False, allow_null=True, min_value=0
    )
    packages = serializers.IntegerField(required=False, default=1, min_value=1)
    warehouse = serializers.PrimaryKeyRelatedField(
        queryset=Warehouse.objects.all(), required=False, allow_null=True
    )
    lines = FulfilLineInput(
        many=True, required=False, help_text="Default: everything reserved in the warehouse."
    )


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class OrderViewSet(
    ETagMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Sales orders, newest first. Filter with `status` (or `open`, `backordered`),
    `customer`, `warehouse`, `channel`, `date_from`, `date_to`; `search` matches the number,
    customer, SKU or tracking number."""

    api_area = "sales"
    capabilities = {
        "read": "sales.view",
        "create": "sales.edit",
        "update": "sales.edit",
        "confirm": "sales.edit",
        "cancel": "sales.edit",
        "fulfill": "sales.ship",
    }
    serializer_class = OrderSerializer
    filter_backends: list = []

    def get_queryset(self):
        params = self.request.query_params
        number = lambda name: int(params[name]) if params.get(name, "").isdigit() else None  # noqa: E731
        from datetime import date

        def day(name):
            try:
                return date.fromisoformat(params.get(name, ""))
            except ValueError:
                return None

        qs = selectors.sales_orders(
            search=params.get("search", "").strip()[:100],
            status=params.get("status", ""),
            customer_id=number("customer"),
            warehouse_id=number("warehouse"),
            channel=params.get("channel", ""),
            date_from=day("date_from"),
            date_to=day("date_to"),
            sort=params.get("ordering", "-ordered"),
        )
        return qs.prefetch_related(
            Prefetch("lines", queryset=SalesOrderLine.objects.select_related("variant")),
            Prefetch("shipments", queryset=Shipment.objects.select_related("warehouse")),
        )

    def _respond(self, order, status=200):
        order = (
            SalesOrder.objects.select_related("customer", "warehouse")
            .prefetch_related(
                Prefetch("lines", queryset=SalesOrderLine.objects.select_related("variant")),
                Prefetch("shipments", queryset=Shipment.objects.select_related("warehouse")),
            )
            .get(pk=order.pk)
        )
        self._etag_instance = order
        return Response(OrderSerializer(order).data, status=status)

    @extend_schema(request=OrderCreateSerializer, responses={201: OrderSerializer})
    def create(self, request):
        data = OrderCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        order = services.sales_order_create(
            customer=d["customer"],
            warehouse=d.get("warehouse"),
            channel=d["channel"],
            customer_reference=d.get("customer_reference", ""),
            shipping_address=d.get("shipping_address") or None,
            promised_date=d.get("promised_date"),
            exchange_rate=d.get("exchange_rate"),
            notes=d.get("notes", ""),
            user=request.user,
            lines=_line_inputs(d["lines"]),
        )
        if d["confirm"]:
            order = services.sales_order_confirm(order=order, user=request.user)
        return self._respond(order, status=201)

    @extend_schema(request=SalesOrderUpdateSerializer, responses={200: OrderSerializer})
    def update(self, request, pk=None):
        """Edit a draft: replace its lines (and the fields sent). Send `If-Match` with the
        ETag you read; a stale one is a 412 and changes nothing."""
        order = self.get_object()
        self.check_if_match(order)
        data = SalesOrderUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        order = services.sales_order_update(
            order=order,
            lines=_line_inputs(d["lines"]),
            user=request.user,
            # False clears the warehouse; None (not sent) keeps it.
            warehouse=(d["warehouse"] or False) if "warehouse" in d else None,
            customer_reference=d.get("customer_reference"),
            notes=d.get("notes"),
            shipping_address=d.get("shipping_address"),
        )
        return self._respond(order)

    @extend_schema(request=None, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        order = self.get_object()
        self.check_if_match(order)
        return self._respond(services.sales_order_confirm(order=order, user=request.user))

    @extend_schema(request=FulfilSerializer, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def fulfill(self, request, pk=None):
        """Ship: consume the reservations and write shipment moves (partial when `lines`
        ship less than reserved)."""
        order = self.get_object()
        self.check_if_match(order)
        data = FulfilSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        lines = d.get("lines")
        shipment_create(
            order=order,
            items=[ShipItem(line["line"], line["quantity"]) for line in lines] if lines else None,
            warehouse_id=d["warehouse"].pk if d.get("warehouse") else None,
            carrier=d.get("carrier", ""),
            service=d.get("service", ""),
            tracking_number=d.get("tracking_number", ""),
            weight_kg=d.get("weight_kg"),
            packages=d.get("packages", 1),
            user=request.user,
        )
        return self._respond(order)

    @extend_schema(request=CancelSerializer, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        order = self.get_object()
        self.check_if_match(order)
        data = CancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            services.sales_order_cancel(
                order=order, user=request.user, reason=data.validated_data.get("reason", "")
            )
        )


class CustomerSerializer(SparseFieldsMixin, serializers.ModelSerializer):
    price_tier = serializers.CharField(
        source="price_tier.name", default=None, read_only=True, allow_null=True
    )
    order_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id", "kind", "name", "email", "phone", "tax_id", "price_tier", "currency",
            "payment_terms_days", "preferred_warehouse", "tags", "marketing_consent",
            "is_active", "order_count", "created_at", "updated_at",
        ]  # fmt: skip


class CustomerCreate(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Customer.Kind.choices, default=Customer.Kind.COMPANY)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
    tax_id = serializers.CharField(required=False, allow_blank=True, max_length=40)
    currency = serializers.CharField(required=False, max_length=3, default="USD")
    payment_terms_days = serializers.IntegerField(required=False, min_value=0, default=30)
    notes = serializers.CharField(required=False, allow_blank=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    marketing_consent = serializers.BooleanField(required=False, default=False)
    allow_duplicate = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Create even when another customer has the same email or phone "
        "(otherwise 409 `duplicate_customer` with the matching ids).",
    )


class CustomerUpdate(CustomerCreate):
    allow_duplicate = None  # duplicates are only checked when creating, as on the screens


class CustomerViewSet(ETagMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Customers. Creating one checks for duplicates by email (ignoring case) and phone
    (ignoring formatting) like the screens do. `PUT`/`PATCH` edit (send `If-Match` with the
    ETag you read); `DELETE` archives (orders and history are kept)."""

    api_area = "sales"
    capabilities = {"read": "sales.view", "write": "sales.edit"}
    serializer_class = CustomerSerializer
    search_fields = ["name", "email", "phone"]
    ordering_fields = ["name", "created_at"]
    filterset_fields = ["kind", "is_active", "currency"]

    def get_queryset(self):
        return (
            Customer.objects.filter(erased_at__isnull=True)
            .select_related("price_tier")
            .annotate(order_count=Count("orders"))
            .order_by("name", "id")
        )

    @extend_schema(request=CustomerCreate, responses={201: CustomerSerializer})
    def create(self, request):
        from apps.sales.customers.errors import DuplicateCustomer
        from apps.sales.customers.services import CustomerData, customer_create, tags_parse

        data = CustomerCreate(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        allow = d.pop("allow_duplicate", False)
        d["tags"] = tags_parse(d.get("tags"))
        try:
            customer = customer_create(
                data=CustomerData(**d), user=request.user, allow_duplicate=allow
            )
        except DuplicateCustomer as exc:
            return Response(
                {
                    "error": {
                        "code": "duplicate_customer",
                        "message": exc.message,
                        "fields": {},
                        "matches": [m.pk for m in exc.matches],
                    }
                },
                status=409,
            )
        fresh = self.get_queryset().get(pk=customer.pk)
        return Response(self.get_serializer(fresh).data, status=201)

    def _edit(self, request, partial: bool):
        from dataclasses import fields

        from apps.sales.customers.services import CustomerData, customer_update, tags_parse

        customer = self.get_object()
        self.check_if_match(customer)
        data = CustomerUpdate(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        # PATCH starts from the customer, PUT from a blank customer (what it omits is cleared);
        # price tier and preferred warehouse are not set over the API, so both keep them.
        base = customer if partial else CustomerData(name=customer.name)
        values = {f.name: getattr(base, f.name) for f in fields(CustomerData)}
        values["price_tier"] = customer.price_tier
        values["preferred_warehouse"] = customer.preferred_warehouse
        values.update(data.validated_data)
        values["tags"] = tags_parse(values.get("tags"))
        customer = customer_update(
            customer=customer, data=CustomerData(**values), user=request.user
        )
        fresh = self.get_queryset().get(pk=customer.pk)
        self._etag_instance = fresh
        return Response(self.get_serializer(fresh).data)

    @extend_schema(request=CustomerUpdate, responses={200: CustomerSerializer})
    def update(self, request, pk=None):
        return self._edit(request, partial=False)

    @extend_schema(request=CustomerUpdate, responses={200: CustomerSerializer})
    def partial_update(self, request, pk=None):
        return self._edit(request, partial=True)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        from apps.sales.customers.services import customer_archive

        customer = self.get_object()
        self.check_if_match(customer)
        customer_archive(customer=customer, user=request.user)
        return Response(status=204)
