"""OUT-6 transfer gaming: transfers out within N weeks before release by risk band, against
the other prisons or a baseline period, on both engines; NEED-2 OGRS bands."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import ibis
import pytest

from omp.outcomes.gaming import (
    TRANSFER_SUPPRESSION,
    Baseline,
    GamingInputError,
    judge_transfers,
    ogrs_band,
    suppress,
    transfer_readings,
    transfers_before_release,
)

RELEASE = date(2026, 6, 30)
OGRS = {"low": 10.0, "medium": 40.0, "high": 75.0}


def released(prison: str, band: str, count: int, prefix: str,
             on: date = RELEASE) -> list[dict[str, Any]]:
    return [{"case_ref": f"{prefix}{n:04d}", "prison_code": prison, "index_date": on,
             "ogrs3": OGRS[band]} for n in range(count)]


def moved(from_prison: str, band: str, count: int, prefix: str, days_before: int = 30,
          release: date = RELEASE) -> list[dict[str, Any]]:
    return [{"case_ref": f"{prefix}{n:04d}", "from_prison": from_prison, "to_prison": "HMP",
             "transfer_date": release - timedelta(days=days_before), "release_date": release,
             "risk_band": band} for n in range(count)]


def judged(backend, transfers, releases, **options: Any) -> list[dict[str, Any]]:
    """The check's rows, judged across all prisons together (Benjamini–Hochberg)."""
    return judge_transfers(backend.rows(transfers_before_release(transfers, releases,
                                                                 **options)))


def row_of(rows: list[dict[str, Any]], prison: str, band: str) -> dict[str, Any]:
    (row,) = [r for r in rows if r["prison"] == prison and r["risk_band"] == band]
    return row


def test_ogrs_bands_follow_need_2(backend, tables):
    scores = [0.0, 19.99, 20.0, 59.99, 60.0, 100.0, None]
    events = tables("index_events", [{"case_ref": f"C{n}", "prison_code": "DNI",
                                      "index_date": RELEASE, "ogrs3": s}
                                     for n, s in enumerate(scores)])
    expr = events.select("case_ref", band=ogrs_band(events.ogrs3)).order_by("case_ref")
    assert [row["band"] for row in backend.rows(expr)] == [
        "low", "low", "medium", "medium", "high", "high", None]


def test_high_risk_people_moved_out_far_more_than_elsewhere_is_flagged(backend, tables):
    transfers = tables("transfers", moved("DNI", "high", 20, "M") + moved("LEI", "high", 10, "N"))
    releases = tables("index_events", released("DNI", "high", 20, "D")
                      + released("LEI", "high", 200, "L")
                      # The people moved out are released from the prisons they went to.
                      + released("HMP", "high", 20, "M") + released("HMP", "high", 10, "N")
                      + released("DNI", "low", 20, "E"))
    rows = judged(backend, transfers, releases)
    doncaster = row_of(rows, "DNI", "high")
    assert (doncaster["people"], doncaster["transferred"]) == (40, 20)
    assert doncaster["share"] == pytest.approx(0.5)
    assert (doncaster["baseline_people"], doncaster["baseline_transferred"]) == (240, 10)
    assert doncaster["baseline_share"] == pytest.approx(10 / 240)
    assert doncaster["difference_low"] > 0.25 and doncaster["difference_high"] < 0.65
    assert doncaster["exceeds_baseline"] and doncaster["judged"] and doncaster["flagged"]
    assert doncaster["p_corrected"] < 0.001
    assert doncaster["baseline"] == "the other prisons" and doncaster["weeks"] == 12
    # The other prisons are compared with the rest, Doncaster included: nothing there.
    assert not row_of(rows, "LEI", "high")["flagged"]
    assert not row_of(rows, "HMP", "high")["flagged"]
    assert row_of(rows, "DNI", "low")["transferred"] == 0
    reading, tested = transfer_readings(rows)
    assert reading.startswith("50% of high-risk people at DNI were transferred out within 12 "
                              "weeks before release, against 4% at the other prisons: ")
    assert reading.endswith("beyond natural variation: possible transfer gaming (OUT-6).")
    # Leicester (210 people, 10 moved) and HMP (30 people, none moved) were tested too.
    assert tested == ("3 prisons were tested together, so a flag must stand after the "
                      "Benjamini–Hochberg correction for testing them all at once (a false "
                      "discovery rate of 5%).")


def test_a_share_within_natural_variation_is_not_flagged(backend, tables):
    transfers = tables("transfers", moved("DNI", "high", 3, "M") + moved("LEI", "high", 20, "N"))
    releases = tables("index_events", released("DNI", "high", 27, "D")
                      + released("LEI", "high", 180, "L"))
    rows = judged(backend, transfers, releases)
    doncaster = row_of(rows, "DNI", "high")
    assert doncaster["share"] == pytest.approx(0.1)
    assert doncaster["difference_low"] < 0 < doncaster["difference_high"]
    assert not doncaster["exceeds_baseline"] and not doncaster["flagged"]
    assert transfer_readings(rows)[0].startswith("No prison transferred high-risk people out")


