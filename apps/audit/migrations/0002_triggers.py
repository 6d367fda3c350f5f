"""The audit trigger function, attached to every tracked table of the schema.

Later tables (a new line in apps/audit/tracked.py) get their trigger from the
post_migrate hook or ``manage.py audit_triggers_sync``.
"""

from django.db import migrations

from apps.audit.triggers import DROP_FUNCTION_SQL, FUNCTION_SQL, triggers_sync


def attach(apps, schema_editor):
    triggers_sync(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("accounts", "0003_api_key"),
        ("api", "0002_webhookendpoint_webhookdelivery"),
        ("catalog", "0003_catalog_search_images_settings"),
        ("integrations", "0001_initial"),
        ("inventory", "0007_lots_and_serials"),
        ("notifications", "0003_overdue_and_stockout_rules"),
        ("purchasing", "0002_purchaseordercharge_receipt"),
        ("reports", "0001_initial"),
        ("sales", "0002_orders"),
    ]

    operations = [
        migrations.RunSQL(FUNCTION_SQL, DROP_FUNCTION_SQL),
        migrations.RunPython(attach, migrations.RunPython.noop),
    ]
