"""Reading the case record: finding cases by case reference, prison number or name (pages
and API alike), and the moment that "as known on a day" means."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Upper
from django.utils import timezone

from omp.cases.models import CaseAccess, Person

#: Longest query accepted; longer input is cut, since no reference or name is this long.
MAX_QUERY = 100


def clean_query(raw: str | None) -> str:
    """The query as typed, without control characters (no reference or name has them, and
    PostgreSQL refuses a NUL in text), trimmed and cut to :data:`MAX_QUERY` characters."""
    printable = "".join(ch if ch.isprintable() else " " for ch in (raw or ""))
    return printable.strip()[:MAX_QUERY]


#: Most matches a search counts and pages through. Past it the reader is asked to narrow the
#: search: 40,000 people whose surname starts "Smit" tell nobody anything, and counting and
#: sorting them all cost the database more than every other part of the page together.
MAX_MATCHES = 1_000


def matching_people(query: str) -> QuerySet[Person]:
    """Cases matching ``query``, in the order they are listed, with nothing joined.

    One word matches a case reference (exactly or as its start), a prison number, or the
    start of a first or last name; several words must each match the start of a first or
    last name ("jo smi" finds Jo Smith). An empty query matches every case.
    """
    # Sorted on the upper-cased names: alphabetical whatever the case, and on PostgreSQL
    # it keeps the planner from walking the whole name index in order while it hunts for
    # a few scattered matches.
    people = Person.objects.order_by(Upper("last_name"), Upper("first_name"), "case_ref")
    words = query.split()
    if len(words) == 1:
        word = words[0]
        # References and prison numbers are stored in capitals; matching them exactly
        # (not case-insensitively) lets the database use their indexes.
        people = people.filter(Q(case_ref__startswith=word.upper())
                               | Q(prison_number=word.upper())
                               | Q(first_name__istartswith=word)
                               | Q(last_name__istartswith=word))
    for word in words if len(words) > 1 else ():
        people = people.filter(Q(first_name__istartswith=word) | Q(last_name__istartswith=word))
    return people


def with_outcome(people: QuerySet[Person]) -> QuerySet[Person]:
    """``people`` with their PDU and each one's current allocation ``outcome``."""
    return (people.select_related("pdu")
            .annotate(outcome=F("current_decision__decision__outcome")))


def search_people(query: str) -> QuerySet[Person]:
    """Cases matching ``query`` (see :func:`matching_people`), in order, each annotated
    with its current ``outcome``."""
    return with_outcome(matching_people(query))


class SearchPaginator(Paginator):
    """Pages of the cases matching a query, as the web search and the API list them.

    It counts at most :data:`MAX_MATCHES` matches (:attr:`more_matches` says there were
    more), and reads a page in two steps: the page's ids in order first, with nothing
    joined, so the database keeps only the best rows while it sorts the matches; then
    those people with their PDU and outcome. Read in one step, the joins sat between the
    sort and the limit, and every match was sorted in full for each page."""

    def __init__(self, query: str, per_page: int) -> None:
        super().__init__(matching_people(query), per_page)

    @cached_property
    def _counted(self) -> int:
        # COUNT over a subquery cut at MAX_MATCHES + 1: it stops reading at the cap.
        return self.object_list.order_by()[:MAX_MATCHES + 1].count()

    @cached_property
    def count(self) -> int:
        """Matches counted, at most :data:`MAX_MATCHES`."""
        return min(self._counted, MAX_MATCHES)

    @property
    def count_shown(self) -> str:
        """:attr:`count` as a page shows it: "1,000"."""
        return f"{self.count:,}"

    @property
    def more_matches(self) -> bool:
        """More than :data:`MAX_MATCHES` cases match: only the first are listed."""
        return self._counted > MAX_MATCHES

    def page(self, number: Any) -> Page:
        """The page ``number``: its people, in order, with their PDU and outcome."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        found = {person.pk: person
                 for person in with_outcome(Person.objects.filter(pk__in=ids))}
        rows: Sequence[Person] = [found[pk] for pk in ids if pk in found]
        return self._get_page(rows, number, self)


def end_of_day(day: date) -> datetime:
    """The first moment after ``day`` in the service's time zone: "as known on ``day``"
    means everything recorded by then."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time()))


def access_log(case_ref: str = "", username: str = "", start: date | None = None,
               end: date | None = None) -> QuerySet[CaseAccess]:
    """The case-access log, newest first: reads and refused attempts of the case
    ``case_ref`` (the reference read or asked for), by the user ``username``,
    from the start of ``start`` to the end of ``end`` (each optional)."""
    rows = CaseAccess.objects.select_related("user").order_by("-at", "-id")
    if case_ref:
        rows = rows.filter(case_ref=case_ref)
    if username:
        rows = rows.filter(user__username=username)
    if start:
        rows = rows.filter(at__gte=end_of_day(start - timedelta(days=1)))
    if end:
        rows = rows.filter(at__lt=end_of_day(end))
    return rows
