"""Middleware shared by every page, API answer and download."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


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
