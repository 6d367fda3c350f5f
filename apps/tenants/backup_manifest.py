"""What a tenant schema holds, in a form two schemas can be compared by: the manifest.

Row counts and a checksum per table (md5 of every row's text, in a fixed order), and
the migration state (the ``django_migrations`` rows). The schema name is not part of a
row's text, so a restore under another name checksums the same.
"""

from __future__ import annotations

from django.db import connection
from django.db.migrations.loader import MigrationLoader
from psycopg import sql


def schema_tables(schema: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = %s AND table_type = 'BASE TABLE' ORDER BY table_name",
            [schema],
        )
        return [row[0] for row in cursor.fetchall()]


def schema_table_stats(schema: str) -> dict[str, dict]:
    """``{table: {"rows": n, "checksum": md5}}`` for every table of the schema."""
    stats = {}
    with connection.cursor() as cursor:
        for table in schema_tables(schema):
            query = sql.SQL(
                "SELECT count(*), coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '')"
                " FROM {}.{} t"
            ).format(sql.Identifier(schema), sql.Identifier(table))
            cursor.execute(query)
            rows, checksum = cursor.fetchone()
            stats[table] = {"rows": rows, "checksum": checksum}
    return stats


def schema_migrations(schema: str) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("SELECT app, name FROM {}.django_migrations ORDER BY app, name").format(
                sql.Identifier(schema)
            )
        )
        state: dict[str, list[str]] = {}
        for app, name in cursor.fetchall():
            state.setdefault(app, []).append(name)
    return state


def migrations_unknown_to_code(state: dict[str, list[str]]) -> list[str]:
    """Migrations a backup has applied that this code does not have: it is from a newer version."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [
        f"{app}.{name}"
        for app, names in sorted(state.items())
        for name in names
        if (app, name) not in known
    ]


def migrations_missing_from(state: dict[str, list[str]]) -> bool:
    """Whether the code has tenant migrations the backup has not applied (it is older)."""
    from django.conf import settings

    tenant_labels = set()
    from django.apps import apps as django_apps

    for config in django_apps.get_app_configs():
        if config.name in settings.TENANT_APPS:
            tenant_labels.add(config.label)
    applied = {(app, name) for app, names in state.items() for name in names}
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return any(key not in applied for key in loader.disk_migrations if key[0] in tenant_labels)
