"""ALLOC-5: the nightly batch path and the per-case path give identical decisions."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omp.cases.facts import facts_for_person
from omp.cases.models import Person
from omp.decisions.models import CurrentDecision
from omp.decisions.nightly import run_nightly
from omp.decisions.recompute import alongside, decide_facts, fingerprint, policy_versions
from omp.interchange.decide import decide_object
from tests.conftest import case_object

AS_OF = date(2026, 11, 22)
dates = st.dates(date(2015, 1, 1), date(2026, 11, 1)).map(date.isoformat)
offences = st.lists(st.fixed_dictionaries({
    "code": st.sampled_from(["02700", "00101", "01900", "05400", "10400"]),
    "schedule_15": st.sampled_from(["violent", "sexual", "none", None]),
}), max_size=3)
sentences = st.none() | st.fixed_dictionaries({
    "kind": st.sampled_from(["custodial", "community", "suspended"]),
    "date": st.none() | dates,
    "length": st.none() | st.sampled_from(["P52W", "P11M30D", "P12M", "P1Y", "P6M", "P2Y6M"]),
    "indeterminate": st.booleans(),
    "ipp": st.booleans(),
})
cases = st.fixed_dictionaries({
    "person.nationalities": st.none() | st.lists(
        st.sampled_from(["British", "Irish", "French", "Polish", "Unknown"]), max_size=2),
    "probation.pdu_code": st.sampled_from(["N07CAM", "N03UAT", "N50MAN", None]),
    "risk.tier": st.none() | st.sampled_from(["A1", "B2", "C1", "D0"]),
    "risk.rosh": st.none() | st.sampled_from(["LOW", "MEDIUM", "HIGH", "VERY_HIGH"]),
    "risk.rsr_percent": st.none() | st.sampled_from([0.5, 3.0, 6.89, 6.9, 7.0, 12.4]),
    "risk.mappa_level": st.sampled_from([0, 1, 2, 3]),
    "risk.registrations": st.lists(st.sampled_from(["HOI", "SHPO", "RPIR", "IIOM", "RMDO"]),
                                   unique=True, max_size=3),
    "event.offences": offences,
    "event.sentence": sentences,
    "custody.remand": st.none() | st.booleans(),
})


def _summary(decided: Any) -> tuple[str, list[tuple[str, str]]]:
    return decided.outcome, sorted((r.rule, r.field) for r in decided.reasons)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(cases, min_size=1, max_size=6))
def test_alloc_5_batch_equals_per_case(make_case: Any, changes: list[dict[str, Any]]) -> None:
    with transaction.atomic():
        objects = [case_object(case_ref=f"H{i:05d}", **c) for i, c in enumerate(changes)]
        for obj in objects:
            make_case(obj)
        versions = policy_versions()
        # Forget the heads the imports wrote, so the nightly path writes every decision.
        CurrentDecision.objects.all().delete()
        run = run_nightly(AS_OF, chunk=4).allocation
        assert run.examined == len(objects) and run.changed == len(objects)
        for obj in objects:
            person = Person.objects.get(case_ref=obj["case_ref"])
            facts = facts_for_person(person, AS_OF)
            single = decide_facts(facts, versions)
            extra = alongside(facts)
            stored = CurrentDecision.objects.get(person=person).decision
            assert stored.run == run and stored.fingerprint == fingerprint(single, None, extra)
            assert (stored.warnings, stored.pathway, stored.pathway_reason) == (
                extra.warnings, extra.pathway, extra.pathway_reason)
            expected = single.allocation_dict()
            assert (stored.outcome, stored.source, stored.reasons, stored.missing) == (
                expected["outcome"], expected["source"], expected["reasons"],
                expected["missing"])
            assert (stored.tier, stored.policy_version, stored.as_of) == (
                single.tier.code if single.tier else "", single.policy_version, AS_OF)
            # The record says what the extract said: deciding the extract directly agrees.
            direct = decide_object({**obj, "as_of": AS_OF.isoformat()}, AS_OF, None)
            assert direct["allocation"]["outcome"] == single.outcome
            assert direct["pathway"] == stored.pathway  # PATH-1 too, by every path
            # (the extract carries no recording dates, so only the words may differ)
            assert (direct["pathway_reason"] or {}).get("field") == (
                stored.pathway_reason or {}).get("field")
        transaction.set_rollback(True)
