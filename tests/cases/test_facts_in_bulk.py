"""The bulk facts loader reads the same facts as the per-case loader, however event ids lie."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from omp.cases.facts import facts_for_person, facts_in_range
from omp.cases.models import Event, Offence, Sentence
from tests.conftest import case_object

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 11, 22)


def test_a_far_away_current_event_is_still_read(make_case: Any) -> None:
    people = [make_case(case_object(case_ref=f"E{i:03d}")) for i in range(3)]
    # A new current event for the first person, with an id far beyond the others'.
    old = people[0].events.get()
    Event.objects.filter(pk=old.pk).update(is_current=False)
    event = Event.objects.create(pk=50_000, person=people[0], number=2, is_current=True)
    Offence.objects.create(event=event, code="01900", schedule_15="sexual", main=True)
    Sentence.objects.create(event=event, kind="community", date=date(2026, 6, 1),
                            length="P2Y")
    bulk = dict(facts_in_range(AS_OF, people[0].pk, people[-1].pk))
    assert [o.code for o in bulk[people[0].pk].offences] == ["01900"]
    assert bulk[people[0].pk].sentence.kind == "community"
    for person in people:
        assert bulk[person.pk] == facts_for_person(person, AS_OF)


def test_reading_some_people_of_a_range_reads_the_same_rows_as_the_whole_range(
        make_case: Any) -> None:
    from omp.cases.facts import rows_in_range

    people = [make_case(case_object(case_ref=f"S{i:03d}")) for i in range(5)]
    old = people[3].events.get()
    Event.objects.filter(pk=old.pk).update(is_current=False)
    event = Event.objects.create(pk=60_000, person=people[3], number=2, is_current=True)
    Sentence.objects.create(event=event, kind="custodial", date=date(2026, 5, 1), length="P3Y")
    low, high = people[0].pk, people[-1].pk
    whole = {rows.person[0]: rows for rows in rows_in_range(low, high, AS_OF)}
    chosen = {people[1].pk, people[3].pk, high + 1}  # one beyond the range is left out
    some = rows_in_range(low, high, AS_OF, only=chosen)
    assert [rows.person[0] for rows in some] == [people[1].pk, people[3].pk]
    assert all(rows == whole[rows.person[0]] for rows in some)
    assert some[1].sentence is not None and some[1].sentence[0] == "custodial"
    assert rows_in_range(low, high, AS_OF, only=set()) == []
