"""Stockroom's forecasting library: plain Python (pandas, statsmodels, xgboost), never Django.

Series in; forecasts, intervals and metrics out. ``apps.forecasting`` feeds it
from the stock ledger and stores the results. Built by the forecasting issue.
"""

import os

# XGBoost's OpenMP threads spin while waiting by default; on a busy 2-core machine that
# costs 4-7x. Passive waiting is set before xgboost (and its libgomp) is first imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
