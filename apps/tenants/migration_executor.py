"""``migrate_schemas`` that skips schemas with nothing to apply.

django-tenants runs Django's whole ``migrate`` command once per schema, even when
there is nothing to do: loading the migration graph and checking each schema
takes most of a second, so a no-op run over 1,000 companies takes minutes. Here
the applied migrations of every schema are read with a few SQL queries and
compared with the migrations on disk; only schemas that are behind go through
the standard per-schema migration. Any option that changes what migrate does
(an app label, --fake, --plan, --check, --prune) falls back to the standard run.
"""

from __future__ import annotations

import sys

from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django_tenants.migration_executors.standard import StandardExecutor

BATCH = 500
# run_syncdb is not among them: Django's test runner always passes it, and it only
# matters for apps without migrations, which this project does not have.
_FALLBACK_OPTIONS = ("fake", "fake_initial", "plan", "check_unapplied", "prune")


def schemas_behind(schemas: list[str], *, database: str = "default") -> list[str]:
    """The schemas among ``schemas`` that miss at least one migration that is on disk."""
    connection = connections[database]
    on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    if not schemas:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables WHERE table_name = 'django_migrations' AND table_schema = ANY(%s)",
            [list(schemas)],
        )
        with_table = {row[0] for row in cursor.fetchall()}
        complete: set[str] = set()
        apps = sorted({app for app, _ in on_disk})
        candidates = [s for s in schemas if s in with_table]
        for start in range(0, len(candidates), BATCH):
            batch = candidates[start : start + BATCH]
            union = " UNION ALL ".join(
                f"SELECT %s AS schema, app, name FROM {connection.ops.quote_name(s)}.django_migrations WHERE app = ANY(%s)"
                for s in batch
            )
            params: list = []
            for s in batch:
                params += [s, apps]
            cursor.execute(union, params)
            applied: dict[str, set] = {s: set() for s in batch}
            for schema, app, name in cursor.fetchall():
                applied[schema].add((app, name))
            complete |= {s for s, done in applied.items() if on_disk <= done}
    return [s for s in schemas if s not in complete]


class SkipUpToDateExecutor(StandardExecutor):
    codename = "skip_up_to_date"

    def run_migrations(self, tenants=None):
        tenants = list(tenants or [])
        if self.options.get("app_label") or any(self.options.get(opt) for opt in _FALLBACK_OPTIONS):
            return super().run_migrations(tenants=tenants)
        behind = schemas_behind(
            tenants, database=self.options.get("database") or self.TENANT_DB_ALIAS
        )
        skipped = len(tenants) - len(behind)
        if skipped and int(self.options.get("verbosity", 1)) >= 1:
            sys.stdout.write(
                f"{skipped} of {len(tenants)} schema(s) already up to date; migrating {len(behind)}.\n"
            )
        if behind:
            super().run_migrations(tenants=behind)


def get_executor(codename=None):
    """Settings' GET_EXECUTOR_FUNCTION: our executor unless another one is asked for by name."""
    if codename in (None, "", "standard", SkipUpToDateExecutor.codename):
        return SkipUpToDateExecutor
    from django_tenants.migration_executors import get_executor as original

    return original(codename)
