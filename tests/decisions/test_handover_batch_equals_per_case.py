"""HAND-1..2: the nightly handover path (columns read in bulk) and the per-case path (the
whole record, on change) give identical handover decisions."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from omp.cases.facts import facts_for_person
from omp.cases.models import Person
from omp.decisions.handover import fingerprint
from omp.decisions.models import CurrentHandover
from omp.decisions.nightly import run_nightly
from omp.decisions.recompute import policy_versions
from omp.interchange.schema import FieldError, parse_case
from omp.rules.pipeline import decide_in_force
from tests.conftest import case_object

AS_OF = date(2026, 11, 22)
some_date = st.none() | st.dates(date(2016, 1, 1), date(2034, 12, 31)).map(date.isoformat)
custody = st.fixed_dictionaries({
    "prison_code": st.sampled_from(["DNI", "LEI", "UPI", "HDI", "NHI", "ESI", "SWI"]),
    "category": st.sampled_from(["B", "C", "D", "T", None]),
    "category_active_since": some_date,
    "arrival_date": some_date,
    # Early enough that most release dates come after it (a release before the sentence
    # start is refused at import, so such examples are discarded).
    "sentence_start_date": st.none() | st.dates(date(2014, 1, 1), date(2016, 6, 1)).map(
        date.isoformat),
    "conditional_release_date": some_date,
    "automatic_release_date": some_date,
    "parole_eligibility_date": some_date,
    "home_detention_curfew_eligibility_date": some_date,
    "home_detention_curfew_actual_date": some_date,
    "tariff_date": some_date,
    "target_hearing_date": some_date,
    "parole_review_date": some_date,
    "recall": st.booleans(),
    "immigration_case": st.booleans(),
    "early_allocation": st.booleans(),
    "parole_outcome_not_release": st.booleans(),
    "additional_future_isp": st.booleans(),
    "civil_sentence": st.booleans(),
})
cases = st.fixed_dictionaries({
    "person.date_of_birth": st.sampled_from(["1990-01-31", "2009-06-01", None]),
    "probation.pdu_code": st.sampled_from(["N07CAM", "N03UAT", None]),
    "risk.rosh": st.none() | st.sampled_from(["LOW", "MEDIUM", "HIGH"]),
    "risk.mappa_level": st.none() | st.sampled_from([0, 1, 2, 3]),
    "event.sentence.indeterminate": st.booleans(),
    "custody": custody,
})


def _valid(obj: dict[str, Any]) -> bool:
    try:
        parse_case(obj, AS_OF)
    except FieldError:
        return False
    return True


@pytest.mark.django_db
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(cases, min_size=1, max_size=5))
def test_hand_batch_equals_per_case(make_case: Any, changes: list[dict[str, Any]]) -> None:
    objects = [case_object(case_ref=f"B{i:05d}", **c) for i, c in enumerate(changes)]
    for obj in objects:
        if obj["event"]["sentence"]["indeterminate"]:
            obj["event"]["sentence"]["length"] = None
    assume(all(_valid(obj) for obj in objects))
    with transaction.atomic():
        for obj in objects:
            make_case(obj)
        versions = policy_versions()
        CurrentHandover.objects.all().delete()  # so the nightly path writes every case
        run = run_nightly(AS_OF, chunk=2).handover
        assert run.examined == len(objects)
        for obj in objects:
            person = Person.objects.get(case_ref=obj["case_ref"])
            single = decide_in_force(facts_for_person(person, AS_OF), versions)
            if single.handover is None:
                # A release date before the sentence start: neither path decides a handover.
                assert any("handover is not decided" in w.message for w in single.warnings)
                assert not CurrentHandover.objects.filter(person=person).exists()
                continue
            head = CurrentHandover.objects.get(person=person)
            assert head.fingerprint == fingerprint(single.handover, single.pom_type, None)
            assert (head.responsibility, head.start_date, head.handover_date) == (
                single.handover.responsibility or "", single.handover.start_date,
                single.handover.handover_date)
            assert head.record.pom_type == (single.pom_type or "")
        transaction.set_rollback(True)
