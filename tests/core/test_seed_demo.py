import json

from django.conf import settings
from django.core.management import call_command
from django_tenants.utils import schema_context

from apps.accounts.models import Role, User
from apps.tenants.models import Tenant

COMPANIES = json.loads((settings.BASE_DIR / "fixtures" / "demo_companies.json").read_text())[
    "companies"
]


def test_seed_demo_creates_the_five_companies_with_their_users_once(db):
    call_command("seed_demo", history_weeks=3, stdout=open("/dev/null", "w"))
    slugs = [c["slug"] for c in COMPANIES]
    assert sorted(Tenant.objects.filter(slug__in=slugs).values_list("slug", flat=True)) == sorted(
        slugs
    )
    assert slugs == [
        "techgear",
        "fashionforward",
        "homegardenplus",
        "sportsfitnesshub",
        "bookwormcentral",
    ]
    techgear = Tenant.objects.get(slug="techgear")
    assert techgear.name == "TechGear Electronics" and techgear.status == Tenant.Status.ACTIVE
    with schema_context("techgear"):
        users = {u.email: u for u in User.objects.all()}
        assert users["owner@techgear.com"].role == Role.OWNER
        assert users["manager@techgear.com"].role == Role.MANAGER
        assert users["clerk@techgear.com"].role == Role.CLERK
        assert users["owner@techgear.com"].check_password("demo123")
    operator = User.objects.get(email="admin@stockroom.local")
    assert operator.is_staff and operator.check_password("admin123")

    with schema_context("techgear"):
        from apps.catalog.models import Supplier, Variant
        from apps.inventory.integrity import stock_differences
        from apps.inventory.models import StockMove, Warehouse

        assert 150 <= Variant.objects.count() <= 300
        assert 3 <= Supplier.objects.count() <= 6 and 2 <= Warehouse.objects.count() <= 3
        # An opening balance for every variant in the main warehouse, some at a branch too.
        openings = StockMove.objects.filter(kind="opening")
        assert openings.values("variant").distinct().count() == Variant.objects.count()
        assert openings.values("location__warehouse").distinct().count() == 2
        assert StockMove.objects.filter(kind="shipment").exists() and stock_differences() == []
        from apps.purchasing.models import PurchaseOrder

        # Purchase orders: history from the deliveries plus open work in every status.
        orders = PurchaseOrder.objects.count()
        assert PurchaseOrder.objects.values("status").distinct().count() >= 5
        from apps.sales.models import Customer, SalesOrder

        # Customers and sales orders: history plus open work in several statuses.
        assert Customer.objects.count() >= 10
        sales = SalesOrder.objects.count()
        assert SalesOrder.objects.values("status").distinct().count() >= 4
        assert stock_differences() == []  # open orders reserved through the ledger
        moves = StockMove.objects.count()

    tenants_before, users_before = Tenant.objects.count(), User.objects.count()
    call_command("seed_demo", history_weeks=3, stdout=open("/dev/null", "w"))
    assert (Tenant.objects.count(), User.objects.count()) == (tenants_before, users_before)
    with schema_context("techgear"):
        assert (PurchaseOrder.objects.count(), StockMove.objects.count()) == (orders, moves)
        assert SalesOrder.objects.count() == sales
