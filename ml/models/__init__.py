"""Forecasting models behind one interface (see ``ml.models.base``)."""

from ml.models.base import Context, Forecast, Model
from ml.models.baseline import MovingAverage, Naive, SeasonalNaive
from ml.models.ensemble import Ensemble, combine, skill_weights, stack_weights
from ml.models.ets import ETS, HoltWinters
from ml.models.intermittent import SBA, TSB, Croston
from ml.models.xgb import GlobalXGB

__all__ = [
    "Context",
    "Croston",
    "ETS",
    "Ensemble",
    "Forecast",
    "GlobalXGB",
    "HoltWinters",
    "Model",
    "MovingAverage",
    "Naive",
    "SBA",
    "SeasonalNaive",
    "TSB",
    "combine",
    "skill_weights",
    "stack_weights",
]