def test_the_window_includes_exactly_n_weeks_and_the_day_of_release(backend, tables):
    rows_in = (moved("DNI", "high", 1, "A", days_before=84) + moved("DNI", "high", 1, "B", 0))
    rows_out = (moved("DNI", "high", 1, "C", days_before=85)
                + moved("DNI", "high", 1, "E", days_before=-1))
    transfers = tables("transfers", rows_in + rows_out)
    releases = tables("index_events", released("DNI", "high", 10, "D"))
    doncaster = row_of(backend.rows(transfers_before_release(transfers, releases)),
                       "DNI", "high")
    assert (doncaster["people"], doncaster["transferred"]) == (12, 2)
    # With a four-week window only the transfer on the day of release counts.
    four = row_of(backend.rows(transfers_before_release(transfers, releases, weeks=4)),
                  "DNI", "high")
    assert (four["people"], four["transferred"]) == (11, 1)


def test_medium_risk_excess_is_shown_but_only_high_risk_is_flagged(backend, tables):
    transfers = tables("transfers", moved("DNI", "medium", 30, "M"))
    releases = tables("index_events", released("DNI", "medium", 30, "D")
                      + released("LEI", "medium", 100, "L"))
    medium = row_of(judged(backend, transfers, releases), "DNI", "medium")
    assert medium["exceeds_baseline"] and not medium["judged"] and not medium["flagged"]


def test_a_baseline_period_compares_a_prison_with_its_own_past(backend, tables):
    before, now = date(2024, 6, 30), date(2025, 6, 30)
    transfers = tables("transfers", moved("DNI", "high", 5, "A", release=before)
                       + moved("DNI", "high", 40, "B", release=now))
    releases = tables("index_events", released("DNI", "high", 95, "C", on=before)
                      + released("DNI", "high", 60, "E", on=now)
                      + released("DNI", "high", 50, "F", on=date(2023, 1, 1)))  # in neither
    baseline = Baseline(date(2024, 1, 1), date(2024, 12, 31), date(2025, 1, 1),
                        date(2025, 12, 31))
    (row,) = judged(backend, transfers, releases, baseline=baseline)
    assert (row["people"], row["transferred"]) == (100, 40)
    assert (row["baseline_people"], row["baseline_transferred"]) == (100, 5)
    # Five moved out in its past: too few to publish, yet the flag is about this year's 40.
    assert row["compared"] and row["judged"] and row["flagged"]
    assert row["baseline"] == "its own releases from 1 Jan 2024 to 31 Dec 2024"
    assert transfer_readings([row])[0].startswith(
        "40% of high-risk people at DNI were transferred out within 12 weeks before release, "
        "against 5% in its own releases from 1 Jan 2024 to 31 Dec 2024: ")
    (shown,) = suppress([row], TRANSFER_SUPPRESSION)
    assert shown["baseline_transferred"] is None and shown["baseline_share"] is None
    assert shown["p_value"] is None and shown["flagged"]
    assert transfer_readings([shown])[0] == (
        "40% of high-risk people at DNI were transferred out within 12 weeks before release, "
        "more often than in its own releases from 1 Jan 2024 to 31 Dec 2024 beyond natural "
        "variation (95% interval); the baseline's figures involve fewer than 10 people and "
        "are not shown: possible transfer gaming (OUT-6).")
    assert "against 5%" not in " ".join(transfer_readings([shown]))
    assert transfer_readings([shown])[1] == (
        "Only 1 prison had enough people to be tested, so no correction for testing several "
        "at once was needed (a false discovery rate of 5%).")


def test_bad_options_are_named():
    with pytest.raises(GamingInputError, match="baseline: give the baseline period"):
        Baseline(date(2024, 1, 1), date(2024, 12, 31))
    with pytest.raises(GamingInputError, match="baseline: a period ends before it starts"):
        Baseline(date(2024, 12, 31), date(2024, 1, 1), date(2025, 1, 1), date(2025, 2, 1))
    transfers = ibis.table({"case_ref": "string", "from_prison": "string",
                            "transfer_date": "date", "release_date": "date",
                            "risk_band": "string"}, name="transfers")
    releases = ibis.table({"case_ref": "string", "prison_code": "string",
                           "index_date": "date"}, name="index_events")
    with pytest.raises(GamingInputError, match="weeks: must be a whole number"):
        transfers_before_release(transfers, releases, weeks=0)
    with pytest.raises(GamingInputError, match="index_events: missing column.*ogrs3"):
        transfers_before_release(transfers, releases)


def test_one_prison_against_all_the_others(backend, tables):
    transfers = tables("transfers", moved("DNI", "high", 20, "M") + moved("LEI", "high", 10, "N"))
    releases = tables("index_events", released("DNI", "high", 20, "D")
                      + released("LEI", "high", 200, "L"))
    rows = backend.rows(transfers_before_release(transfers, releases, prison="DNI"))
    assert [(row["prison"], row["baseline_people"]) for row in rows] == [("DNI", 210)]


