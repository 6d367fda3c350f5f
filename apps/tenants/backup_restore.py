"""Restoring a company backup, as a new company or over the one it came from.

pg_restore cannot rename a schema, and rewriting names inside a dump is unsafe (data
can contain the old name). So the dump is restored into a scratch database, renamed
there with ``ALTER SCHEMA … RENAME`` (which PostgreSQL applies to every object), dumped
again and restored into the real database under a staging name. Only then, in one
transaction, does the staging schema take its place (replacing the old schema for
``force``) and the company rows appear: a failure at any step leaves nothing behind.
"""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path

from django.db import connection, transaction
from psycopg import sql

from apps.tenants.backup import backup_extract_dump, backup_manifest_read
from apps.tenants.backup_manifest import migrations_missing_from, migrations_unknown_to_code
from apps.tenants.backup_tools import pg_run
from apps.tenants.models import Plan, Tenant
from apps.tenants.services.errors import TenantError
from apps.tenants.services.lifecycle import console_action_record


def _schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [name])
        return cursor.fetchone() is not None


def _drop_schema(name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


def _restore_renamed(dump: Path, source: str, target: str, work: Path) -> None:
    """Put the dump's ``source`` schema into this database as ``target`` (which must not exist)."""
    scratch = f"stockroom_restore_{secrets.token_hex(6)}"
    ident = sql.Identifier
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.extname, n.nspname FROM pg_extension e"
            " JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname <> 'plpgsql'"
        )
        extensions = cursor.fetchall()
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(ident(scratch)))
    try:
        # The dump refers to extensions (pg_trgm's operator classes…) living outside the schema.
        for name, schema in extensions:
            create = sql.SQL("CREATE EXTENSION IF NOT EXISTS {} SCHEMA {}").format(
                ident(name), ident(schema)
            )
            pg_run("psql", ["-v", "ON_ERROR_STOP=1", "-c", create.as_string(connection.connection)],
                   database=scratch)  # fmt: skip
        pg_run("pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error",
                              f"--dbname={scratch}", str(dump)], database=scratch)  # fmt: skip
        rename = sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(ident(source), ident(target))
        pg_run("psql", ["-v", "ON_ERROR_STOP=1", "-c", rename.as_string(connection.connection)],
               database=scratch)  # fmt: skip
        renamed = work / "renamed.dump"
        pg_run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges",
                           f"--schema={target}", f"--file={renamed}"], database=scratch)  # fmt: skip
        pg_run("pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error",
                              "--single-transaction", f"--dbname={connection.settings_dict['NAME']}",
                              str(renamed)])  # fmt: skip
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident(scratch))
            )


def _check_restorable(manifest: dict) -> None:
    newer = migrations_unknown_to_code(manifest.get("migrations", {}))
    if newer:
        raise TenantError(
            "This backup comes from a newer version of Stockroom (it has migrations this "
            f"version does not know: {', '.join(newer[:5])}). Upgrade before restoring it."
        )


def _migrate_if_older(manifest: dict, schema: str) -> None:
    if migrations_missing_from(manifest.get("migrations", {})):
        from django.core.management import call_command

        call_command("migrate_schemas", schema_name=schema, interactive=False, verbosity=0)


def tenant_restore(*, path: Path, as_slug: str | None = None, force: bool = False, actor=None):
    """Restore ``path`` as a new company ``as_slug``, or over the company it came from.

    Over an existing company only with ``force=True`` (its current data is replaced).
    Returns the restored Tenant.
    """
    from apps.tenants.services.provisioning import tenant_register

    connection.set_schema_to_public()
    manifest = backup_manifest_read(Path(path))
    _check_restorable(manifest)
    existing = None
    if as_slug:
        existing = Tenant.objects.filter(slug=as_slug).first()
        if existing is None:
            # validates the subdomain (format, reserved, free) before any work is done
            from apps.tenants.services.subdomains import subdomain_validate

            as_slug = subdomain_validate(as_slug)
    else:
        existing = Tenant.objects.filter(schema_name=manifest["schema"]).first()
        if existing is None:
            raise TenantError(
                f"The company {manifest['slug']} no longer exists; restore with --as <new-slug>."
            )
    if existing is not None and not force:
        raise TenantError(
            f"{existing.slug} exists: restoring replaces all of its data. "
            "Confirm with --force (or pick a new slug with --as)."
        )
    if existing is not None and (existing.is_template or existing.schema_name == "public"):
        raise TenantError("The public site and the template are never restored over.")

    target_schema = existing.schema_name if existing else as_slug.replace("-", "_")
    staging = f"restore_{secrets.token_hex(6)}"
    with tempfile.TemporaryDirectory() as work:
        dump = backup_extract_dump(Path(path), manifest, Path(work))
        _restore_renamed(dump, manifest["schema"], staging, Path(work))
    try:
        with transaction.atomic():
            if existing is not None:
                _drop_schema(existing.schema_name)
                tenant = existing
            else:
                if _schema_exists(target_schema):
                    raise TenantError(f"A schema named {target_schema} already exists.")
                settings_ = manifest.get("tenant", {})
                tenant = tenant_register(
                    name=settings_.get("name") or as_slug,
                    subdomain=as_slug,
                    plan=Plan.objects.filter(code=manifest.get("plan")).first(),
                    status=Tenant.Status.ACTIVE,
                )
                for field, value in settings_.items():
                    setattr(tenant, field, value)
                tenant.save()
            with connection.cursor() as cursor:
                cursor.execute(
                    sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(
                        sql.Identifier(staging), sql.Identifier(target_schema)
                    )
                )
            console_action_record(
                tenant=tenant,
                actor=actor,
                action="restore",
                detail=f"from {Path(path).name}" + (" (replaced the data)" if existing else ""),
            )
    except Exception:
        _drop_schema(staging)
        raise
    _migrate_if_older(manifest, target_schema)
    return tenant
