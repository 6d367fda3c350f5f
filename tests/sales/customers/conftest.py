from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.sales.customers.services import CustomerData, customer_create


def customer_make(tenant, name="Acme Ltd", **fields):
    with schema_context(tenant.schema_name):
        return customer_create(data=CustomerData(name=name, **fields))


@pytest.fixture
def manager_client(tenant_client, users):
    tenant_client.force_login(users[Role.MANAGER])
    return tenant_client
