"""The error shapes every domain's API routes answer with (published in the OpenAPI
document): ``{"detail": "..."}`` for 400/401/403/404 and ``{"detail": [{"field", "message"}]}``
for 422. Each route lists every answer it can give: 422 wherever it takes a query parameter
the schema checks or a body, 400 wherever it reads a JSON body (one that is not JSON)."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class Message(Schema):
    """An error with a message only (400, 401, 403, 404)."""

    detail: str


class FieldProblem(Schema):
    """One input that cannot be accepted, named as in the request."""

    field: str
    message: str


class InputErrors(Schema):
    """422: the inputs at fault, each with what to do about it."""

    detail: list[FieldProblem]


#: The answers every signed-in route can give.
ERRORS: dict[int, Any] = {401: Message, 403: Message}
#: … and a route that takes input (query parameters the schema checks).
INPUT_ERRORS: dict[int, Any] = {**ERRORS, 422: InputErrors}
#: … and a route about one case, which may not exist.
CASE_ERRORS: dict[int, Any] = {**ERRORS, 404: Message}
#: … and a route that takes input about one case.
CASE_INPUT_ERRORS: dict[int, Any] = {**CASE_ERRORS, 422: InputErrors}
#: … and a route that reads a JSON body about one case: 400 when the body is not JSON.
CASE_BODY_ERRORS: dict[int, Any] = {**CASE_INPUT_ERRORS, 400: Message}


def field_errors(*problems: tuple[str, str]) -> tuple[int, dict[str, Any]]:
    """A 422 answer naming each field at fault."""
    return 422, {"detail": [{"field": name, "message": message} for name, message in problems]}
