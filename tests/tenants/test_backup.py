"""tenant_backup / tenant_restore against the real server, with committed data (pg_dump runs in
another connection, so nothing here may live only inside a test transaction)."""

from __future__ import annotations

import json
import tarfile

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.tenants.backup import backup_manifest_read, backups_for, tenant_backup
from apps.tenants.backup_manifest import schema_table_stats
from apps.tenants.backup_restore import tenant_restore
from apps.tenants.models import ConsoleAction, Tenant
from apps.tenants.services.errors import TenantError
from apps.tenants.services.lifecycle import tenant_delete_now


@pytest.fixture
def committed(django_db_setup, django_db_blocker, settings, tmp_path):
    settings.TENANT_BACKUP_ROOT = str(tmp_path / "backups")
    created = []
    with django_db_blocker.unblock():
        yield created
        connection.set_schema_to_public()
        for slug in created:
            tenant = Tenant.objects.filter(slug=slug).first()
            if tenant:
                tenant_delete_now(tenant=tenant)
        ConsoleAction.objects.filter(action="restore").delete()


def test_backup_then_restore_as_new_slug_gives_identical_counts_and_checksums(committed):
    alpha = Tenant.objects.get(slug="alpha")
    path = call_command_out("tenant_backup", "alpha")
    manifest = backup_manifest_read(path)
    assert manifest["schema"] == "alpha"
    assert manifest["migrations"]["accounts"]
    assert manifest["tables"]["accounts_user"]["rows"] >= 1
    before = schema_table_stats("alpha")
    assert manifest["tables"] == before

    committed.append("alpha-copy")
    call_command("tenant_restore", str(path), "--as", "alpha-copy")
    copy = Tenant.objects.get(slug="alpha-copy")
    assert copy.schema_name == "alpha_copy"
    assert copy.name == alpha.name
    assert copy.domains.get().domain.startswith("alpha-copy.")
    assert schema_table_stats("alpha_copy") == before
    with schema_context("alpha_copy"):
        assert User.objects.filter(email="founder@alpha.test").exists()
    assert ConsoleAction.objects.filter(tenant=copy, action="restore").exists()


def test_restore_over_an_existing_company_needs_force_and_replaces_its_data(committed):
    path = tenant_backup(tenant=Tenant.objects.get(slug="alpha"))
    committed.append("alpha-two")
    copy = tenant_restore(path=path, as_slug="alpha-two")
    with schema_context(copy.schema_name):
        User.objects.create_user(email="later@alpha.test", password="x-long-password-1")
    with pytest.raises(TenantError, match="--force"):
        tenant_restore(path=path, as_slug="alpha-two")
    with schema_context(copy.schema_name):
        assert User.objects.filter(email="later@alpha.test").exists()

    tenant_restore(path=path, as_slug="alpha-two", force=True)
    with schema_context(copy.schema_name):
        assert not User.objects.filter(email="later@alpha.test").exists()
    assert schema_table_stats("alpha_two") == schema_table_stats("alpha")


def test_restore_refuses_a_backup_from_a_newer_migration_state(committed, tmp_path):
    path = tenant_backup(tenant=Tenant.objects.get(slug="alpha"))
    manifest = backup_manifest_read(path)
    manifest["migrations"]["accounts"].append("9999_from_the_future")
    forged = tmp_path / "forged.backup.tar"
    with tarfile.open(path) as src, tarfile.open(forged, "w") as out:
        for member in src.getmembers():
            if member.name == "manifest.json":
                data = json.dumps(manifest).encode()
                member.size = len(data)
                import io

                out.addfile(member, io.BytesIO(data))
            else:
                out.addfile(member, src.extractfile(member))
    with pytest.raises(CommandError, match="newer version"):
        call_command("tenant_restore", str(forged), "--as", "alpha-future")
    assert not Tenant.objects.filter(slug="alpha-future").exists()


def test_restore_refuses_a_damaged_dump_and_leaves_nothing(committed, tmp_path):
    path = tenant_backup(tenant=Tenant.objects.get(slug="alpha"))
    damaged = tmp_path / "damaged.backup.tar"
    with tarfile.open(path) as src, tarfile.open(damaged, "w") as out:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "schema.dump":
                data = data[:-10] + b"0123456789"
            import io

            out.addfile(member, io.BytesIO(data))
    with pytest.raises(TenantError, match="damaged"):
        tenant_restore(path=damaged, as_slug="alpha-broken")
    assert not Tenant.objects.filter(slug="alpha-broken").exists()


def test_backups_are_listed_newest_first(committed):
    alpha = Tenant.objects.get(slug="alpha")
    first = tenant_backup(tenant=alpha)
    second = tenant_backup(tenant=alpha)
    assert [b.path for b in backups_for("alpha")] == [second, first]


def call_command_out(*args):
    from io import StringIO
    from pathlib import Path

    out = StringIO()
    call_command(*args, stdout=out)
    return Path(out.getvalue().strip())


def test_console_restore_job_restores_as_a_new_company(committed):
    from apps.tenants.backup_jobs import restore_run

    path = tenant_backup(tenant=Tenant.objects.get(slug="alpha"))
    committed.append("alpha-job")
    assert restore_run(Tenant.objects.get(slug="alpha").pk, path.name, "alpha-job") == "alpha-job"
    assert schema_table_stats("alpha_job") == schema_table_stats("alpha")


def test_nightly_backups_keep_seven_daily_and_four_weekly(committed, tmp_path):
    from datetime import UTC, datetime, timedelta

    from apps.tenants.backup_retention import backups_nightly, backups_prune

    folder = tmp_path / "backups" / "alpha"
    folder.mkdir(parents=True)
    start = datetime(2026, 1, 1, 2, 0, tzinfo=UTC)
    for day in range(60):  # two a day for 60 days
        for hour in (2, 14):
            stamp = start + timedelta(days=day, hours=hour - 2)
            (folder / f"alpha-{stamp:%Y%m%dT%H%M%S%fZ}.backup.tar").write_bytes(b"x")
    backups_prune("alpha")
    kept = backups_for("alpha")
    days = {b.created_at.date() for b in kept}
    newest = (start + timedelta(days=59)).date()
    assert {newest - timedelta(days=n) for n in range(7)} <= days
    assert all(b.created_at.hour == 14 for b in kept)  # the newest of each day
    assert len({b.created_at.isocalendar()[:2] for b in kept}) == 4
    assert len(kept) <= 7 + 4

    results = backups_nightly()
    assert results["alpha"].endswith(".backup.tar") and results["beta"].endswith(".backup.tar")
    assert backups_for("alpha")[0].name == results["alpha"]


def test_restore_command_explains_bad_input(committed, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("tenant_restore", str(tmp_path / "nope.backup.tar"), "--as", "fresh-co")
    junk = tmp_path / "junk.backup.tar"
    junk.write_bytes(b"not a tar file")
    with pytest.raises(CommandError, match="not a Stockroom backup"):
        call_command("tenant_restore", str(junk), "--as", "fresh-co")
    path = tenant_backup(tenant=Tenant.objects.get(slug="alpha"))
    with pytest.raises(CommandError, match="already taken|reserved|letters"):
        call_command("tenant_restore", str(path), "--as", "beta!")
    with pytest.raises(CommandError, match="No company"):
        call_command("tenant_backup", "no-such-co")
    assert not Tenant.objects.filter(slug="fresh-co").exists()
