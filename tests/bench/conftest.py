"""Benchmarks: run with `make bench`, never part of `make test`.

They use their own test database (suffix `_bench`, kept between runs with
--reuse-db so the 1,000 companies are made once) and print their figures.
"""

import statistics

import pytest


def summary(label: str, seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p50 = statistics.median(ordered)
    p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)]
    return f"{label}: n={len(ordered)} p50={p50 * 1000:.0f} ms p95={p95 * 1000:.0f} ms"


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        yield
