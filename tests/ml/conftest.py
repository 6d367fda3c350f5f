import numpy as np
import pandas as pd
import pytest

WEEKLY = np.array([1.0, 1.0, 1.0, 1.1, 1.3, 1.6, 0.5])


def tidy(y: np.ndarray, start: str = "2024-01-01", **extra) -> pd.DataFrame:
    n, t = y.shape
    dates = pd.date_range(start, periods=t, freq="D")
    frame = pd.DataFrame(
        {
            "series_id": np.repeat([f"s{i:03d}" for i in range(n)], t),
            "date": np.tile(dates, n),
            "quantity": y.ravel(),
        }
    )
    for key, value in extra.items():
        frame[key] = np.asarray(value).ravel()
    return frame


def poisson_panel(n: int, t: int, seed: int = 0, intermittent: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    level = rng.gamma(2.0, 4.0, n)
    level[:intermittent] = rng.uniform(0.1, 0.4, intermittent)
    days = np.arange(t)
    return rng.poisson(level[:, None] * WEEKLY[days % 7][None, :]).astype(float)


@pytest.fixture
def seasonal():
    """Three noise-free weekly series of different sizes, 16 weeks."""
    pattern = np.array([5.0, 6, 7, 8, 12, 20, 3])
    return np.stack([np.tile(pattern * k, 16) for k in (1, 2, 5)])
