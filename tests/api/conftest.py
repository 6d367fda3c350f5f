from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django_tenants.utils import schema_context

from apps.accounts.models import ApiKey, Role
from apps.accounts.services.api_keys import api_key_create


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()  # throttle counters live in the cache
    yield
    cache.clear()


class Api:
    """JSON calls to one company's API with a credential."""

    def __init__(self, client, **headers):
        self.client = client
        self.headers = headers

    def _call(self, method, path, data=None, **headers):
        kwargs = {**self.headers, **headers}
        if data is not None:
            kwargs["data"] = json.dumps(data)
            kwargs["content_type"] = "application/json"
        response = getattr(self.client, method)(path, **kwargs)
        response.json_body = (
            response.json()
            if response.get("Content-Type", "").startswith("application/json")
            else None
        )
        return response

    def get(self, path, **kw):
        return self._call("get", path, **kw)

    def post(self, path, data=None, **kw):
        return self._call("post", path, data if data is not None else {}, **kw)

    def patch(self, path, data=None, **kw):
        return self._call("patch", path, data or {}, **kw)


def key_for(tenant, user, scopes) -> str:
    with schema_context(tenant.schema_name):
        _, raw = api_key_create(name="test", scopes=scopes, created_by=user)
    return raw


@pytest.fixture
def api_as(tenant, tenant_client, users):
    """``api_as(Role.CLERK, ["inventory:write"])`` → an Api client with a fresh key."""

    def make(role=Role.OWNER, scopes=None):
        scopes = scopes or [f"{area}:write" for area in ApiKey.AREAS]
        return Api(
            tenant_client, HTTP_AUTHORIZATION=f"Api-Key {key_for(tenant, users[role], scopes)}"
        )

    return make
