"""Per-company backups: ``pg_dump -n <schema>`` in custom (compressed) format plus a manifest,
together in one ``.tar`` file under ``TENANT_BACKUP_ROOT/<slug>/``.

The manifest says what was dumped (schema, company settings, app version, migration
state, row count and checksum per table) and carries the dump's SHA-256, so a restore
can refuse a damaged file or one from a newer version before touching anything.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.tenants.backup_manifest import schema_migrations, schema_table_stats
from apps.tenants.backup_tools import pg_run
from apps.tenants.models import Tenant
from apps.tenants.services.errors import TenantError

MANIFEST = "manifest.json"
DUMP = "schema.dump"
SUFFIX = ".backup.tar"
FORMAT_VERSION = 1

# Company settings carried in the manifest, so a restore as a new company keeps them.
TENANT_FIELDS = [
    "name", "legal_name", "address", "contact_email", "phone", "time_zone", "currency",
    "accent_colour", "allow_negative_stock", "valuation_method", "require_mfa",
]  # fmt: skip


def _now():
    return timezone.now()


def backup_root() -> Path:
    root = getattr(settings, "TENANT_BACKUP_ROOT", None) or os.environ.get("TENANT_BACKUP_ROOT")
    return Path(root) if root else Path(settings.DATA_DIR) / "backups"


def app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("stockroom")
    except PackageNotFoundError:
        return settings.SPECTACULAR_SETTINGS.get("VERSION", "unknown")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class BackupFile:
    path: Path
    slug: str
    created_at: datetime
    size: int

    @property
    def name(self) -> str:
        return self.path.name


def tenant_backup(*, tenant: Tenant, folder: Path | None = None) -> Path:
    """Dump one company's schema with its manifest. Returns the backup file's path."""
    if tenant.is_template or tenant.schema_name == "public":
        raise TenantError("Only companies are backed up, not the public site or the template.")
    connection.set_schema_to_public()
    created = _now()
    folder = folder or backup_root() / tenant.slug
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{tenant.slug}-{created:%Y%m%dT%H%M%S%fZ}{SUFFIX}"
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / DUMP
        pg_run(
            "pg_dump",
            ["--format=custom", "--compress=6", "--no-owner", "--no-privileges",
             f"--schema={tenant.schema_name}", f"--file={dump}"],
        )  # fmt: skip
        # Taken after the dump: with nobody writing during a backup they describe the same data.
        manifest = {
            "format": FORMAT_VERSION,
            "schema": tenant.schema_name,
            "slug": tenant.slug,
            "tenant": {field: getattr(tenant, field) for field in TENANT_FIELDS},
            "plan": tenant.plan.code if tenant.plan_id else None,
            "app_version": app_version(),
            "created_at": created.isoformat(),
            "migrations": schema_migrations(tenant.schema_name),
            "tables": schema_table_stats(tenant.schema_name),
            "dump_sha256": sha256_of(dump),
            "dump_size": dump.stat().st_size,
        }
        partial = target.with_suffix(".partial")
        with tarfile.open(partial, "w") as archive:
            data = json.dumps(manifest, indent=2, default=str).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(created.timestamp())
            archive.addfile(info, io.BytesIO(data))
            archive.add(dump, arcname=DUMP)
        partial.rename(target)  # never a half-written backup under the real name
    return target


def backup_manifest_read(path: Path) -> dict:
    try:
        with tarfile.open(path, "r") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            return json.loads(member.read())
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise TenantError(f"{path.name} is not a Stockroom backup ({exc}).") from exc


def backup_extract_dump(path: Path, manifest: dict, into: Path) -> Path:
    """Extract the dump and check it against the manifest's checksum."""
    with tarfile.open(path, "r") as archive:
        member = archive.extractfile(DUMP)
        if member is None:
            raise TenantError(f"{path.name} holds no database dump.")
        dump = into / DUMP
        with open(dump, "wb") as out:
            while chunk := member.read(1 << 20):
                out.write(chunk)
    if sha256_of(dump) != manifest.get("dump_sha256"):
        raise TenantError(f"{path.name} is damaged: its checksum does not match the manifest.")
    return dump


def backups_for(slug: str) -> list[BackupFile]:
    """A company's backups, newest first."""
    folder = backup_root() / slug
    if not folder.is_dir():
        return []
    files = []
    for path in folder.glob(f"*{SUFFIX}"):
        stat = path.stat()
        stamp = path.name[len(slug) + 1 : -len(SUFFIX)]
        try:
            created = datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
        except ValueError:
            continue
        files.append(BackupFile(path=path, slug=slug, created_at=created, size=stat.st_size))
    return sorted(files, key=lambda f: f.created_at, reverse=True)


def backup_find(slug: str, name: str) -> BackupFile:
    """One backup by file name; never a path outside the company's folder."""
    for backup in backups_for(slug):
        if backup.name == name:
            return backup
    raise TenantError("That backup does not exist.")
