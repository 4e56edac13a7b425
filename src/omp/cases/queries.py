"""Reading the case record: finding cases by case reference, prison number or name (pages
and API alike), and the moment that "as known on a day" means."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

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


def search_people(query: str) -> QuerySet[Person]:
    """Cases matching ``query``, each annotated with its current ``outcome``.

    One word matches a case reference (exactly or as its start), a prison number, or the
    start of a first or last name; several words must each match the start of a first or
    last name ("jo smi" finds Jo Smith). An empty query matches every case.
    """
    people = (Person.objects.select_related("pdu")
              .annotate(outcome=F("current_decision__decision__outcome"))
              # Sorted on the upper-cased names: alphabetical whatever the case, and on
              # PostgreSQL it keeps the planner from walking the whole name index in
              # order while it hunts for a few scattered matches.
              .order_by(Upper("last_name"), Upper("first_name"), "case_ref"))
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
