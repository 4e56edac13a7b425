"""Response headers: a strict Content-Security-Policy on every page (no inline script without
the request's nonce, no eval, no inline style), ``Cache-Control: no-store`` on everything
the application answers, and OMP_SECURE switching on HTTPS-only settings so that
``manage.py check --deploy`` gives no warning."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
_SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def _policy(response: Any) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in
            (directive.split() for directive in header.split(";") if directive.strip())}


def _inline_scripts_without_nonce(body: str, nonce: str | None) -> list[str]:
    """Every <script> tag that would run inline code without the response's nonce."""
    wrong = []
    for match in _SCRIPT.finditer(body):
        attributes = match.group(1)
        if "src=" in attributes or 'type="application/json"' in attributes:
            continue
        if nonce is None or f'nonce="{nonce}"' not in attributes:
            wrong.append(match.group(0))
    return wrong


@pytest.fixture
def pages(client_for: Any, named_case: Any) -> list[tuple[Client, str]]:
    named_case()
    from django.contrib.auth.models import User

    clerk = client_for("clerk", "court_staff")
    admin = Client()
    admin.force_login(User.objects.create_superuser("root", password="a-long-test-password"))
    return [(Client(), "/accounts/login/"), (Client(), "/accounts/signed-out/?reason=idle"),
            (clerk, "/cases/"), (clerk, "/cases/?q=smith"), (clerk, "/cases/X000001/"),
            (clerk, "/cases/X000001/scores/"), (clerk, "/handovers/"),
            (clerk, "/handovers/what-if/?version=E&start=2027-04-01"),
            (clerk, "/no-such-page/"), (clerk, "/outcomes/"), (admin, "/admin/"),
            (admin, "/admin/cases/person/"), (admin, "/admin/axes/accessattempt/"),
            (clerk, "/api/v1/docs")]


def test_every_page_has_a_strict_policy_and_no_inline_script_without_its_nonce(
        pages: list[tuple[Client, str]]) -> None:
    for client, url in pages:
        response = client.get(url)
        assert response.status_code in (200, 403, 404), url
        policy = _policy(response)
        assert policy["default-src"] == ["'self'"], url
        assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"], url
        assert policy["frame-ancestors"] == ["'none'"], url
        assert policy["style-src"] == ["'self'"], url
        script_src = policy["script-src"]
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, url
        nonces = [value[len("'nonce-"):-1] for value in script_src
                  if value.startswith("'nonce-")]
        body = response.content.decode()
        assert _inline_scripts_without_nonce(body, nonces[0] if nonces else None) == [], url
        assert " style=" not in body or url.startswith(("/admin/", "/api/")), url


def test_the_nonce_is_new_for_every_response(client: Client) -> None:
    first = _policy(client.get("/accounts/login/"))["script-src"]
    second = _policy(client.get("/accounts/login/"))["script-src"]
    assert first != second and all(v.startswith("'") for v in first + second)


def test_charts_need_no_inline_script(client_for: Any, named_case: Any) -> None:
    named_case()
    body = client_for("clerk", "court_staff").get(
        "/handovers/what-if/", {"version": "E", "start": "2027-04-01"}).content.decode()
    assert 'data-app-chart="what-if-chart-spec"' in body
    assert re.search(r'data-charts-src="/static/dist/js/charts[^"]*\.js"', body)
    assert '<script id="what-if-chart-spec" type="application/json">' in body


@pytest.mark.parametrize("url", ["/cases/X000001/", "/api/v1/cases/X000001",
                                 "/handovers/?format=csv", "/cases/?q=smith", "/outcomes/"])
def test_answers_are_never_stored(client_for: Any, named_case: Any, url: str) -> None:
    named_case()
    response = client_for("clerk", "court_staff", "analyst").get(url)
    assert response.status_code == 200, url
    assert "no-store" in response["Cache-Control"].split(", "), url
    assert "private" in response["Cache-Control"].split(", "), url


def test_pages_before_sign_in_are_not_stored_either(client: Client) -> None:
    assert "no-store" in client.get("/accounts/login/")["Cache-Control"].split(", ")


def test_static_files_stay_cacheable(client: Client) -> None:
    response = client.get("/static/dist/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "Content-Security-Policy" not in response


def test_omp_secure_redirects_to_https_and_sends_hsts(client: Client, settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = settings.SECURE_HSTS_PRELOAD = True
    plain = client.get("/accounts/login/")
    assert plain.status_code == 301 and plain.url == "https://testserver/accounts/login/"
    secure = client.get("/accounts/login/", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == \
        "max-age=31536000; includeSubDomains; preload"


def _check_deploy(**environment: str) -> subprocess.CompletedProcess[str]:
    # As a deployment would run it: none of the test run's own settings.
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("OMP_") and key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(OMP_DATABASE_URL=os.environ.get("OMP_DATABASE_URL", "sqlite:///:memory:"),
               **environment)
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy",
                           "--fail-level", "WARNING"], cwd=ROOT, env=env, text=True,
                          capture_output=True, timeout=120)


def test_check_deploy_is_clean_with_omp_secure() -> None:
    result = _check_deploy(OMP_SECURE="true", OMP_SECRET_KEY=secrets.token_urlsafe(64))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_names_what_omp_secure_switches_on() -> None:
    result = _check_deploy(OMP_SECRET_KEY=secrets.token_urlsafe(64))
    assert result.returncode == 1
    found = set(re.findall(r"security\.W\d+", result.stdout + result.stderr))
    assert found == {"security.W004", "security.W008", "security.W012", "security.W016"}
