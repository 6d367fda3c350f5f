import os
import subprocess
import sys
import uuid

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from apps.core.sequences import document_number, sequence_next, sequence_peek, sequence_restart
from apps.tenants.models import Tenant


def test_numbers_count_up_per_company_without_collisions(tenant, other_tenant):
    with schema_context(tenant.schema_name):
        assert sequence_peek("sales_order") == 1
        assert [sequence_next("sales_order") for _ in range(3)] == [1, 2, 3]
        assert document_number("SO-", "sales_order") == "SO-000004"
        assert sequence_peek("sales_order") == 5
    with schema_context(other_tenant.schema_name):
        assert sequence_next("sales_order") == 1


def test_restart_sets_the_next_number(tenant):
    with schema_context(tenant.schema_name):
        sequence_restart("purchase_order", next_value=45)
        assert document_number("PO-", "purchase_order") == "PO-000045"


def test_a_rolled_back_document_does_not_reuse_its_number(tenant):
    from django.db import transaction

    with schema_context(tenant.schema_name):
        first = sequence_next("invoice")
        with pytest.raises(RuntimeError), transaction.atomic():
            sequence_next("invoice")
            raise RuntimeError("document failed")
        assert sequence_next("invoice") == first + 2  # a gap, never a duplicate


def test_bad_names_are_refused(tenant):
    with schema_context(tenant.schema_name), pytest.raises(ValueError):
        sequence_next("x; drop table")


def test_parallel_processes_never_get_the_same_number(django_db_setup, django_db_blocker):
    """Separate processes creating and using one sequence at once. Commits for real
    (the processes see only committed schemas), so it uses a fresh name and drops it."""
    name = f"race_{uuid.uuid4().hex[:8]}"
    code = (
        "import django, os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE','config.settings');"
        "django.setup();"
        "from django_tenants.utils import schema_context;"
        "from apps.core.sequences import sequence_next;"
        "ctx = schema_context(sys.argv[1]); ctx.__enter__();"
        "print(' '.join(str(sequence_next(sys.argv[2])) for _ in range(50)))"
    )
    with django_db_blocker.unblock():
        schema = Tenant.objects.get(slug="alpha").schema_name
        env = dict(os.environ, STOCKROOM_DB_NAME=connection.settings_dict["NAME"])
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", code, schema, name], stdout=subprocess.PIPE, env=env
            )
            for _ in range(4)
        ]
        try:
            numbers = [int(n) for p in procs for n in p.communicate(timeout=60)[0].split()]
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SEQUENCE IF EXISTS "{schema}".stockroom_seq_{name}')
    assert sorted(numbers) == list(range(1, 201))
