from apps.core.errors import DomainError


class ForecastingError(DomainError):
    """Something a user asked of forecasting that cannot be done; the message says why."""
