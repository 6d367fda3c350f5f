from tests.sales.conftest import make_order, selling, web  # noqa: F401 - shared fixtures
