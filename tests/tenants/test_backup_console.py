"""Console pages for backups: list, back up now (a job), restore form."""

from __future__ import annotations

import pytest
from django_q.models import OrmQ

from apps.core.models import JobProgress
from apps.tenants.backup import backups_for, tenant_backup
from apps.tenants.models import ConsoleAction


@pytest.fixture
def console(public_client, staff_user, settings, tmp_path):
    settings.TENANT_BACKUP_ROOT = str(tmp_path / "backups")
    public_client.force_login(staff_user)
    return public_client


def test_backups_page_is_staff_only(public_client, tenant, owner):
    assert public_client.get(f"/console/companies/{tenant.pk}/backups/").status_code == 302


def test_backups_page_says_when_there_are_none(console, tenant):
    response = console.get(f"/console/companies/{tenant.pk}/backups/")
    assert response.status_code == 200
    assert "No backups yet" in response.content.decode()


def test_back_up_now_runs_a_job_and_the_backup_is_listed_with_restore(console, tenant, sync_jobs):
    with sync_jobs():
        response = console.post(f"/console/companies/{tenant.pk}/backups/new/")
    assert response.status_code == 200
    job = JobProgress.objects.latest("created_at")
    job.refresh_from_db()
    assert job.state == JobProgress.State.SUCCEEDED, job.error
    [backup] = backups_for(tenant.slug)
    assert ConsoleAction.objects.filter(tenant=tenant, action="backup", detail=backup.name).exists()
    page = console.get(f"/console/companies/{tenant.pk}/backups/").content.decode()
    assert backup.name in page
    assert f"/console/companies/{tenant.pk}/backups/{backup.name}/restore/" in page


def test_restore_form_needs_a_valid_free_slug_or_the_typed_subdomain(console, tenant):
    backup = tenant_backup(tenant=tenant)
    url = f"/console/companies/{tenant.pk}/backups/{backup.name}/restore/"
    assert console.get(url).status_code == 200
    response = console.post(url, {"mode": "new", "new_slug": "beta"})
    assert response.status_code == 422 and "already taken" in response.content.decode()
    response = console.post(url, {"mode": "replace", "confirm_slug": "alph"})
    assert response.status_code == 422 and "Type “alpha” exactly" in response.content.decode()
    before = OrmQ.objects.count()
    response = console.post(url, {"mode": "new", "new_slug": "alpha-restored"})
    assert response.status_code == 200
    assert JobProgress.objects.filter(func_path="apps.tenants.backup_jobs.restore_run").exists()
    assert OrmQ.objects.count() == before  # queued only on commit (the test never commits)


def test_restore_of_an_unknown_file_is_404(console, tenant):
    url = f"/console/companies/{tenant.pk}/backups/..%2F..%2Fetc%2Fpasswd/restore/"
    assert console.get(url).status_code == 404


def test_company_page_links_to_its_backups(console, tenant):
    page = console.get(f"/console/companies/{tenant.pk}/").content.decode()
    assert f"/console/companies/{tenant.pk}/backups/" in page
