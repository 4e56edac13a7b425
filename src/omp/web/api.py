"""The one JSON API at ``/api/v1/`` (django-ninja), mounting each domain's router: Django
session sign-in (and, on the referrals routes, a provider's API client's bearer token, REF-8:
``omp.web.api_auth``), role checks, and one error shape — ``{"detail": "..."}`` for 401/403/404 and
``{"detail": [{"field": ..., "message": ...}]}`` for 422 — whatever raised it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError

from omp.cases.access import log_refused_request
from omp.cases.api import router as cases_router
from omp.commissioning.api import router as commissioning_router
from omp.decisions.api import case_router as case_decisions_router
from omp.decisions.api import router as handovers_router
from omp.referrals.api import router as referrals_router
from omp.web.api_auth import SCOPE, ProviderToken, SessionAuth, presents_token

logger = logging.getLogger(__name__)


def signed_in_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The OpenAPI document and its docs page are for signed-in users and providers' API
    clients (with their token), as the API is: the document answers 401 (as every route
    does) and the page sends the visitor to sign in."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated or (presents_token(request)
                                             and provider_token(request) is not None):
            return view(request, *args, **kwargs)
        if request.path.endswith(".json"):
            return JsonResponse({"detail": "Unauthorized"}, status=401)
        return redirect_to_login(request.get_full_path())

    return wrapped


class OffenderManagementAPI(NinjaAPI):
    """django-ninja's API, whose document names the scope each OAuth2 route needs (its own
    generator leaves every operation's scope list empty)."""

    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for item in schema["paths"].values():
            for operation in item.values():
                for requirement in operation.get("security", []):
                    if ProviderToken.__name__ in requirement:
                        requirement[ProviderToken.__name__] = [SCOPE]
        return schema


session_auth, provider_token = SessionAuth(), ProviderToken()
api = OffenderManagementAPI(
    title="Offender management API",
    version="1",
    description="Case facts, allocation decisions (ALLOC-1..7), responsibility and handover "
                "(HAND-1..4), and referrals to commissioned services (REF-1..9). Sign in "
                "through the web service; every case read is logged. A provider's own "
                "system calls the referrals routes with an API client's token (OAuth2 "
                "client credentials at /oauth/token/, scope 'referrals'), and sees only "
                "the referrals sent to that provider.",
    auth=session_auth,
    urls_namespace="api-v1",
    docs_decorator=signed_in_only,
)
api.add_router("/cases", cases_router)
api.add_router("/cases", case_decisions_router)
api.add_router("", handovers_router)
# REF-8: a provider's system works on its referrals with its API client's token; a token
# opens these routes only.
api.add_router("", referrals_router, auth=[provider_token, session_auth])
api.add_router("", commissioning_router)

#: Request parts that prefix a pydantic error location, and the body parameter's name.
_LOCATIONS = frozenset({"body", "query", "path", "header", "cookie", "form"})


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = list(loc)
    if parts and parts[0] in _LOCATIONS:
        source, parts = parts[0], parts[1:]
        if source == "body" and parts and parts[0] == "payload":
            parts = parts[1:]
    return ".".join(str(part) for part in parts) or "body"


@api.exception_handler(ValidationError)
def input_errors(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Schema errors in the same shape as the actions' errors: field and message."""
    detail = [{"field": _field_name(error.get("loc", ())), "message": error.get("msg", "")}
              for error in exc.errors]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    """A role that may not do this, or a case whose lists refuse the user: 403 with the
    reason (not Django's HTML page), logged as a refused attempt."""
    log_refused_request(request, "api", exc)
    return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    """Nothing there, or nothing the user may see (the two answer alike): 404, logged as a
    refused attempt."""
    log_refused_request(request, "api", exc)
    return api.create_response(request, {"detail": "Not Found"}, status=404)


@api.exception_handler(Exception)
def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Anything else: logged with its traceback, answered as JSON (never Django's HTML 500
    page) with nothing of the error's text, which may hold data."""
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return api.create_response(request, {"detail": "Something went wrong; it has been "
                                                   "logged"}, status=500)
