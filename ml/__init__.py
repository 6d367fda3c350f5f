"""Stockroom's forecasting library: plain Python (pandas, statsmodels, xgboost), never Django.

Series in; forecasts, intervals and metrics out. ``apps.forecasting`` feeds it
from the stock ledger and stores the results. Built by the forecasting issue.
"""
