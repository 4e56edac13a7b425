"""OUT-1 and OUT-2 on exact dates, on every engine: the 12-month follow-up and 6-month lag
at their boundaries, each exclusion, a person in two cohorts, cautions for proven only."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from omp.outcomes.cohorts import Cohort, CohortError, builtin
from omp.outcomes.measures import measure, wilson_interval

RELEASE = date(2013, 3, 1)  # a year with no 29 February: day 365 is 1 March 2014


def day(n: int, start: date = RELEASE) -> date:
    return start + timedelta(days=n)


def test_out2_offence_on_day_365_counts_and_day_366_does_not(data, engine_name):
    data.event("A", RELEASE).outcome("A", day(365), day(400))
    data.event("B", RELEASE).outcome("B", day(366), day(400))
    data.event("C", RELEASE).outcome("C", day(0), day(30))  # the day of release counts
    data.event("D", RELEASE).outcome("D", day(-1), day(30))  # before release: the old case
    [result] = measure(data.write(), "doncaster-2013", engine=engine_name)
    assert (result.size, result.reoffenders, result.reoffences) == (4, 2, 2)
    assert result.rate == 50.0


def test_out2_follow_up_is_twelve_calendar_months_across_29_february(data, engine_name):
    # From 1 March 2011 the anniversary is 1 March 2012, which is day 366 (29 Feb between).
    start = date(2011, 3, 1)
    data.event("A", start).outcome("A", day(366, start), day(380, start))
    data.event("B", start).outcome("B", day(367, start), day(380, start))
    [result] = measure(data.write(), "doncaster-2011", engine=engine_name)
    assert (result.size, result.reoffenders) == (2, 1)


def test_out2_disposal_on_last_day_of_lag_counts_and_the_day_after_does_not(data,
                                                                             engine_name):
    last_day_of_lag = date(2014, 9, 1)  # 18 months after 1 March 2013
    data.event("A", RELEASE).outcome("A", day(300), last_day_of_lag)
    data.event("B", RELEASE).outcome("B", day(300), last_day_of_lag + timedelta(days=1))
    [result] = measure(data.write(), "doncaster-2013", engine=engine_name)
    assert (result.size, result.reoffenders) == (2, 1)


def test_out2_cautions_count_for_proven_but_not_for_binary_court(data, engine_name):
    data.event("A", RELEASE).outcome("A", day(10), day(40), "caution")
    data.event("B", RELEASE).outcome("B", day(10), day(40), "court")
    data.event("C", RELEASE).outcome("C", day(10), day(40), "conditional_caution")
    path = data.write()
    [court] = measure(path, "doncaster-2013", "binary_court", engine=engine_name)
    [proven] = measure(path, "doncaster-2013", "proven", engine=engine_name)
    assert (court.reoffenders, court.reoffences) == (1, 1)
    assert (proven.reoffenders, proven.reoffences) == (3, 3)


def test_out2_frequency_per_offender_and_per_reoffender(data, engine_name):
    data.event("A", RELEASE)
    for n in (5, 50, 100):
        data.outcome("A", day(n), day(n + 20))
    data.event("B", RELEASE).outcome("B", day(5), day(25))
    data.event("C", RELEASE).event("D", RELEASE)
    [result] = measure(data.write(), "doncaster-2013", engine=engine_name)
    assert (result.size, result.reoffenders, result.reoffences) == (4, 2, 4)
    assert result.frequency_per_offender == 1.0
    assert result.frequency_per_reoffender == 2.0
    assert result.frequency_ci_low < 1.0 < result.frequency_ci_high


@pytest.mark.parametrize("exclusion", ["deported_or_irc", "time_served_on_remand",
                                       "breach_of_court_order"])
def test_out1_each_doncaster_exclusion_is_left_out_and_counted(data, engine_name, exclusion):
    data.event("KEPT", RELEASE).outcome("KEPT", day(10), day(40))
    data.event("OUT", RELEASE, **{exclusion: True}).outcome("OUT", day(10), day(40))
    [result] = measure(data.write(), "doncaster-2013", engine=engine_name)
    assert (result.size, result.reoffenders) == (1, 1)
    assert result.excluded == {exclusion: 1}


def test_out1_exclusions_are_counted_once_each_by_the_first_that_applies(data, engine_name):
    data.event("A", RELEASE, deported_or_irc=True, breach_of_court_order=True)
    data.event("B", RELEASE, breach_of_court_order=True)
    data.event("C", RELEASE)
    [result] = measure(data.write(), "doncaster-2013", engine=engine_name)
    assert result.size == 1
    assert result.excluded == {"breach_of_court_order": 1, "deported_or_irc": 1}


def test_out1_an_excluded_discharge_does_not_hide_a_later_qualifying_one(data, engine_name):
    data.event("A", RELEASE, breach_of_court_order=True)
    later = date(2013, 9, 1)
    data.event("A", later).outcome("A", later + timedelta(days=3), later + timedelta(days=30))
    [result] = measure(data.write(), "doncaster-2013", engine=engine_name)
    assert (result.size, result.reoffenders, result.excluded) == (1, 1, {})


def test_out1_first_index_event_in_the_period_is_the_one_measured(data, engine_name):
    data.event("A", RELEASE).event("A", date(2013, 11, 1))
    # In the second discharge's window only: not counted, the first discharge is measured.
    data.outcome("A", date(2014, 10, 1), date(2014, 10, 20))
    [result] = measure(data.write(), "doncaster-2013", engine=engine_name)
    assert (result.size, result.reoffenders) == (1, 0)


def test_out1_a_person_in_two_cohorts_is_counted_in_each(data, engine_name):
    data.event("A", RELEASE).outcome("A", day(10), day(40))
    data.event("B", RELEASE, prison_code="LEI", cpa_code="WYO")
    path = data.write()
    [doncaster] = measure(path, "doncaster-2013", engine=engine_name)
    [national] = measure(path, "national-2013", engine=engine_name)
    assert (doncaster.size, doncaster.reoffenders) == (1, 1)
    assert (national.size, national.reoffenders) == (2, 1)


def test_out1_supervision_start_cohorts_per_cpa_by_quarter(data, engine_name):
    data.event("A", date(2015, 2, 10), index_kind="supervision_start", cpa_code="SYO")
    data.event("B", date(2015, 4, 1), index_kind="supervision_start", cpa_code="SYO")
    data.event("C", date(2015, 2, 11), index_kind="supervision_start", cpa_code="SYO",
               nps_allocated=True)
    data.event("D", date(2015, 2, 12), index_kind="supervision_start", cpa_code="LDN")
    data.event("E", date(2015, 2, 12), cpa_code="SYO")  # a discharge, not a start
    data.outcome("A", date(2015, 3, 1), date(2015, 4, 1))
    path = data.write()
    [quarter] = measure(path, "cpa-syo-2015q1", engine=engine_name)
    [year] = measure(path, "cpa-SYO-2015", engine=engine_name)
    assert (quarter.size, quarter.reoffenders, quarter.excluded) == (1, 1,
                                                                     {"nps_allocated": 1})
    assert year.size == 2


def test_out2_grouped_by_prison_and_provider(data, engine_name):
    data.event("A", RELEASE).outcome("A", day(10), day(40))
    data.event("B", RELEASE, prison_code="LEI", provider="PRV-X", breach_of_court_order=True)
    data.event("C", RELEASE, prison_code="LEI", provider="PRV-X", ogrs3=20.0)
    data.event("D", RELEASE, index_kind="supervision_start", provider="PRV-X")
    path = data.write()
    by_prison = measure(path, "national-2013", by="prison", engine=engine_name)
    assert [(r.group, r.size, r.reoffenders) for r in by_prison] == [
        ("(none)", 1, 0), ("DNI", 1, 1), ("LEI", 2, 0)]
    by_provider = measure(path, "national-2013", by="provider", engine=engine_name)
    assert [(r.group, r.size) for r in by_provider] == [("PRV-X", 3), ("PRV-YORKS", 1)]
    # Doncaster exclusions, grouped: the excluded person is reported in their prison's row.
    cohort = Cohort("all-discharges-2013", "discharge", date(2013, 1, 1), date(2013, 12, 31),
                    exclusions=("breach_of_court_order",))
    rows = measure(path, cohort, by="prison", engine=engine_name)
    assert [(r.group, r.size, r.excluded, r.mean_predicted_risk) for r in rows] == [
        ("DNI", 1, {}, 60.0), ("LEI", 1, {"breach_of_court_order": 1}, 20.0)]


def test_out2_empty_cohort_reports_nothing_known(data, engine_name):
    data.event("A", RELEASE)
    [result] = measure(data.write(), "doncaster-2009", engine=engine_name)
    assert (result.size, result.rate, result.ci_low, result.ci_high) == (0, 0.0, 0.0, 100.0)
    assert result.mean_predicted_risk is None


def test_wilson_interval_matches_a_worked_value():
    # 58 of 100: Wilson 95% interval 48.2%-67.2% (by hand from the formula).
    low, high = wilson_interval(58, 100)
    assert low == pytest.approx(48.2, abs=0.05)
    assert high == pytest.approx(67.2, abs=0.05)
    assert wilson_interval(0, 10)[0] == 0.0
    assert wilson_interval(10, 10)[1] == 100.0


def test_builtin_cohort_names():
    assert builtin("doncaster-2009").tags == ("baseline",)
    pilot = builtin("doncaster-pilot-1")
    assert (pilot.start, pilot.end) == (date(2011, 10, 1), date(2012, 9, 30))
    quarter = builtin("cpa-syo-2016q4")
    assert (quarter.start, quarter.end, quarter.cpa) == (date(2016, 10, 1),
                                                         date(2016, 12, 31), "SYO")
    with pytest.raises(CohortError, match="unknown name"):
        builtin("doncaster")
    with pytest.raises(CohortError, match="exclusions"):
        Cohort("x", "discharge", date(2013, 1, 1), date(2013, 1, 2), exclusions=("nope",))
    round_trip = Cohort.from_dict(builtin("doncaster-2012").to_dict())
    assert round_trip == builtin("doncaster-2012")


def test_out1_a_cohort_defined_in_a_json_file_is_measured(data, engine_name, tmp_path):
    data.event("A", RELEASE, prison_code="LEI").outcome("A", day(3), day(20))
    data.event("B", RELEASE, prison_code="LEI", time_served_on_remand=True)
    definition = tmp_path / "leeds.json"
    definition.write_text(json.dumps({
        "name": "leeds-spring-2013", "kind": "discharge", "start": "2013-03-01",
        "end": "2013-05-31", "prison": "LEI", "exclusions": ["time_served_on_remand"]}))
    [result] = measure(data.write(), definition, engine=engine_name)
    assert (result.cohort, result.size, result.reoffenders) == ("leeds-spring-2013", 1, 1)
    assert result.excluded == {"time_served_on_remand": 1}
    with pytest.raises(CohortError, match="start"):
        Cohort.from_dict({"name": "x", "kind": "discharge", "end": "2013-01-01"})


def test_out1_a_split_measures_each_prison_and_year_as_its_own_cohort(data, engine_name):
    """The results pages measure every prison's calendar years in one split pass; each part
    equals ``prison-<code>-<year>`` measured on its own, with the same edge cases: a person
    discharged from two prisons in a year is in both, an excluded discharge does not hide a
    later one from the same prison, and each year takes its own first discharge."""
    from omp.outcomes.cohorts import DONCASTER_EXCLUSIONS
    from omp.outcomes.engine import Engine
    from omp.outcomes.measures import measure_split, measure_with

    data.event("A", RELEASE).outcome("A", day(10), day(40))
    data.event("A", date(2013, 8, 1), prison_code="LEI")
    data.event("B", RELEASE, breach_of_court_order=True)
    data.event("B", date(2013, 9, 1)).outcome("B", date(2013, 9, 5), date(2013, 10, 1))
    data.event("C", date(2013, 12, 30), prison_code="LEI", deported_or_irc=True)
    data.event("C", date(2014, 1, 2), prison_code="LEI").outcome("C", date(2014, 2, 1),
                                                                  date(2014, 3, 1))
    data.event("D", date(2014, 5, 1), index_kind="supervision_start", cpa_code="SYO")
    path = data.write()
    everyone = Cohort("discharges", "discharge", date(2013, 1, 1), date(2014, 12, 31),
                      exclusions=DONCASTER_EXCLUSIONS)
    with Engine(engine_name, path) as engine:
        split = measure_split(engine, everyone, "binary_court", ("prison", "year"),
                              lambda code, year: f"prison-{code.lower()}-{year}")
        assert sorted(split) == [("DNI", 2013), ("LEI", 2013), ("LEI", 2014)]
        for (code, year), result in split.items():
            [alone] = measure_with(engine, f"prison-{code.lower()}-{year}")
            assert result == alone, (code, year)
            assert result.cohort == f"prison-{code.lower()}-{year}"
    assert (split[("DNI", 2013)].size, split[("DNI", 2013)].reoffenders) == (2, 2)
    assert split[("LEI", 2013)].excluded == {"deported_or_irc": 1}
    assert (split[("LEI", 2014)].size, split[("LEI", 2014)].reoffenders) == (1, 1)
