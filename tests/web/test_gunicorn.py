"""`make run`'s server: gunicorn with the service's settings (omp.web.gunicorn_conf) answers
the health check and pages, serves static files through WhiteNoise, and logs JSON lines with
the request id."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """gunicorn on a free port (one worker of two threads), its log file."""
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("OMP_") and key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(OMP_DATABASE_URL=f"sqlite:///{tmp_path / 'omp.sqlite3'}",
               OMP_WEB_BIND=f"127.0.0.1:{port}", OMP_WEB_WORKERS="1", OMP_WEB_THREADS="2")
    with log.open("w") as output:
        process = subprocess.Popen([str(GUNICORN), "-c", "python:omp.web.gunicorn_conf"],
                                   cwd=ROOT, env=env, stdout=output, stderr=output)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=5)
                break
            except (urllib.error.URLError, ConnectionError):
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        yield base, log
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_gunicorn_serves_the_service(server: tuple[str, Path]) -> None:
    base, log = server
    health = urllib.request.urlopen(f"{base}/healthz", timeout=10)
    assert health.status == 200 and json.load(health) == {"status": "ok", "database": "ok"}
    request_id = health.headers["X-Request-ID"]

    page = urllib.request.urlopen(f"{base}/accounts/login/", timeout=10)
    assert page.status == 200 and "Sign in" in page.read().decode()
    assert "script-src 'self' 'nonce-" in page.headers["Content-Security-Policy"]

    stylesheet = urllib.request.urlopen(f"{base}/static/dist/css/app.css", timeout=10)
    assert stylesheet.status == 200 and stylesheet.headers["Content-Type"].startswith("text/css")

    time.sleep(0.5)  # the worker writes its line after answering
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert any(line["event"].startswith("Starting gunicorn") for line in lines)
    assert any(line["event"] == "Using worker: gthread" for line in lines)
    # Where it answers is said once it listens, in a line like the others.
    assert any(line["event"].startswith(f"Serving on {base}") for line in lines)
    health_line = next(line for line in lines if line.get("request_id") == request_id)
    assert (health_line["logger"], health_line["path"], health_line["status"]) == (
        "omp.requests", "/healthz", 200)
