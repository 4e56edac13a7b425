"""OUT-6 parking and cherry-picking: support intensity by pathway and risk band, on both
engines."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from omp.outcomes.gaming import (
    CHERRY_PICKING,
    PARKING,
    intensity_readings,
    support_intensity,
)


def people(pathway: int, band: str, count: int, minutes: int, *, prefix: str = "",
           on: date = date(2026, 1, 15), contacts_each: int = 1) -> list[dict[str, Any]]:
    """``count`` people on ``pathway`` in ``band``, each getting ``minutes`` in all."""
    rows = []
    for number in range(count):
        for contact in range(contacts_each):
            rows.append({"case_ref": f"{prefix or band[0].upper()}{pathway}{number:04d}",
                         "prison_code": "DNI", "pathway": pathway, "risk_band": band,
                         "contact_date": on, "minutes": minutes // contacts_each
                         + (minutes % contacts_each if contact == 0 else 0)})
    return rows


def by_band(rows: list[dict[str, Any]], pathway: int) -> dict[str, dict[str, Any]]:
    return {row["risk_band"]: row for row in rows if row["pathway"] == pathway}


def test_high_risk_band_with_half_the_minutes_is_flagged_as_parking(backend, tables):
    contacts = tables("support_contacts", people(3, "low", 10, 100) + people(3, "medium", 10, 100)
                      + people(3, "high", 10, 40, contacts_each=2))
    rows = backend.rows(support_intensity(contacts))
    bands = by_band(rows, 3)
    assert [row["risk_band"] for row in rows] == ["low", "medium", "high"]
    assert bands["high"]["people"] == 10 and bands["high"]["contacts"] == 20
    assert bands["high"]["minutes_per_person_month"] == pytest.approx(40)
    assert bands["high"]["pathway_minutes_per_person_month"] == pytest.approx(80)
    assert bands["high"]["minutes_ratio"] == pytest.approx(0.5)
    assert bands["high"]["contacts_ratio"] == pytest.approx(2 / (40 / 30))
    assert bands["high"]["flag"] == PARKING
    assert bands["low"]["flag"] is None and bands["medium"]["flag"] is None
    assert intensity_readings(rows) == [
        "High-risk people on pathway 3 got 50% fewer support minutes per person than pathway 3 "
        "as a whole: possible parking (OUT-6)."]


def test_even_support_flags_nothing(backend, tables):
    contacts = tables("support_contacts", people(2, "low", 12, 90) + people(2, "medium", 11, 100)
                      + people(2, "high", 10, 95))
    rows = backend.rows(support_intensity(contacts))
    assert all(row["flag"] is None for row in rows)
    assert intensity_readings(rows)[0].startswith("No medium- or high-risk band got less than 75%")


def test_a_band_at_exactly_the_threshold_is_not_flagged(backend, tables):
    # 60 minutes against a pathway average of 80: a ratio of exactly 0.75, not below it.
    contacts = tables("support_contacts", people(1, "low", 10, 100) + people(1, "high", 10, 60))
    high = by_band(backend.rows(support_intensity(contacts)), 1)["high"]
    assert high["minutes_ratio"] == pytest.approx(0.75)
    assert high["flag"] is None


def test_a_group_of_fewer_than_ten_people_is_not_judged(backend, tables):
    contacts = tables("support_contacts", people(3, "low", 10, 100) + people(3, "high", 9, 10))
    high = by_band(backend.rows(support_intensity(contacts)), 3)["high"]
    assert high["minutes_ratio"] < 0.2
    assert high["flag"] is None


def test_low_risk_band_with_far_more_support_is_flagged_as_cherry_picking(backend, tables):
    contacts = tables("support_contacts", people(2, "low", 10, 200) + people(2, "medium", 10, 50)
                      + people(2, "high", 10, 50))
    bands = by_band(backend.rows(support_intensity(contacts)), 2)
    assert bands["low"]["minutes_ratio"] == pytest.approx(2.0)
    assert bands["low"]["flag"] == CHERRY_PICKING
    assert bands["medium"]["flag"] == PARKING and bands["high"]["flag"] == PARKING
    readings = intensity_readings(list(bands.values()))
    assert readings[0] == ("Low-risk people on pathway 2 got 100% more support minutes per "
                           "person than pathway 2 as a whole: possible cherry-picking (OUT-6).")


def test_each_pathway_is_its_own_pattern(backend, tables):
    # Pathway 3 gets far more than pathway 1 by design (seed 003): not parking on pathway 1.
    contacts = tables("support_contacts", people(3, "high", 10, 300) + people(3, "low", 10, 300)
                      + people(1, "high", 10, 30) + people(1, "low", 10, 30))
    rows = backend.rows(support_intensity(contacts))
    assert all(row["flag"] is None for row in rows)
    assert by_band(rows, 1)["high"]["pathway_minutes_per_person_month"] == pytest.approx(30)


def test_rates_are_per_calendar_month_of_the_period(backend, tables):
    contacts = tables("support_contacts",
                      people(4, "low", 10, 60, on=date(2026, 1, 31))
                      + people(4, "low", 10, 30, on=date(2026, 3, 1)))
    (row,) = backend.rows(support_intensity(contacts))
    assert row["months"] == 3
    assert row["people"] == 10 and row["contacts"] == 20 and row["minutes"] == 900
    assert row["minutes_per_person_month"] == pytest.approx(30)
    assert row["contacts_per_person_month"] == pytest.approx(2 / 3)


def test_people_on_the_caseload_without_any_contact_count_as_none(backend, tables):
    contacts = tables("support_contacts", people(2, "low", 10, 100) + people(2, "high", 10, 100))
    caseload = tables("caseload", [{"case_ref": f"Z{n}", "pathway": 2, "risk_band": "high"}
                                   for n in range(20)]
                      + [{"case_ref": "L20000", "pathway": 2, "risk_band": "low"}])
    bands = by_band(backend.rows(support_intensity(contacts, caseload)), 2)
    assert bands["high"]["people"] == 30 and bands["high"]["minutes"] == 1000
    assert bands["low"]["people"] == 10  # already on the caseload through a contact
    assert bands["high"]["minutes_ratio"] == pytest.approx((1000 / 30) / (2000 / 40))
    assert bands["high"]["flag"] == PARKING


def test_a_missing_column_is_named(backend, tables):
    contacts = tables("support_contacts", people(1, "low", 1, 10)).drop("minutes")
    with pytest.raises(ValueError, match="support_contacts: missing column.*minutes"):
        support_intensity(contacts)


def test_contacts_with_no_pathway_are_left_out(backend, tables):
    """Out of custody there is no pathway (PATH-1): such contacts (the snapshot writes the
    sessions of people in the community so) are not a group of their own, and their dates
    do not stretch the months of the others."""
    outside = [{**row, "pathway": None, "prison_code": None}
               for row in people(3, "high", 10, 500, prefix="C", on=date(2026, 4, 15))]
    contacts = tables("support_contacts", people(3, "low", 10, 100) + people(3, "high", 10, 100)
                      + outside)
    rows = backend.rows(support_intensity(contacts))
    assert [(row["pathway"], row["risk_band"], row["people"]) for row in rows] == [
        (3, "low", 10), (3, "high", 10)]
    assert rows[0]["months"] == 1 and all(row["flag"] is None for row in rows)