def test_a_flag_on_suppressed_baseline_figures_is_read_without_them():
    row = {"prison": "UPI", "risk_band": "high", "judged": True, "flagged": True,
           "share": 0.4, "baseline_share": None, "difference_low": None,
           "difference_high": None, "baseline": "the other prisons"}
    assert transfer_readings([row])[0] == (
        "40% of high-risk people at UPI were transferred out within 12 weeks before release, "
        "more often than at the other prisons beyond natural variation (95% interval); the "
        "baseline's figures involve fewer than 10 people and are not shown: possible transfer "
        "gaming (OUT-6).")


def test_fewer_than_ten_moved_out_is_suppressed_not_flagged(backend, tables):
    """COM-4: 9 of 12 high-risk people moved out against none of 200 elsewhere is far
    beyond chance, but a flag would publish a count of 9: the band is not judged, its
    figures are suppressed, and the reading counts it among those too few to judge."""
    transfers = tables("transfers", moved("UPI", "high", 9, "M"))
    releases = tables("index_events", released("UPI", "high", 3, "U")
                      + released("LEI", "high", 200, "L"))
    rows = judged(backend, transfers, releases)
    prescoed = row_of(rows, "UPI", "high")
    assert (prescoed["people"], prescoed["transferred"]) == (12, 9)
    # Tested with the others (chosen by people, not by how many moved), not judged.
    assert prescoed["exceeds_baseline"] and prescoed["compared"] and not prescoed["judged"]
    assert prescoed["p_corrected"] < 0.001 and not prescoed["flagged"]
    shown = suppress(rows, TRANSFER_SUPPRESSION)
    (small,) = [row for row in shown if row["prison"] == "UPI"]
    assert small["transferred"] is None and small["share"] is None
    assert small["p_value"] is None and small["p_corrected"] is None  # they would tell the 9
    readings = transfer_readings(shown)
    assert readings[0].startswith("No prison transferred high-risk people out")
    assert readings[1].startswith("2 prisons were tested together")
    assert readings[-1] == ("1 prison transferred or released fewer than 10 high-risk people: "
                            "too few to judge, so those figures are not shown and not flagged "
                            "(COM-4).")
    assert readings == transfer_readings(rows)  # the same words before suppression


def test_a_baseline_of_fewer_than_ten_people_is_not_judged(backend, tables):
    before, now = date(2024, 6, 30), date(2025, 6, 30)
    transfers = tables("transfers", moved("DNI", "high", 30, "B", release=now))
    releases = tables("index_events", released("DNI", "high", 8, "C", on=before)
                      + released("DNI", "high", 30, "E", on=now))
    baseline = Baseline(date(2024, 1, 1), date(2024, 12, 31), date(2025, 1, 1),
                        date(2025, 12, 31))
    (row,) = judged(backend, transfers, releases, baseline=baseline)
    assert (row["people"], row["transferred"], row["baseline_people"]) == (60, 30, 8)
    assert not row["compared"] and not row["judged"] and not row["flagged"]
    assert row["p_value"] is None
    assert transfer_readings([row])[-1] == (
        "1 prison had fewer than 10 high-risk people in its own releases from 1 Jan 2024 to "
        "31 Dec 2024 to compare with: too few to judge, so not flagged (COM-4).")


def test_an_excess_taken_alone_may_not_survive_the_correction():
    """Ten prisons, each judged: one a little above its baseline (one-sided p about 0.02,
    its 95% interval just above zero), the rest no different. Taken alone it would be
    flagged; among ten comparisons Benjamini–Hochberg asks for p at most 0.005, so it is
    not, and the reading says why."""
    rows = [{"prison": f"P{n}", "risk_band": "high", "compared": True, "judged": True,
             "exceeds_baseline": n == 0, "people": 200, "transferred": 30 if n == 0 else 20,
             "baseline_people": 2000, "baseline_transferred": 200, "share": 0.1,
             "baseline_share": 0.1, "baseline": "the other prisons"} for n in range(10)]
    result = judge_transfers(rows)
    first = result[0]
    assert 0.01 < first["p_value"] < 0.05 and first["p_corrected"] > 0.05
    assert not any(row["flagged"] for row in result)
    assert {row["tested"] for row in result} == {10}
    readings = transfer_readings(result)
    assert readings[0].startswith("No prison transferred high-risk people out")
    assert readings[1].endswith(
        "; 1 more was above its baseline taken alone (95% interval), but not beyond chance "
        "once every comparison is allowed for, so not flagged.")
    # The same figures, one prison alone: no correction to make, and it is flagged.
    (alone,) = judge_transfers(rows[:1])
    assert alone["flagged"] and alone["p_corrected"] == alone["p_value"]


def test_only_compared_bands_are_tested_and_the_rate_is_checked():
    rows = [{"prison": "DNI", "risk_band": "high", "compared": False, "judged": False,
             "exceeds_baseline": True, "people": 12, "transferred": 9, "baseline_people": 8,
             "baseline_transferred": 0}]
    (row,) = judge_transfers(rows)
    assert (row["p_value"], row["p_corrected"], row["tested"], row["flagged"]) == (
        None, None, 0, False)
    with pytest.raises(GamingInputError, match="rate: must be between 0 and 1"):
        judge_transfers(rows, rate=0)
