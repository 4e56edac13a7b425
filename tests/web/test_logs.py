"""Structured logs with a request id: every response says its id in X-Request-ID, every line
logged while answering it carries the id, and lines are JSON unless OMP_DEBUG is on."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from omp.web import logs

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What the service's JSON handler writes during the test."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.formatter(json=True))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def _parsed(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.parametrize("url", ["/accounts/login/", "/cases/", "/api/v1/cases?q=x",
                                 "/no-such-page/", "/healthz"])
def test_every_answer_has_a_request_id(client: Client, url: str) -> None:
    first, second = client.get(url), client.get(url)
    assert len(first["X-Request-ID"]) == 32 and first["X-Request-ID"] != second["X-Request-ID"]


def test_an_id_given_by_a_proxy_is_kept_and_a_strange_one_replaced(client: Client) -> None:
    given = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a2c9e-0001")
    assert given["X-Request-ID"] == "lb-7f3a2c9e-0001"
    strange = client.get("/healthz", HTTP_X_REQUEST_ID='x"\n{"level":"error"}')
    assert len(strange["X-Request-ID"]) == 32 and "\n" not in strange["X-Request-ID"]


def test_every_line_of_a_request_carries_its_id(client: Client, make_user: Any,
                                                log_lines: io.StringIO) -> None:
    make_user("clerk", "court_staff")
    response = client.post("/accounts/login/", {"username": "clerk", "password": "wrong"})
    lines = _parsed(log_lines)
    ours = [line for line in lines if line.get("request_id") == response["X-Request-ID"]]
    assert ours == lines and len(lines) >= 2
    failed = next(line for line in lines if line["logger"] == "omp.signin")
    assert failed["event"] == "Sign-in failed for 'clerk' from 127.0.0.1"
    assert failed["level"] == "warning" and failed["timestamp"].endswith("Z")
    request = next(line for line in lines if line["logger"] == "omp.requests")
    assert request["event"] == "request" and request["method"] == "POST"
    assert request["path"] == "/accounts/login/" and request["status"] == 200
    assert isinstance(request["duration_ms"], float)


def test_the_request_line_leaves_out_the_query(client: Client, log_lines: io.StringIO) -> None:
    client.get("/cases/", {"q": "Jo Smith"})
    assert "Smith" not in log_lines.getvalue()
    assert any(line.get("path") == "/cases/" for line in _parsed(log_lines))


def _logged_by_the_service(**environment: str) -> str:
    env = {key: value for key, value in os.environ.items() if not key.startswith("OMP_")}
    env.update(environment, OMP_DATABASE_URL="sqlite:///:memory:")
    code = ("import django, logging; django.setup(); "
            "logging.getLogger('omp.test').warning('written', extra={'case': 'X1'})")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, text=True, timeout=60,
                            capture_output=True, check=True,
                            env={**env, "DJANGO_SETTINGS_MODULE": "omp.web.settings"})
    return result.stderr.strip()


def test_json_lines_in_production() -> None:
    line = json.loads(_logged_by_the_service(OMP_DEBUG="false"))
    assert (line["event"], line["level"], line["logger"], line["case"]) == (
        "written", "warning", "omp.test", "X1")


def test_readable_lines_in_development() -> None:
    line = _logged_by_the_service(OMP_DEBUG="true")
    assert "written" in line and "omp.test" in line and "case=X1" in line
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)
