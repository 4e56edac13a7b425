"""How the one API knows who is calling (REF-8): a signed-in session (pages and the docs
page), or a provider's API client presenting ``Authorization: Bearer <token>``, the token
got from ``/oauth/token/`` with its client id and secret (OAuth2 client credentials).

The tokens, the clients' secrets and their checking are django-oauth-toolkit's: the token is
validated by its ``OAuthLibCore`` (never parsed here). A client acts as its service account,
a user with the provider role on its provider's staff, so the role checks and the provider
scoping of every route (REF-9: another provider's referral answers 404) apply unchanged.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpRequest
from ninja.security import SessionAuth as NinjaSessionAuth
from ninja.security.base import AuthBase
from oauth2_provider.oauth2_backends import get_oauthlib_core
from oauth2_provider.oauth2_validators import OAuth2Validator

from omp.prepared_reads import PreparedRead

#: Where a client gets its token, and the one scope a token carries.
TOKEN_URL = "/oauth/token/"
SCOPE = "referrals"


def presents_token(request: HttpRequest) -> bool:
    """The request carries a bearer token: it is judged by that token alone."""
    return request.headers.get("Authorization", "")[:7].lower() == "bearer "


class ClientCredentialsOnly(OAuth2Validator):  # type: ignore[misc]
    """django-oauth-toolkit's validator, issuing tokens for the client credentials grant
    only: a provider's system has no user at a browser, so no authorization-code, password
    or implicit flow is offered, whatever an application is set to in the admin."""

    def validate_grant_type(self, client_id: str, grant_type: str, client: Any,
                            request: Any, *args: Any, **kwargs: Any) -> bool:
        return grant_type == "client_credentials" and bool(
            super().validate_grant_type(client_id, grant_type, client, request,
                                        *args, **kwargs))

    def _load_access_token(self, token: str) -> Any:
        """The token as django-oauth-toolkit loads it (by its checksum, with its
        application), with the application's user, the service account the client acts
        as, in the same query: read on every API call, never kept between calls, so a
        revoked token or a deactivated account is refused on the next one. (A client
        credentials token has no user of its own: none is joined.)"""
        checksum = hashlib.sha256(token.encode("utf-8")).hexdigest()
        return _TOKEN.first("token", checksum)


def _token_read(shape: str, checksum: str) -> Any:
    """The access token whose checksum is ``checksum``, with its application and the
    application's user."""
    from oauth2_provider.models import get_access_token_model

    return (get_access_token_model().objects.select_related("application__user")
            .filter(token_checksum=checksum).order_by("pk")[:1])


#: Built once per process (omp.prepared_reads): read on every API call with a token.
_TOKEN: PreparedRead[Any] = PreparedRead(_token_read)


class ProviderToken(AuthBase):
    """A provider's API client: ``Authorization: Bearer <token>``, the token from
    ``/oauth/token/`` (client credentials, scope ``referrals``). The client acts as its
    service account, which sees only its provider's referrals."""

    openapi_type = "oauth2"
    openapi_description = ("A provider's API client: get a token from /oauth/token/ with "
                           "the client id and secret (grant_type=client_credentials), then "
                           "send it as 'Authorization: Bearer <token>'. Tokens are short-"
                           "lived; ask for a new one when a request answers 401.")
    openapi_flows = {"clientCredentials": {
        "tokenUrl": TOKEN_URL,
        "scopes": {SCOPE: "Read and work on the referrals sent to your organisation"}}}

    def __call__(self, request: HttpRequest) -> Any:
        if not presents_token(request):
            return None
        valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[SCOPE])
        if not valid:
            return None
        # Client credentials: the token has no user of its own; the client's service
        # account is the application's user.
        user = oauth_request.access_token.application.user
        if user is None or not user.is_active:
            return None
        request.user = user
        return user


class SessionAuth(NinjaSessionAuth):  # type: ignore[misc]
    """Django's session (with its CSRF check on writes), except for a request that presents
    a bearer token: that one is the token's to accept or refuse (401), never answered with
    a CSRF refusal. Named as django-ninja's, so the published scheme keeps its name."""

    def __call__(self, request: HttpRequest) -> Any:
        if presents_token(request):
            return None
        return super().__call__(request)
