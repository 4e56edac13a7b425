"""Opening a case: the one door every case page and API route goes through.

It checks the reader's role before looking the case up (so a user without access cannot
learn which case references exist), then the case's exclusion and restriction lists
(LAO-1, LAO-2, :mod:`omp.rules.limited_access`), and writes the access-log row, so no page
or route can show a case without it being logged. Lists and searches that show people ask
here which of them the user may not open (:func:`refusals_for`, :func:`without_withheld`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, NoReturn, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from omp.access import CASE_READERS, require_role
from omp.cases.actions import log_case_access, log_refusal
from omp.cases.models import LimitedAccessEntry, Person
from omp.rules.limited_access import EXCLUSION, RESTRICTION, AccessLists, Refusal, refusal

M = TypeVar("M", bound=Model)


class LimitedAccessRefused(PermissionDenied):
    """A case the user may not open because of its exclusion or restriction list: the
    refusal says which (the page shows the case reference and this, nothing more)."""

    def __init__(self, case_ref: str, why: Refusal) -> None:
        super().__init__(why.words)
        self.case_ref = case_ref
        self.refusal = why


def access_lists(person_ids: Iterable[int]) -> dict[int, AccessLists]:
    """The exclusion and restriction lists of the given cases, in one query; a case
    without lists is left out."""
    excluded: dict[int, set[int]] = defaultdict(set)
    restricted: dict[int, set[int]] = defaultdict(set)
    rows = LimitedAccessEntry.objects.filter(person_id__in=list(person_ids))
    for person_id, kind, user_id in rows.values_list("person_id", "kind", "user_id"):
        (excluded if kind == EXCLUSION else restricted)[person_id].add(user_id)
    return {pk: AccessLists(frozenset(excluded[pk]), frozenset(restricted[pk]))
            for pk in excluded.keys() | restricted.keys()}


def refusals_for(user: Any, person_ids: Iterable[int]) -> dict[int, Refusal]:
    """Of the given cases, those ``user`` may not open (LAO-1, LAO-2), each with why."""
    refused = {}
    for pk, lists in access_lists(person_ids).items():
        why = refusal(user.pk, lists)
        if why is not None:
            refused[pk] = why
    return refused


def refusal_for(user: Any, person: Person) -> Refusal | None:
    """Why ``user`` may not open ``person``'s case, or ``None`` when the lists allow it."""
    return refusals_for(user, [person.pk]).get(person.pk)


def withheld_people(user: Any) -> QuerySet[LimitedAccessEntry]:
    """The ids (``person_id``) of every case ``user`` may not open, as a subquery: those
    whose exclusion list names them, and those with a restriction list that does not."""
    mine = LimitedAccessEntry.objects.filter(kind=RESTRICTION, user=user).values("person_id")
    return (LimitedAccessEntry.objects
            .filter(Q(kind=EXCLUSION, user=user) | (Q(kind=RESTRICTION)
                                                     & ~Q(person_id__in=mine)))
            .values("person_id"))


def withheld_ids(user: Any) -> set[int]:
    """The ids of every person whose case ``user`` may not open, for lists built in Python."""
    return set(withheld_people(user).values_list("person_id", flat=True))


def without_withheld(user: Any, rows: QuerySet[M], person: str = "person") -> QuerySet[M]:
    """``rows`` without those about a case ``user`` may not open; ``person`` is the path
    from a row to its person (``"pk"`` when the rows are people). Lists, their CSVs and
    the API's lists leave such cases out (docs/decisions.md, "Limited-access cases")."""
    return rows.exclude(**{f"{person}__in": withheld_people(user)})


def check_case(request: HttpRequest, person: Person, channel: str) -> None:
    """Refuse ``person``'s case to the signed-in user when its lists say so
    (:class:`LimitedAccessRefused`), and otherwise log the read through ``channel``. For
    routes that reach a case through something else (a referral); the role is theirs to
    check."""
    why = refusal_for(request.user, person)
    if why is not None:
        refuse_case(request, person, channel, why)
    log_case_access(request.user, person, channel, request.get_full_path())


def refuse_case(request: HttpRequest, person: Person, channel: str, why: Refusal) -> NoReturn:
    """Log that ``person``'s case was refused to the signed-in user through ``channel`` for
    ``why`` (LAO-1, LAO-2), and raise :class:`LimitedAccessRefused`."""
    log_refusal(request.user, channel, request.get_full_path(), why.rule, person=person)
    raise LimitedAccessRefused(person.case_ref, why)


def log_refused_request(request: HttpRequest, channel: str, exception: Exception) -> None:
    """Log a request refused by a role check (403) or answered "not found" (404, which is
    also how a record the user may not see answers), naming the case when the URL does.
    A refusal by a case's lists is logged where it is decided (:func:`check_case`), and
    nothing is logged for someone not signed in."""
    if isinstance(exception, LimitedAccessRefused) or not request.user.is_authenticated:
        return
    match = request.resolver_match
    case_ref = str(match.kwargs.get("case_ref", "")) if match else ""
    person = (Person.objects.filter(case_ref=case_ref).first()
              if case_ref and case_ref.isprintable() else None)
    log_refusal(request.user, channel, request.get_full_path(),
                "not_found" if isinstance(exception, Http404) else "role",
                case_ref="".join(ch for ch in case_ref if ch.isprintable()), person=person)


def open_case(request: HttpRequest, case_ref: str, channel: str) -> Person:
    """The case ``case_ref`` for the signed-in user, logged as read through ``channel``.

    Raises ``PermissionDenied`` when the user's role may not read cases,
    :class:`LimitedAccessRefused` (a ``PermissionDenied``) when the case's lists refuse
    them, and ``Http404`` when there is no such case.
    """
    require_role(request.user, CASE_READERS)
    if not case_ref.isprintable():  # no reference has control characters (nor a NUL)
        raise Http404("No case has that reference")
    person = get_object_or_404(Person.objects.select_related("pdu__region"), case_ref=case_ref)
    check_case(request, person, channel)
    return person
