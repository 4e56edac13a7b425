"""The error shapes every domain's API routes answer with (published in the OpenAPI
document): ``{"detail": "..."}`` for 401/403/404 and ``{"detail": [{"field", "message"}]}``
for 422."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class Message(Schema):
    """An error with a message only (401, 403, 404)."""

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
#: … and a route about one case, which may not exist.
CASE_ERRORS: dict[int, Any] = {**ERRORS, 404: Message}
#: … and a route that takes input about one case.
CASE_INPUT_ERRORS: dict[int, Any] = {**CASE_ERRORS, 422: InputErrors}


def field_errors(*problems: tuple[str, str]) -> tuple[int, dict[str, Any]]:
    """A 422 answer naming each field at fault."""
    return 422, {"detail": [{"field": name, "message": message} for name, message in problems]}
