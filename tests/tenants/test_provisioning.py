import re

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_context

from apps.accounts.models import Role, User
from apps.tenants.migration_executor import schemas_behind
from apps.tenants.services.provisioning import tenant_provision


def _normalise(definition: str) -> str:
    without_casts = re.sub(r"::[a-z ]+(\[\])?", "", definition)
    return re.sub(r"[()]", "", without_casts)


def shape(schema: str) -> dict[str, set]:
    """Tables, columns, constraints and indexes of a schema, with the schema name taken out."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = %s",
            [schema],
        )
        columns = {tuple(str(v).replace(schema, "<s>") for v in row) for row in cursor.fetchall()}
        cursor.execute(
            "SELECT table_name, constraint_type, count(*) FROM information_schema.table_constraints WHERE table_schema = %s GROUP BY 1, 2",
            [schema],
        )
        constraints = set(cursor.fetchall())
        cursor.execute("SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = %s", [schema])
        # Index names may differ between clone and migration; their definitions must not.
        # A predicate re-parsed from a dump may spell its casts differently; compare
        # without casts and brackets.
        indexes = {
            (t, _normalise(d.replace(f"{schema}.", "<s>.").split(" ON ", 1)[1]))
            for t, d in cursor.fetchall()
        }
        cursor.execute(
            "SELECT app, name FROM " + connection.ops.quote_name(schema) + ".django_migrations"
        )
        migrations = set(cursor.fetchall())
    return {
        "columns": columns,
        "constraints": constraints,
        "indexes": indexes,
        "migrations": migrations,
    }


def test_cloned_company_has_exactly_what_a_migrated_one_has(db):
    cloned = tenant_provision(
        name="Cloned", subdomain="cloned", owner_email="o@cloned.test", owner_password=None
    )
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "migrated"')
    call_command(
        "migrate_schemas", tenant=True, schema_name="migrated", interactive=False, verbosity=0
    )
    connection.set_schema_to_public()

    expected, actual = shape("migrated"), shape(cloned.schema_name)
    assert expected["columns"], "the migrated schema has tables"
    for part in ("columns", "constraints", "indexes", "migrations"):
        assert actual[part] == expected[part], part
    tables = {row[0] for row in expected["columns"]}
    assert {"accounts_user", "accounts_invitation", "mfa_authenticator", "django_session"} <= tables


def test_cloned_company_starts_with_only_its_owner(db):
    tenant = tenant_provision(
        name="Fresh",
        subdomain="fresh",
        owner_email="boss@fresh.test",
        owner_password="a-long-passphrase-9",
    )
    with schema_context(tenant.schema_name):
        assert list(User.objects.values_list("email", "role")) == [("boss@fresh.test", Role.OWNER)]


def test_migrate_skips_up_to_date_schemas_and_migrates_the_one_behind(tenant, other_tenant):
    schemas = [tenant.schema_name, other_tenant.schema_name]
    assert schemas_behind(schemas) == []
    from django.db.migrations.loader import MigrationLoader

    # Forget a migration nothing depends on, so the history stays consistent.
    graph = MigrationLoader(None).graph
    tenant_apps = {app.rsplit(".", 1)[-1] for app in settings.TENANT_APPS}
    leaf = sorted(
        n for n in graph.leaf_nodes() if not graph.node_map[n].children and n[0] in tenant_apps
    )[0]
    with connection.cursor() as cursor:
        cursor.execute(
            f'DELETE FROM "{other_tenant.schema_name}".django_migrations WHERE app = %s AND name = %s',
            list(leaf),
        )
    assert schemas_behind(schemas) == [other_tenant.schema_name]
    # The standard run then records it again (the table exists, so it is faked in).
    call_command(
        "migrate_schemas",
        tenant=True,
        schema_name=other_tenant.schema_name,
        interactive=False,
        verbosity=0,
        fake=True,
    )
    connection.set_schema_to_public()
    assert schemas_behind(schemas) == []


def test_schema_without_a_migration_table_counts_as_behind(db):
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "empty_one"')
    assert schemas_behind(["empty_one"]) == ["empty_one"]
