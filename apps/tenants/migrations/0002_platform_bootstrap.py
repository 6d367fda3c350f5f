"""Creates what the platform needs before any company exists: the public tenant
(the public site at BASE_DOMAIN), the hidden template tenant whose schema new
companies are cloned from, and the default plans.

The template schema is created empty here; ``migrate_schemas`` then migrates it
like any other tenant, so it is always current.
"""

from django.conf import settings
from django.db import migrations


def bootstrap(apps, schema_editor):
    Tenant = apps.get_model("tenants", "Tenant")
    Domain = apps.get_model("tenants", "Domain")
    Plan = apps.get_model("tenants", "Plan")

    for code, name, users, skus, price, default in [
        ("starter", "Starter", 3, 500, "0.00", True),
        ("growth", "Growth", 15, 10000, "99.00", False),
        ("scale", "Scale", None, None, "399.00", False),
    ]:
        Plan.objects.get_or_create(
            code=code,
            defaults={"name": name, "max_users": users, "max_skus": skus, "monthly_price": price, "is_default": default},
        )

    public, _ = Tenant.objects.get_or_create(
        schema_name="public", defaults={"name": "Stockroom", "slug": "public", "status": "active"}
    )
    Domain.objects.get_or_create(domain=settings.BASE_DOMAIN, defaults={"tenant": public, "is_primary": True})

    Tenant.objects.get_or_create(
        schema_name=settings.TENANT_BASE_SCHEMA,
        defaults={"name": "Template", "slug": "tenant-template", "status": "active", "is_template": True},
    )
    schema_editor.execute(f'CREATE SCHEMA IF NOT EXISTS "{settings.TENANT_BASE_SCHEMA}"')


class Migration(migrations.Migration):
    dependencies = [("tenants", "0001_initial")]

    operations = [migrations.RunPython(bootstrap, migrations.RunPython.noop)]
