"""Middleware shared by every page, API answer and download."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

import structlog
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

log = structlog.stdlib.get_logger("omp.requests")

#: A request id a proxy in front may pass on: short, and nothing a log reader could trip over.
_GIVEN_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class RequestIdMiddleware:
    """Gives each request an id (the ``X-Request-ID`` a proxy in front sent, when it looks like
    one, or a new one), binds it to every log line written while the request is answered,
    sends it back as ``X-Request-ID`` and writes one line for the request: method, path (no
    query string: searches carry names), status and time taken."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _GIVEN_ID.fullmatch(given) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            log.info("request", method=request.method, path=request.path,
                     status=response.status_code,
                     duration_ms=round((time.perf_counter() - started) * 1000, 1))
            return response
        finally:
            structlog.contextvars.clear_contextvars()


class NoStoreMiddleware:
    """``Cache-Control: no-store`` (with ``private``, ``no-cache`` and ``max-age=0``) on every
    response the application makes: case pages, API answers and CSV downloads hold personal
    data, and no shared or browser cache may keep them. Static files are answered earlier, by
    WhiteNoise, and keep their long public caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response


class RefusalLogMiddleware:
    """Writes a refused attempt to the case-access log: a page that raised
    ``PermissionDenied`` (a role check) or ``Http404`` (nothing there, or nothing the user
    may see), for a signed-in user (:func:`omp.cases.access.log_refused_request`). The API
    logs its own, in ``omp.web.api``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        """Log the refusal; Django then answers it as usual."""
        from django.core.exceptions import PermissionDenied
        from django.http import Http404

        from omp.cases.access import log_refused_request

        if isinstance(exception, (PermissionDenied, Http404)):
            channel = "admin" if request.path.startswith("/admin/") else "web"
            log_refused_request(request, channel, exception)
