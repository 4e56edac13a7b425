"""PATH-2..5: the tasks each pathway calls for, and their dates."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omp.rules.facts import CaseFacts, Custody, Sentence
from omp.rules.tasks import (
    ARMS_LENGTH,
    LOCAL_SUPPORT,
    SUPPORT_UNDECIDED,
    THROUGH_THE_GATE_KEYS,
    ReleasePlace,
    TaskPlan,
    plan_tasks,
    release_is_local,
    support_end,
    through_the_gate,
)

ARRIVAL = date(2026, 3, 2)
RELEASE = date(2027, 9, 1)
FACTS = CaseFacts(case_ref="T1", as_of=date(2026, 11, 22),
                  sentence=Sentence(kind="custodial", date=date(2026, 3, 1), length="P3Y"),
                  custody=Custody(arrival_date=ARRIVAL, sentence_start_date=date(2026, 3, 1)))


def keys(pathway: int, release: date | None = RELEASE, **changes: object) -> dict[str, date]:
    facts = dataclasses.replace(FACTS, **changes)  # type: ignore[arg-type]
    return {task.key: task.due for task in plan_tasks(facts, pathway, release)}


def test_pathway_1_triage_then_the_release_work() -> None:
    assert keys(1) == {
        "triage": ARRIVAL + timedelta(days=3),
        "needs_before_release": RELEASE - timedelta(weeks=8),
        "community_case_manager": RELEASE - timedelta(weeks=6),
        "through_the_gate": RELEASE - timedelta(weeks=6)}  # the release area not known


def test_pathway_2_gets_a_custody_case_manager_and_oasys() -> None:
    tasks = keys(2)
    assert tasks["custody_case_manager"] == ARRIVAL + timedelta(weeks=2)
    assert tasks["oasys_sentence_plan"] == ARRIVAL + timedelta(weeks=8)
    assert "needs_and_support_plan" not in tasks


def test_pathway_3_gets_a_case_manager_within_two_weeks_and_a_support_plan() -> None:
    tasks = keys(3, sentence=Sentence(kind="custodial", date=date(2026, 3, 1), length="P6M"))
    assert tasks["custody_case_manager"] == ARRIVAL + timedelta(weeks=2)
    assert tasks["needs_and_support_plan"] == ARRIVAL + timedelta(weeks=4)
    assert "oasys_sentence_plan" not in tasks


def test_under_eight_weeks_is_triage_only() -> None:
    short = Sentence(kind="custodial", date=date(2026, 3, 1), length="P7W6D")
    assert set(keys(3, sentence=short)) == {"triage"}
    eight = Sentence(kind="custodial", date=date(2026, 3, 1), length="P8W")
    assert "custody_case_manager" in keys(3, sentence=eight)


def test_remand_is_triage_focused_on_tenancy() -> None:
    [task] = plan_tasks(FACTS, 4, RELEASE)
    assert (task.key, task.rule) == ("triage", "PATH-4") and "tenancy" in task.title


def test_the_community_case_manager_window_opens_eight_weeks_before_release() -> None:
    [task] = [t for t in plan_tasks(FACTS, 2, RELEASE) if t.key == "community_case_manager"]
    assert (task.opens, task.due) == (RELEASE - timedelta(weeks=8), RELEASE - timedelta(weeks=6))


def test_unknown_dates_set_no_task_and_no_pathway_sets_none() -> None:
    assert set(keys(2, release=None)) == {"triage", "custody_case_manager",
                                          "oasys_sentence_plan"}
    no_arrival = dataclasses.replace(FACTS.custody, arrival_date=None)  # type: ignore[arg-type]
    assert set(keys(1, custody=no_arrival)) == {"needs_before_release",
                                                "community_case_manager", "through_the_gate"}
    assert plan_tasks(FACTS, None, RELEASE) == ()
    assert plan_tasks(dataclasses.replace(FACTS, custody=None), 2, RELEASE) == ()


def test_a_release_moved_moves_its_tasks() -> None:
    later = RELEASE + timedelta(days=30)
    assert keys(2, release=later)["community_case_manager"] == later - timedelta(weeks=6)


@given(pathway=st.integers(1, 4), arrival=st.dates(date(2000, 1, 1), date(2040, 1, 1)),
       release=st.none() | st.dates(date(2000, 1, 1), date(2045, 1, 1)))
def test_no_task_is_due_before_arrival(pathway: int, arrival: date, release: date | None
                                       ) -> None:
    facts = dataclasses.replace(FACTS, custody=Custody(arrival_date=arrival))
    for task in plan_tasks(facts, pathway, release):
        assert arrival <= task.opens <= task.due


@pytest.mark.parametrize("pathway", [1, 2, 3, 4])
def test_keys_are_unique_per_case(pathway: int) -> None:
    tasks = plan_tasks(FACTS, pathway, RELEASE)
    assert len({t.key for t in tasks}) == len(tasks) > 0


# PATH-5: local and out-of-area release.

DONCASTER = ("Barnsley", "Doncaster", "Rotherham", "Sheffield")


def place(address: str | None, areas: tuple[str, ...] | None = DONCASTER,
          codes: tuple[str, ...] = ("N52SHE",)) -> ReleasePlace:
    return ReleasePlace("HMP Doncaster", address, areas, codes)


def support(release: date = RELEASE, where: ReleasePlace | None = None, pathway: int = 3
            ) -> TaskPlan:
    [task] = [t for t in plan_tasks(FACTS, pathway, release, where)
              if t.key in THROUGH_THE_GATE_KEYS]
    return task


@pytest.mark.parametrize("address", ["Doncaster", " rotherham ", "SHEFFIELD", "N52SHE",
                                     "n52she"])
def test_a_release_into_the_prisons_local_area_gets_12_months_of_community_case_management(
        address: str) -> None:
    task = support(where=place(address))
    assert (task.key, task.rule, task.owner) == (LOCAL_SUPPORT, "PATH-5",
                                                 "Community case manager")
    assert (task.opens, task.due) == (RELEASE, date(2028, 9, 1))  # the period's last day
    assert "voluntary" in task.title and "up to 12 months" in task.title
    assert "in HMP Doncaster's local area (Barnsley, Doncaster, Rotherham, Sheffield)" \
        in task.reason
    assert "from release on 1 September 2027 until 1 September 2028" in task.reason


def test_a_release_outside_the_local_area_gets_arms_length_support() -> None:
    task = support(where=place("Leeds"))
    assert (task.key, task.opens, task.due) == (ARMS_LENGTH, RELEASE, date(2028, 9, 1))
    assert "Arms-length support" in task.title
    assert task.reason.startswith("The release address is in Leeds, outside HMP Doncaster's "
                                  "local area")
    # A neighbouring name is not the same area: no part-word matches.
    assert support(where=place("Doncaster East")).key == ARMS_LENGTH


@pytest.mark.parametrize(("where", "says"), [
    (None, "The release address area is not recorded"),
    (place(None), "The release address area is not recorded"),
    (place("   "), "The release address area is not recorded"),
    (place("Doncaster", areas=None), "HMP Doncaster has no local area recorded, so it is not "
                                     "known whether a release to Doncaster is local"),
    (place("Doncaster", areas=()), "HMP Doncaster has no local area recorded"),
])
def test_no_area_recorded_says_so_and_guesses_nothing(where: ReleasePlace | None,
                                                      says: str) -> None:
    task = support(where=where)
    assert task.key == SUPPORT_UNDECIDED and says in task.reason
    assert "Record the release address area" in task.title
    # Due with the community case manager, when the release plan is made.
    assert (task.opens, task.due) == (RELEASE - timedelta(weeks=8),
                                      RELEASE - timedelta(weeks=6))
    assert release_is_local(where)[0] is None


def test_the_support_period_ends_12_calendar_months_after_release() -> None:
    assert support_end(date(2028, 2, 29)) == date(2029, 2, 28)  # leap day: the month's end
    assert support_end(date(2027, 1, 31)) == date(2028, 1, 31)
    task = through_the_gate(date(2028, 2, 29), place("Barnsley"))
    assert (task.opens, task.due) == (date(2028, 2, 29), date(2029, 2, 28))


def test_released_on_the_day_of_arrival_support_starts_that_day() -> None:
    task = support(release=ARRIVAL, where=place("Doncaster"))
    assert (task.opens, task.due) == (ARRIVAL, support_end(ARRIVAL))
    # Not known where: the task cannot be due before arrival, so it is due on arrival.
    undecided = support(release=ARRIVAL + timedelta(days=10), where=place(None))
    assert undecided.opens == undecided.due == ARRIVAL


def test_remand_and_short_sentences_get_no_through_the_gate_support() -> None:
    assert not [t for t in plan_tasks(FACTS, 4, RELEASE, place("Doncaster"))
                if t.key in THROUGH_THE_GATE_KEYS]
    short = dataclasses.replace(FACTS, sentence=Sentence(kind="custodial",
                                                         date=date(2026, 3, 1), length="P7W"))
    assert not [t for t in plan_tasks(short, 3, RELEASE, place("Doncaster"))
                if t.key in THROUGH_THE_GATE_KEYS]
