"""Each prison's list of records to bring up to date: people still recorded in custody after
the release date the record gives (the rule: :mod:`omp.rules.data_quality`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from omp.cases.facts import CUSTODY_FIELDS, custody_from_row
from omp.cases.models import CustodySpell, Person
from omp.rules.data_quality import ReleasePassed, release_date_passed


@dataclass(frozen=True, slots=True)
class RecordToCheck:
    """One person whose record says "in custody" after a release date has passed."""

    person: Person
    prison_code: str
    passed: ReleasePassed


def records_to_check(spells: QuerySet[CustodySpell], today: date) -> list[RecordToCheck]:
    """The current spells of ``spells`` whose release date has passed on ``today``, longest
    passed first. The query only narrows the spells to those with a date in the past; the
    rule decides each one, so the list says exactly what the case page warns of."""
    past = Q(conditional_release_date__lt=today) | Q(automatic_release_date__lt=today) \
        | Q(licence_expiry_date__lt=today)
    found = []
    for spell in (spells.filter(past, is_current=True).select_related("person")
                  .order_by("person__case_ref")):
        custody = custody_from_row([getattr(spell, name) for name in CUSTODY_FIELDS], None)
        passed = release_date_passed(custody, today)
        if passed is not None:
            found.append(RecordToCheck(spell.person, spell.prison_code, passed))
    found.sort(key=lambda r: (-r.passed.days_ago, r.person.case_ref))
    return found
