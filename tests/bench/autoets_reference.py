"""AutoETS reference forecasts for the accuracy benchmark, run in the benchmark-only venv.

statsforecast (Nixtla) pins pandas < 3, which the app does not, so it lives in its own
virtualenv (``make bench-reference`` builds ``.venv-bench``) and this script is its only
user: ``.venv-bench/bin/python tests/bench/autoets_reference.py in.npz out.npz``.
``in.npz`` holds ``y`` (series x days; NaN only before a series starts), ``horizon`` and
``season``; ``out.npz``
gets ``point`` and the 80%/95% bounds (``lo_80``, ``hi_80``, ``lo_95``, ``hi_95``) from
AutoETS's own intervals, plus ``seconds``.
"""

from __future__ import annotations

import sys
import time
import warnings

import numpy as np


def main(source: str, target: str) -> None:
    from statsforecast.models import AutoETS

    data = np.load(source)
    y, horizon, season = data["y"], int(data["horizon"]), int(data["season"])
    out = {k: np.zeros((len(y), horizon)) for k in ("point", "lo_80", "hi_80", "lo_95", "hi_95")}
    started = time.perf_counter()
    for i, row in enumerate(y):
        row = row[np.argmax(~np.isnan(row)) :]  # from the series' first known day
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fc = AutoETS(season_length=season).forecast(
                y=row.astype(float), h=horizon, level=[80, 95]
            )
        out["point"][i] = fc["mean"]
        for c in (80, 95):
            out[f"lo_{c}"][i] = fc[f"lo-{c}"]
            out[f"hi_{c}"][i] = fc[f"hi-{c}"]
    np.savez(target, seconds=time.perf_counter() - started, **out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
