"""Catalog over HTTP: products (variants nested), variants, categories, suppliers.
Writes call apps/catalog/services.py, the same functions as the screens."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from apps.api.etags import ETagMixin
from apps.api.sparse import SparseFieldsMixin
from apps.catalog import services
from apps.catalog.models import Category, Product, Supplier, Variant

VARIANT_FIELDS = [
    "id", "product", "sku", "barcode", "options", "cost_price", "sale_price", "weight_kg",
    "length_cm", "width_cm", "height_cm", "reorder_point", "reorder_quantity", "safety_stock",
    "lead_time_days", "is_active",
]  # fmt: skip


class VariantSerializer(SparseFieldsMixin, serializers.ModelSerializer):
    sku = serializers.CharField(max_length=64, required=False, allow_blank=True,
                                help_text="Blank: generated from the company's SKU pattern.")  # fmt: skip

    class Meta:
        model = Variant
        fields = VARIANT_FIELDS
        read_only_fields = ["id"]
        extra_kwargs = {"product": {"required": False}}


class NewVariantSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64, required=False, allow_blank=True)
    barcode = serializers.CharField(max_length=64, required=False, allow_blank=True)
    options = serializers.DictField(child=serializers.CharField(), required=False)
    cost_price = serializers.DecimalField(max_digits=14, decimal_places=4, required=False)
    sale_price = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)


class ProductSerializer(SparseFieldsMixin, serializers.ModelSerializer):
    variants = VariantSerializer(many=True, read_only=True)
    new_variants = NewVariantSerializer(
        many=True, write_only=True, required=False, source="variants_in",
        help_text="On create: the variants (at least the first); blank SKUs are generated.",
    )  # fmt: skip
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), allow_null=True, required=False
    )
    tags = serializers.ListField(child=serializers.CharField(max_length=40), required=False)

    class Meta:
        model = Product
        fields = [
            "id", "name", "description", "category", "brand", "unit", "tags", "tax_class",
            "is_active", "tracks_lots", "tracks_serials", "created_at", "updated_at", "variants",
            "new_variants",
        ]  # fmt: skip
        read_only_fields = ["id", "is_active", "tracks_lots", "tracks_serials", "created_at",
                            "updated_at"]  # fmt: skip


class ProductViewSet(ETagMixin, viewsets.ModelViewSet):
    """Products with their variants. `DELETE` archives (history stays); `If-Match` guards edits."""

    api_area = "catalog"
    capabilities = {"read": "catalog.view", "write": "catalog.edit"}
    serializer_class = ProductSerializer
    filterset_fields = ["category", "is_active", "brand"]
    search_fields = ["name", "variants__sku", "variants__barcode", "brand"]
    ordering_fields = ["name", "created_at", "updated_at"]

    def get_queryset(self):
        return (
            Product.objects.select_related("category")
            .prefetch_related("variants")
            .order_by("name", "pk")
            .distinct()
        )

    def perform_create(self, serializer):
        d = dict(serializer.validated_data)
        variants = d.pop("variants_in", None) or [{}]
        first, rest = variants[0], variants[1:]
        with transaction.atomic():
            product = services.product_create(
                name=d["name"], category=d.get("category"), brand=d.get("brand", ""),
                unit=d.get("unit", Product.Unit.EACH), description=d.get("description", ""),
                tags=d.get("tags"), tax_class=d.get("tax_class", "standard"), **first,
            )  # fmt: skip
            for extra in rest:
                services.variant_create(product=product, **extra)
        serializer.instance = self.get_queryset().get(pk=product.pk)
        self._etag_instance = serializer.instance

    def perform_update(self, serializer):
        d = serializer.validated_data
        with transaction.atomic():
            # Compare the ETag on the locked row: two writers holding the same ETag can't
            # both pass the check.
            product = Product.objects.select_for_update().get(pk=serializer.instance.pk)
            self.check_if_match(product)
            services.product_update(
                product=product,
                **{f: d[f] for f in services.PRODUCT_FIELDS if f in d},
            )
        serializer.instance = self.get_queryset().get(pk=product.pk)
        self._etag_instance = serializer.instance

    def destroy(self, request, *args, **kwargs):
        product = self.get_object()
        with transaction.atomic():
            locked = Product.objects.select_for_update().get(pk=product.pk)
            self.check_if_match(locked)
            services.product_archive(product=locked)
        return Response(status=status.HTTP_204_NO_CONTENT)


class VariantViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    api_area = "catalog"
    capabilities = {"read": "catalog.view", "write": "catalog.edit"}
    serializer_class = VariantSerializer
    filterset_fields = ["product", "sku", "barcode", "is_active"]
    search_fields = ["sku", "barcode", "product__name"]
    ordering_fields = ["sku", "sale_price", "cost_price"]
    queryset = Variant.objects.select_related("product").order_by("sku")

    @extend_schema(request=VariantSerializer, responses={201: VariantSerializer})
    def create(self, request):
        data = VariantSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        product = d.pop("product", None)
        if product is None:
            raise serializers.ValidationError({"product": ["Which product is this a variant of?"]})
        variant = services.variant_create(
            product=product,
            sku=d.get("sku", ""),
            barcode=d.get("barcode", ""),
            options=d.get("options"),
            cost_price=d.get("cost_price", 0),
            sale_price=d.get("sale_price", 0),
        )
        if set(d) - {"sku", "barcode", "options", "cost_price", "sale_price"}:
            variant = self._update(variant, d)
        return Response(VariantSerializer(variant).data, status=201)

    def perform_update(self, serializer):
        serializer.instance = self._update(serializer.instance, serializer.validated_data)

    @staticmethod
    def _update(variant: Variant, d: dict) -> Variant:
        fields = [f for f in VARIANT_FIELDS if f not in {"id", "product"}]
        values = {f: d.get(f, getattr(variant, f)) for f in fields}
        return services.variant_update(variant=variant, **values)


class CategorySerializer(SparseFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "parent", "path", "depth"]
        read_only_fields = ["id", "path", "depth"]


class CategoryViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The category tree in path order. Changing `parent` moves the subtree; `DELETE` only
    works on an empty category."""

    api_area = "catalog"
    capabilities = {"read": "catalog.view", "write": "catalog.edit"}
    serializer_class = CategorySerializer
    queryset = Category.objects.order_by("path")
    filterset_fields = ["parent", "depth"]
    search_fields = ["name"]

    def perform_create(self, serializer):
        d = serializer.validated_data
        serializer.instance = services.category_create(name=d["name"], parent=d.get("parent"))

    def perform_update(self, serializer):
        category, d = serializer.instance, serializer.validated_data
        with transaction.atomic():
            if "name" in d and d["name"] != category.name:
                category = services.category_rename(category=category, name=d["name"])
            if "parent" in d and d["parent"] != category.parent:
                category = services.category_move(category=category, parent=d["parent"])
        serializer.instance = category

    def perform_destroy(self, instance):
        services.category_delete(category=instance)


class SupplierSerializer(SparseFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = Supplier
        fields = [
            "id", "name", "contact_name", "email", "phone", "address", "currency",
            "payment_terms_days", "default_lead_time_days", "is_active",
        ]  # fmt: skip
        read_only_fields = ["id"]
        extra_kwargs = {"name": {"validators": []}}  # the service says "already exists" in words


class SupplierViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Suppliers. `DELETE` archives (purchase orders keep pointing at them)."""

    api_area = "catalog"
    capabilities = {"read": "catalog.view", "write": "catalog.edit"}
    serializer_class = SupplierSerializer
    queryset = Supplier.objects.order_by("name")
    filterset_fields = ["is_active", "currency"]
    search_fields = ["name", "email", "contact_name"]
    ordering_fields = ["name"]

    def perform_create(self, serializer):
        serializer.instance = services.supplier_create(**serializer.validated_data)

    def perform_destroy(self, instance):
        services.supplier_archive(supplier=instance)

    def perform_update(self, serializer):
        supplier = serializer.instance
        d = serializer.validated_data
        fields = [f for f in SupplierSerializer.Meta.fields if f != "id"]
        serializer.instance = services.supplier_update(
            supplier=supplier, **{f: d[f] for f in fields if f in d}
        )
