from decimal import Decimal as D

from apps.inventory import arrivals
from apps.inventory.services import MoveLine, stock_moves_post

heard: list[list[int]] = []


def _listener(variant_ids):
    heard.append(variant_ids)


def test_listeners_hear_of_variants_whose_stock_went_up_after_commit(
    stock_setup, sync_jobs, monkeypatch
):
    monkeypatch.setattr(arrivals, "_listeners", {})
    arrivals.on_stock_arrival(_listener)
    heard.clear()
    small, large = stock_setup["variants"]["m"], stock_setup["variants"]["l"]
    place = stock_setup["bins"]["east"]
    with sync_jobs():
        stock_moves_post(
            lines=[
                MoveLine(small.pk, place.pk, D(5), D(2)),
                MoveLine(large.pk, place.pk, D(3), D(2)),
            ],
            kind="receipt",
        )
        assert heard == []  # nothing before the commit
    assert heard == [sorted([small.pk, large.pk])]

    heard.clear()
    with sync_jobs():  # stock going down is not an arrival
        stock_moves_post(
            lines=[MoveLine(small.pk, place.pk, D(-1))], kind="adjustment", reason="lost"
        )
    assert heard == []


def test_nothing_is_queued_without_listeners(
    stock_setup, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(arrivals, "_listeners", {})
    v, place = stock_setup["variants"]["m"], stock_setup["bins"]["east"]
    with django_capture_on_commit_callbacks() as callbacks:
        stock_moves_post(lines=[MoveLine(v.pk, place.pk, D(5), D(2))], kind="receipt")
    assert callbacks == []
