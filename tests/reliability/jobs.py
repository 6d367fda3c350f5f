"""Test-only jobs for the reliability tests: slow, staged tenant writes."""

from __future__ import annotations

import time
from pathlib import Path

from django.db import connection, transaction

from apps.accounts.models import Role, User


def staged_write(marker: str, attempts_file: str) -> int:
    """Create three users in one transaction, one stage at a time.

    Each attempt appends a line to ``attempts_file`` before its first write. The
    first attempt then stalls (the test kills the worker there); later attempts
    finish quickly. Returns how many users the attempt created.
    """
    log = Path(attempts_file)
    with log.open("a") as fh:
        fh.write("start\n")
    first = len(log.read_text().splitlines()) == 1
    with transaction.atomic():
        for stage in range(3):
            User.objects.create_user(
                email=f"{marker}-{stage}@{connection.schema_name}.job",
                password=None,
                role=Role.VIEWER,
            )
            if stage == 0:
                with log.open("a") as fh:
                    fh.write("stage 0 written\n")
                time.sleep(60 if first else 0.2)
    return 3
