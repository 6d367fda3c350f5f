"""The published schema documents every operation's error answers and the main writes'
examples, and ``?fields=`` where it works."""

from __future__ import annotations

import json

import pytest

from apps.api.examples import DOCUMENTED_WRITES

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def spec(tenant_client):
    response = tenant_client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return json.loads(response.content)


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def _error_ref(response) -> str | None:
    return response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")


def test_every_operation_documents_its_errors_with_the_error_body(spec):
    error = spec["components"]["schemas"]["Error"]
    detail = spec["components"]["schemas"]["ErrorDetail"]
    assert error["required"] == ["error"]
    assert set(detail["required"]) == {"code", "message", "fields"}
    operations = list(_operations(spec))
    assert len(operations) > 50
    for path, method, operation in operations:
        errors = {c: r for c, r in operation["responses"].items() if c.startswith("4")}
        where = f"{method.upper()} {path}"
        assert {"401", "403", "429"} <= set(errors), where
        for code, response in errors.items():
            assert _error_ref(response) == "#/components/schemas/Error", (where, code)
            assert response["content"]["application/json"]["examples"], (where, code)
        assert "Retry-After" in errors["429"]["headers"], where
        if "{" in path:
            assert "404" in errors, where
        if method == "post":
            assert {"400", "409", "422"} <= set(errors), where


def test_etag_guarded_writes_document_412(spec):
    paths = spec["paths"]
    assert "412" in paths["/api/products/{id}/"]["patch"]["responses"]
    assert "412" in paths["/api/orders/{id}/confirm/"]["post"]["responses"]
    assert "412" not in paths["/api/warehouses/"]["post"]["responses"]


def test_insufficient_stock_example_shows_the_failing_lines(spec):
    conflict = spec["paths"]["/api/inventory/adjust/"]["post"]["responses"]["409"]
    examples = conflict["content"]["application/json"]["examples"]
    body = examples["Insufficientstock"]["value"]["error"]
    assert body["code"] == "insufficient_stock" and body["lines"][0]["available"]


def test_main_write_operations_have_examples(spec):
    by_id = {op["operationId"]: (path, op) for path, _, op in _operations(spec)}
    for operation_id in DOCUMENTED_WRITES:
        path, operation = by_id[operation_id]
        request = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
        success = [r for c, r in operation["responses"].items() if c.startswith("2")]
        response_examples = [
            r["content"]["application/json"].get("examples") for r in success if "content" in r
        ]
        assert request.get("examples") or any(response_examples), operation_id
    for operation_id in (
        "products_create",
        "inventory_adjust_create",
        "inventory_transfers_create",
        "orders_create",
        "orders_fulfill_create",
        "purchase_orders_receive_create",
        "ml_forecast_create",
    ):
        path, operation = by_id[operation_id]
        assert operation["requestBody"]["content"]["application/json"]["examples"], operation_id
    created = by_id["orders_create"][1]["responses"]["201"]["content"]["application/json"]
    (example,) = created["examples"].values()
    assert example["value"]["status"] == "confirmed" and example["value"]["lines"]


def test_sparse_fields_is_documented_on_main_resources_gets_only(spec):
    def names(path, method):
        return {p["name"] for p in spec["paths"][path][method].get("parameters", [])}

    for path in ("/api/products/", "/api/products/{id}/", "/api/orders/", "/api/customers/"):
        assert "fields" in names(path, "get"), path
    assert "fields" not in names("/api/products/{id}/", "patch")
    assert "fields" not in names("/api/reports/", "get")
