"""Property-based run of every documented operation (Schemathesis): generated requests,
valid and invalid, must never get a 5xx, and every answer must match the documented
schema. A bounded number of examples per operation keeps it in the default run."""

from __future__ import annotations

import datetime
import json

import httpx
import pytest
import schemathesis
from django.core.cache import cache
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from apps.accounts.models import ApiKey, Role
from tests.api.conftest import key_for


@pytest.fixture
def owner_key(tenant, users):
    return key_for(tenant, users[Role.OWNER], [f"{area}:write" for area in ApiKey.AREAS])


def _call(case, client, key):
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    headers = {k: v for k, v in (kwargs.get("headers") or {}).items() if k.lower() != "host"}
    headers["Authorization"] = f"Api-Key {key}"
    body = kwargs.get("json")
    content = json.dumps(body).encode() if body is not None else kwargs.get("data") or b""
    url = httpx.URL(kwargs["url"], params=kwargs.get("params") or None)
    response = client.generic(
        kwargs["method"],
        url.raw_path.decode(),
        data=content,
        content_type=headers.pop("Content-Type", "application/json"),
        **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()},
    )
    assert response.status_code < 500, (case.as_curl_command(), response.content[:500])
    translated = httpx.Response(
        response.status_code,
        headers=dict(response.items()),
        content=response.content,
        request=httpx.Request(kwargs["method"], url),
    )
    translated.elapsed = datetime.timedelta(0)
    return translated


def test_no_operation_answers_5xx_or_breaks_its_schema(tenant_client, owner_key):
    spec = json.loads(tenant_client.get("/api/schema/", HTTP_ACCEPT="application/json").content)
    operations = [
        result.ok() for result in schemathesis.openapi.from_dict(spec).get_all_operations()
    ]
    assert len(operations) > 20
    failures = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=4,
            phases=[Phase.explicit, Phase.generate],  # report the first failure; no shrinking
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            cache.clear()  # throttles would otherwise turn later examples into 429s
            response = _call(case, tenant_client, owner_key)
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance]
            )

        try:
            run()
        except Exception as error:  # noqa: BLE001 - collect every operation's failure
            failures.append(f"{operation.method.upper()} {operation.path}: {error}"[:600])
    assert not failures, "\n\n".join(failures)
