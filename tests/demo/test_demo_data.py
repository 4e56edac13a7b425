"""The synthetic generator: seeded, covers every criterion, and loads to the same decisions."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from omp.demo.generator import CaseGenerator
from omp.interchange.schema import parse_case
from omp.rules.pipeline import decide_in_force
from omp.rules.policy import BUILT_IN_VERSIONS

AS_OF = date(2026, 11, 22)


def _decide(obj):
    return decide_in_force(parse_case(obj, AS_OF), BUILT_IN_VERSIONS).allocation


def test_same_seed_same_cases_other_seed_other_cases():
    first = [c.facts for c in CaseGenerator(7, AS_OF).cases(200)]
    again = [c.facts for c in CaseGenerator(7, AS_OF).cases(200)]
    other = [c.facts for c in CaseGenerator(8, AS_OF).cases(200)]
    assert first == again
    assert first != other
    assert len({c["case_ref"] for c in first}) == 200


def test_every_criterion_alone_and_missing_data_are_represented():
    alone, held, missing = Counter(), Counter(), Counter()
    outcomes, countries = Counter(), Counter()
    for case in CaseGenerator(2026, AS_OF).cases(5_000):
        decided = _decide(case.facts)
        rules = {r.rule for r in decided.reasons}
        held.update(rules)
        if len(rules) == 1:
            alone.update(rules)
        missing.update(m.field.split("[")[0] for m in decided.missing)
        outcomes[decided.outcome] += 1
        countries[case.facts["probation"].get("country")] += 1
    criteria = {f"ALLOC-2{letter}" for letter in "abcdefg"}
    assert set(alone) == criteria, f"criteria never the only reason: {criteria - set(alone)}"
    assert min(held[c] for c in criteria) >= 50
    assert {"risk.rsr_percent", "person.nationalities", "probation.provider_code",
            "event.offences", "risk.mappa_level", "risk.rosh"} <= set(missing)
    assert outcomes["RETAINED_ENHANCED"] > 1_000 and outcomes["ALLOCATED_NORMAL"] > 1_000
    assert countries["Wales"] > 300 and countries["England"] > 3_000 and countries[None] > 10


def test_rsr_boundary_values_occur():
    scores = {c.facts["risk"].get("rsr_percent") for c in CaseGenerator(1, AS_OF).cases(3_000)}
    assert {6.89, 6.9} <= scores


def test_loaded_demo_cases_decide_as_their_interchange_lines(db):
    from omp.cases.models import ManualCasRecord, Person
    from omp.decisions.models import CurrentDecision
    from omp.decisions.nightly import run_nightly
    from omp.demo.load import load_demo

    assert load_demo(600, seed=11, as_of=AS_OF, chunk=250) == 600
    run_nightly(AS_OF)
    by_ref = {c.facts["case_ref"]: c.facts for c in CaseGenerator(11, AS_OF).cases(600)}
    heads = CurrentDecision.objects.select_related("decision", "person")
    assert heads.count() == 600
    for head in heads:
        expected = _decide(by_ref[head.person.case_ref])
        assert head.decision.outcome == expected.outcome, head.person.case_ref
        got = sorted((r["rule"], r["field"], str(r["value"])) for r in head.decision.reasons)
        want = sorted((r.rule, r.field, str(r.value)) for r in expected.reasons)
        assert got == want, head.person.case_ref
        assert head.decision.tier == (expected.tier.code if expected.tier else "")
    assert ManualCasRecord.objects.exists()
    assert Person.history.count() == 600


def test_demo_users_one_per_role(db):
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    from omp.access import ROLE_NAMES, roles_of
    from omp.demo.load import DEMO_PASSWORD, create_demo_users

    create_demo_users()
    for role in ROLE_NAMES:
        # Sign-in protection needs the request (its address counts failures).
        request = RequestFactory().post("/sign-in/")
        user = authenticate(request, username=role, password=DEMO_PASSWORD)
        assert user is not None and role in roles_of(user)
    assert create_demo_users() == []
    # The demo contract manager manages the London contracts, so their dashboard has some.
    from omp.commissioning.models import CommissionedContract

    managed = set(CommissionedContract.objects.filter(
        contract_manager__username="contract_manager").values_list(
        "contract__reference", flat=True))
    assert managed and all(reference.startswith("LDN-") for reference in managed)


@pytest.mark.parametrize("n", [1, 7])
def test_load_continues_numbering(db, n):
    from omp.cases.models import Person
    from omp.demo.load import load_demo

    load_demo(n, seed=3, as_of=AS_OF, users=False)
    load_demo(n, seed=4, as_of=AS_OF, users=False)
    assert Person.objects.count() == 2 * n


def test_loaded_rows_keep_history_and_leave_ids_to_the_database(db, make_case):
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from omp.cases.facts import facts_known_on
    from omp.cases.models import Person
    from omp.demo.load import load_demo

    load_demo(20, seed=9, as_of=AS_OF, users=False)
    person = Person.objects.order_by("pk").first()
    sentenced = person.events.get().conviction_date
    moment = datetime.combine(sentenced, time(12), ZoneInfo("Europe/London"))
    assert facts_known_on(person, moment).case_ref == person.case_ref
    with pytest.raises(LookupError):
        facts_known_on(person, moment - timedelta(days=1))
    # Ordinary writes after a demo load get fresh ids (PostgreSQL sequences were moved on).
    newcomer = make_case(case_ref="X999999")
    assert newcomer.pk > Person.objects.exclude(pk=newcomer.pk).order_by("-pk")[0].pk


def test_some_custody_cases_were_transferred(db):
    from omp.cases.models import CustodySpell, PrisonTransfer
    from omp.demo.load import load_demo

    load_demo(200, seed=5, as_of=AS_OF, users=False)
    transfers = list(PrisonTransfer.objects.select_related("spell"))
    assert 10 < len(transfers) < CustodySpell.objects.count()
    for transfer in transfers:
        assert transfer.to_prison == transfer.spell.prison_code != transfer.from_prison
        assert transfer.spell.arrival_date < transfer.transferred_on < AS_OF


def test_demo_local_areas_and_release_areas_decide_local_and_out_of_area_support(db):
    """PATH-5: the demo records its prisons' local areas and most release address areas, so
    that the dashboards show both kinds of through-the-gate support and the unknown."""
    from omp.cases.models import CustodySpell
    from omp.custody.actions import refresh_everyone
    from omp.custody.models import LocalArea, Task
    from omp.decisions.nightly import run_nightly
    from omp.demo.cli import demo_local_areas, demo_release_areas
    from omp.demo.load import load_demo

    load_demo(300, seed=7, as_of=AS_OF, users=False)
    run_nightly(AS_OF, chunk=500)
    assert demo_local_areas() == demo_local_areas() == LocalArea.objects.count() > 30
    in_custody = CustodySpell.objects.filter(is_current=True).count()
    assert in_custody * 0.75 < demo_release_areas(7) < in_custody
    refresh_everyone()
    keys = set(Task.objects.values_list("key", flat=True))
    assert {"community_case_management", "arms_length_support", "through_the_gate"} <= keys
