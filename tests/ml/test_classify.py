import numpy as np
import pytest

from ml.classify import adi_cv2, classify, classify_values, describe, trend_per_month


@pytest.mark.parametrize(
    ("adi", "cv2", "expected"),
    [
        (1.0, 0.0, "smooth"),
        (1.3199, 0.4899, "smooth"),
        (1.32, 0.4899, "intermittent"),
        (1.3199, 0.49, "erratic"),
        (1.32, 0.49, "lumpy"),
        (5.0, 2.0, "lumpy"),
        (np.inf, 0.0, "no_demand"),
    ],
)
def test_class_boundaries(adi, cv2, expected):
    assert classify_values(np.array([adi]), np.array([cv2]))[0] == expected


def test_adi_and_cv2_of_a_constructed_series():
    # 100 demands on 132 observed days: ADI 1.32. Sizes alternate 17 and 3: CV² = 0.7² = 0.49.
    y = np.zeros(132)
    y[:100] = np.tile([17.0, 3.0], 50)
    adi, cv2 = adi_cv2(y[None, :])
    assert adi[0] == pytest.approx(1.32)
    assert cv2[0] == pytest.approx(0.49)
    # Leading unknown days do not count as zero-demand days.
    padded = np.concatenate([np.full(50, np.nan), np.ones(10)])
    assert classify(padded[None, :])[0] == "smooth"
    assert classify(np.zeros((1, 30)))[0] == "no_demand"


def test_trend_and_pattern_words():
    t = np.arange(91.0)
    rising = 100 + t  # +30 units a month on a level of ~145
    assert trend_per_month(rising[None, :])[0] == pytest.approx(30 / 145, rel=0.01)
    assert describe(0.6, 0.12) == "strong weekly pattern; trending up about 12% a month"
    assert describe(0.0, -0.2) == "no weekly pattern; trending down about 20% a month"
