"""Every route's OpenAPI entry lists the refusals it gives: 400 where a body that is not JSON
is refused, 422 where a query parameter or body the schema checks is refused. Each is tried
for real against every route the document publishes, so a new route is checked too."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

#: A value each kind of checked query parameter refuses.
_BAD = {"integer": "many", "number": "many", "boolean": "perhaps"}


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, operation) for path, item in schema["paths"].items()
            for method, operation in item.items()]


def _url(path: str) -> str:
    return path.replace("{case_ref}", "X000001").replace("{referral_id}", "1")


def _bad_value(parameter: dict[str, Any]) -> str | None:
    """A value the parameter's schema refuses, or None when it accepts any text."""
    schema = parameter.get("schema", {})
    if "enum" in schema:
        return "no-such-value"
    if schema.get("format") == "date":
        return "31/02/2026"
    if schema.get("minLength"):
        return ""
    return _BAD.get(schema.get("type", "string"))


@pytest.fixture
def schema_and_client(client_for: Any, make_case: Any) -> tuple[dict[str, Any], Client]:
    make_case()
    client = client_for("everyone", "admin")
    return client.get("/api/v1/openapi.json").json(), client


def test_a_body_that_is_not_json_is_400_and_documented(
        schema_and_client: tuple[dict[str, Any], Client]) -> None:
    schema, client = schema_and_client
    with_body = [(p, m, o) for p, m, o in _operations(schema) if "requestBody" in o]
    assert len(with_body) >= 3
    for path, method, operation in with_body:
        response = getattr(client, method)(_url(path), "{not json",
                                           content_type="application/json")
        assert response.status_code == 400, (method, path)
        assert response.json() == {"detail": "Cannot parse request body"}
        assert {"400", "422"} <= set(operation["responses"]), (method, path)


def test_a_checked_query_parameter_refused_is_422_and_documented(
        schema_and_client: tuple[dict[str, Any], Client]) -> None:
    schema, client = schema_and_client
    tried = 0
    for path, method, operation in _operations(schema):
        for parameter in operation.get("parameters", []):
            bad = _bad_value(parameter)
            if parameter["in"] != "query" or bad is None:
                continue
            query = {p["name"]: "2026-01-01" if p.get("schema", {}).get("format") == "date"
                     else "X000001" for p in operation["parameters"]
                     if p["in"] == "query" and p.get("required")}
            query[parameter["name"]] = bad
            response = getattr(client, method)(_url(path), query)
            assert response.status_code == 422, (method, path, parameter["name"])
            fields = [problem["field"] for problem in response.json()["detail"]]
            assert parameter["name"] in fields, (method, path, fields)
            assert "422" in operation["responses"], (method, path)
            tried += 1
    assert tried >= 5


def test_every_refusal_documented_has_the_error_shape(
        schema_and_client: tuple[dict[str, Any], Client]) -> None:
    schema, _ = schema_and_client
    shapes = {"400": "Message", "401": "Message", "403": "Message", "404": "Message",
              "422": "InputErrors"}
    for path, method, operation in _operations(schema):
        for status, answer in operation["responses"].items():
            if status in shapes:
                reference = answer["content"]["application/json"]["schema"]["$ref"]
                assert reference.endswith("/" + shapes[status]), (method, path, status)
