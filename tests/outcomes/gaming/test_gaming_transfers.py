"""OUT-6 transfer gaming: transfers out within N weeks before release by risk band, against
the other prisons or a baseline period, on both engines; NEED-2 OGRS bands."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import ibis
import pytest

from omp.outcomes.gaming import (
    Baseline,
    GamingInputError,
    ogrs_band,
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
    rows = backend.rows(transfers_before_release(transfers, releases))
    doncaster = row_of(rows, "DNI", "high")
    assert (doncaster["people"], doncaster["transferred"]) == (40, 20)
    assert doncaster["share"] == pytest.approx(0.5)
    assert (doncaster["baseline_people"], doncaster["baseline_transferred"]) == (240, 10)
    assert doncaster["baseline_share"] == pytest.approx(10 / 240)
    assert doncaster["difference_low"] > 0.25 and doncaster["difference_high"] < 0.65
    assert doncaster["exceeds_baseline"] and doncaster["flagged"]
    assert doncaster["baseline"] == "the other prisons" and doncaster["weeks"] == 12
    # The other prisons are compared with the rest, Doncaster included: nothing there.
    assert not row_of(rows, "LEI", "high")["flagged"]
    assert not row_of(rows, "HMP", "high")["flagged"]
    assert row_of(rows, "DNI", "low")["transferred"] == 0
    (reading,) = transfer_readings(rows)
    assert reading.startswith("50% of high-risk people at DNI were transferred out within 12 "
                              "weeks before release, against 4% at the other prisons: ")
    assert reading.endswith("beyond natural variation: possible transfer gaming (OUT-6).")


def test_a_share_within_natural_variation_is_not_flagged(backend, tables):
    transfers = tables("transfers", moved("DNI", "high", 3, "M") + moved("LEI", "high", 20, "N"))
    releases = tables("index_events", released("DNI", "high", 27, "D")
                      + released("LEI", "high", 180, "L"))
    rows = backend.rows(transfers_before_release(transfers, releases))
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
    medium = row_of(backend.rows(transfers_before_release(transfers, releases)), "DNI", "medium")
    assert medium["exceeds_baseline"] and not medium["flagged"]


def test_a_baseline_period_compares_a_prison_with_its_own_past(backend, tables):
    before, now = date(2024, 6, 30), date(2025, 6, 30)
    transfers = tables("transfers", moved("DNI", "high", 5, "A", release=before)
                       + moved("DNI", "high", 40, "B", release=now))
    releases = tables("index_events", released("DNI", "high", 95, "C", on=before)
                      + released("DNI", "high", 60, "E", on=now)
                      + released("DNI", "high", 50, "F", on=date(2023, 1, 1)))  # in neither
    baseline = Baseline(date(2024, 1, 1), date(2024, 12, 31), date(2025, 1, 1),
                        date(2025, 12, 31))
    (row,) = backend.rows(transfers_before_release(transfers, releases, baseline=baseline))
    assert (row["people"], row["transferred"]) == (100, 40)
    assert (row["baseline_people"], row["baseline_transferred"]) == (100, 5)
    assert row["flagged"]
    assert row["baseline"] == "its own releases from 1 Jan 2024 to 31 Dec 2024"
    assert transfer_readings([row])[0].startswith(
        "40% of high-risk people at DNI were transferred out within 12 weeks before release, "
        "against 5% in its own releases from 1 Jan 2024 to 31 Dec 2024: ")


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


def test_a_flag_on_suppressed_figures_is_read_without_them():
    row = {"prison": "UPI", "risk_band": "high", "flagged": True, "share": None,
           "baseline_share": 0.02, "baseline": "the other prisons"}
    assert transfer_readings([row]) == [
        "High-risk people at UPI were transferred out within 12 weeks before release more "
        "often than at the other prisons, beyond natural variation (95% interval); the figures "
        "involve fewer than 10 people and are not shown: possible transfer gaming (OUT-6)."]
