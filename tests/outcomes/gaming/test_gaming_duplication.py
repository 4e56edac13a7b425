"""OUT-6 duplication: the same need of the same person worked on by two agencies at once, on
both engines."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from omp.outcomes.gaming import (
    GamingInputError,
    duplicate_work,
    duplicate_work_examples,
    duplication_readings,
)


def spell(case_ref: str, agency: str, start: date, end: date | None,
          need: str = "accommodation") -> dict[str, Any]:
    return {"case_ref": case_ref, "need": need, "agency": agency, "start_date": start,
            "end_date": end}


def test_one_day_of_overlap_counts_and_adjacent_spells_do_not(backend, tables):
    work = tables("need_work", [
        # Probation's spell ends on the day Catch22's starts: one day of overlap.
        spell("A1", "Probation", date(2026, 1, 1), date(2026, 1, 10)),
        spell("A1", "Catch22", date(2026, 1, 10), date(2026, 2, 1)),
        # Catch22 starts the day after Probation ends: a handover, not duplication.
        spell("B1", "Probation", date(2026, 1, 1), date(2026, 1, 10)),
        spell("B1", "Catch22", date(2026, 1, 11), date(2026, 2, 1)),
    ])
    rows = backend.rows(duplicate_work(work))
    assert rows == [{"need": "accommodation", "agency_a": "Catch22", "agency_b": "Probation",
                     "people": 1, "overlaps": 1, "overlap_days": 1}]
    assert backend.rows(duplicate_work_examples(work)) == [
        {"need": "accommodation", "agency_a": "Catch22", "agency_b": "Probation",
         "case_ref": "A1", "overlap_start": date(2026, 1, 10), "overlap_days": 1}]


def test_one_agency_twice_or_two_needs_are_not_duplication(backend, tables):
    work = tables("need_work", [
        spell("C1", "Probation", date(2026, 1, 1), date(2026, 3, 1)),
        spell("C1", "Probation", date(2026, 2, 1), date(2026, 4, 1)),
        spell("C2", "Probation", date(2026, 1, 1), date(2026, 3, 1)),
        spell("C2", "Catch22", date(2026, 1, 1), date(2026, 3, 1), need="finance_debt"),
        spell("C3", "Probation", date(2026, 1, 1), date(2026, 3, 1)),
        spell("C4", "Catch22", date(2026, 1, 1), date(2026, 3, 1)),
    ])
    rows = backend.rows(duplicate_work(work))
    assert rows == []
    assert duplication_readings(rows) == [
        "No need was worked on by two agencies at once (OUT-6)."]


def test_counts_by_need_and_pair_of_agencies(backend, tables):
    spells = []
    for n in range(12):  # 12 people: Probation and Catch22 both find housing for 30 days
        spells += [spell(f"H{n:02d}", "Probation", date(2026, 1, 1), date(2026, 1, 30)),
                   spell(f"H{n:02d}", "Catch22", date(2026, 1, 1), date(2026, 3, 31))]
    spells += [  # one person with two overlapping Turning Point spells against Probation
        spell("S1", "Turning Point", date(2026, 1, 1), date(2026, 1, 5), "substance_misuse"),
        spell("S1", "Turning Point", date(2026, 1, 20), date(2026, 1, 29), "substance_misuse"),
        spell("S1", "Probation", date(2026, 1, 3), date(2026, 1, 25), "substance_misuse"),
        spell("S1", "Catch22", date(2026, 1, 3), date(2026, 1, 3), "substance_misuse"),
    ]
    work = tables("need_work", spells)
    rows = backend.rows(duplicate_work(work))
    assert rows == [
        {"need": "accommodation", "agency_a": "Catch22", "agency_b": "Probation",
         "people": 12, "overlaps": 12, "overlap_days": 360},
        {"need": "substance_misuse", "agency_a": "Catch22", "agency_b": "Probation",
         "people": 1, "overlaps": 1, "overlap_days": 1},
        {"need": "substance_misuse", "agency_a": "Catch22", "agency_b": "Turning Point",
         "people": 1, "overlaps": 1, "overlap_days": 1},
        {"need": "substance_misuse", "agency_a": "Probation", "agency_b": "Turning Point",
         "people": 1, "overlaps": 2, "overlap_days": 3 + 6},
    ]
    examples = backend.rows(duplicate_work_examples(work, per_pair=2))
    housing = [e["case_ref"] for e in examples if e["need"] == "accommodation"]
    assert housing == ["H00", "H01"]  # equal overlaps: by case reference
    # Only the pair with a publishable count is read as possible duplication; the three
    # pairs about one person each are counted, not flagged (COM-4).
    assert duplication_readings(rows, most=2) == [
        "Accommodation: Catch22 and Probation worked on it at the same time for 12 people: "
        "possible duplication (OUT-6).",
        "3 pairs of agencies worked on a need at the same time for fewer than 10 people "
        "each: too few to tell duplication from chance, so not flagged (COM-4)."]
    assert duplication_readings(rows * 2, most=1)[1] == "… and 1 more pair of agencies on a need."


def test_ongoing_work_runs_to_the_day_given_or_the_latest_in_the_table(backend, tables):
    work = tables("need_work", [
        spell("D1", "Probation", date(2026, 1, 1), None, "health"),
        spell("D1", "Catch22", date(2026, 1, 11), date(2026, 1, 20), "health"),
        spell("D2", "Probation", date(2026, 1, 1), None, "families"),
        spell("D2", "Catch22", date(2026, 3, 1), None, "families"),
        # Ends before it starts: bad data, overlaps nothing.
        spell("D3", "Probation", date(2026, 1, 9), date(2026, 1, 1), "health"),
        spell("D3", "Catch22", date(2026, 1, 1), date(2026, 1, 20), "health"),
    ])
    by_need = {row["need"]: row for row in backend.rows(duplicate_work(work))}
    assert by_need["health"]["overlap_days"] == 10 and by_need["health"]["people"] == 1
    assert by_need["families"]["overlap_days"] == 1  # both open: up to 1 March, the latest
    on_day = {row["need"]: row for row in
              backend.rows(duplicate_work(work, as_of=date(2026, 3, 10)))}
    assert on_day["families"]["overlap_days"] == 10


def test_bad_options_are_named(backend, tables):
    work = tables("need_work", [spell("E1", "Probation", date(2026, 1, 1), None)])
    with pytest.raises(GamingInputError, match="per_pair: must be 1 or more"):
        duplicate_work_examples(work, per_pair=0)
    with pytest.raises(GamingInputError, match="need_work: missing column.*agency"):
        duplicate_work(work.drop("agency"))
