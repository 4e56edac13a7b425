"""Property tests of the JSON API against its own OpenAPI document (Schemathesis): for
generated requests, no server error, and every status, header and body as documented."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

#: Dates over the whole calendar, the accepted range's bounds and their neighbours included,
#: so the routes meet what their schema admits but the service refuses (docs/interchange.md).
BOUNDS = [date(1, 1, 1), date(1899, 12, 31), date(1900, 1, 1), date(2199, 12, 31),
          date(2200, 1, 1), date(9999, 12, 31)]
schemathesis.openapi.format("date", st.one_of(st.sampled_from(BOUNDS), st.dates())
                            .map(date.isoformat))


@pytest.fixture
def api_schema(signed_in: dict[str, Any]) -> Iterator[Any]:
    """The published OpenAPI document, read from the application itself by the signed-in
    user (it is not published to anyone else). As Django's test
    client does, requests keep the test's database connection open (set up after the
    ``signed_in`` client, which connects the closing again when its requests end)."""
    document = signed_in["client"].get("/api/v1/openapi.json").json()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_dict(document)
        schema.app, schema.location = get_wsgi_application(), "/api/v1/openapi.json"
        yield schema
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def signed_in(make_user: Any, make_case: Any) -> dict[str, Any]:
    """Cookies and header of a signed-in court-staff session with its CSRF token, and a
    case to read."""
    make_case()
    client = Client()
    client.get("/accounts/login/")  # sets the CSRF cookie
    client.force_login(make_user("court", "court_staff"))
    token = client.cookies["csrftoken"].value
    return {"cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": token},
            "headers": {"X-CSRFToken": token}, "client": client}


#: Operations whose actions check more than the schema can say, and the fields they name.
RULES_BEYOND_THE_SCHEMA = {
    # A query of only spaces or control characters is no query (refused, as an empty one).
    "/cases": {"q"},
    "/cases/{case_ref}/scores": {"rsr_percent", "osp", "assessed_on"},
    "/cases/{case_ref}/handover/override": {"value", "reason", "reason_text"},
    "/cases/{case_ref}/custody": {f"custody.{name}" for name in (
        "sentence_start_date", "conditional_release_date", "automatic_release_date",
        "parole_eligibility_date", "home_detention_curfew_eligibility_date",
        "home_detention_curfew_actual_date", "tariff_date", "target_hearing_date",
        "licence_expiry_date", "custody")},
    "/handovers/what-if": {"version", "start", "handover_era", "scope"},
}


def test_api_matches_its_openapi_document(api_schema: Any, signed_in: dict[str, Any]) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 5
    statuses: list[int] = []
    today = timezone.localdate().isoformat()
    for operation in operations:

        @given(case=operation.as_strategy())
        # Derandomized, so CI runs the same examples every time; new ones come with new code.
        @settings(max_examples=40, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def conforms(case: Any) -> None:
            if case.path_parameters and case.path_parameters.get("case_ref", "")[:1] != "X":
                case.path_parameters["case_ref"] = "X000001"  # mostly the case that exists
            response = case.call(cookies=signed_in["cookies"], headers=signed_in["headers"])
            statuses.append(response.status_code)
            known_on = (case.query or {}).get("known_on")
            if known_on and not "1900-01-01" <= str(known_on) <= today:
                # "Not in the future" and the accepted range are rules OpenAPI cannot state:
                # their refusal is checked here instead of by the positive-data check.
                assert response.status_code == 422
                assert response.json()["detail"][0]["field"] == "known_on"
                return
            rules = RULES_BEYOND_THE_SCHEMA.get(case.operation.path.removeprefix("/api/v1"))
            if rules is not None:
                # The actions' rules (RSR 0–100 with two decimals, a policy version that
                # exists, dates in order…) go beyond what the schema states: a refusal must
                # name one of the operation's own fields.
                if response.status_code == 422:
                    fields = {d["field"] for d in response.json()["detail"]}
                    assert fields and fields <= rules
                case.validate_response(response, excluded_checks=[positive_data_acceptance])
                return
            case.validate_response(response)

        conforms()
    assert len(statuses) >= 10 * len(operations)
    assert {200, 422} <= set(statuses)  # both answered and rejected requests were tried


def test_control_characters_in_a_query_or_reference_are_not_server_errors(
        client_for: Any, make_case: Any) -> None:
    make_case()
    client = client_for("pom", "pom")
    assert client.get("/api/v1/cases", {"q": "Jo\x00nes"}).status_code == 200
    assert client.get("/cases/", {"q": "Jo\x00nes"}).status_code == 200
    assert client.get("/api/v1/cases/X00\x000001").status_code == 404
    assert client.get("/cases/X00%00001/").status_code == 404


def test_the_document_has_no_key_twice(signed_in: dict[str, Any]) -> None:
    """Swagger UI reads the document as YAML, which refuses a key given twice in one object
    (a status written once as a number and once as text is one such), and the docs page
    then shows nothing."""
    repeated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in items]
        repeated.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(items)

    text = signed_in["client"].get("/api/v1/openapi.json").content.decode()
    json.loads(text, object_pairs_hook=pairs)
    assert repeated == []
