"""Effective-dated policy versions (ALLOC-7): which version is in force for a case."""

from __future__ import annotations

from datetime import date

import pytest

from omp.rules.policy import (
    ALLOCATION_CRITERIA,
    BUILT_IN_VERSIONS,
    PolicyError,
    PolicyVersion,
    policy_in_force,
    policy_named,
)

NATIONAL_2020 = PolicyVersion("N20", date(2020, 1, 1))
NATIONAL_2022 = PolicyVersion("N22", date(2022, 1, 1))
WALES_2021 = PolicyVersion("W21", date(2021, 1, 1), scope="Wales")
WALES_2022 = PolicyVersion("W22", date(2022, 1, 1), scope="Wales")
REGION_2022 = PolicyVersion("R22", date(2022, 1, 1), scope="NE")
ENGLAND_2022 = PolicyVersion("E22", date(2022, 1, 1), scope="England")
VERSIONS = (NATIONAL_2020, NATIONAL_2022, WALES_2021, WALES_2022, REGION_2022, ENGLAND_2022)


def test_alloc_7_latest_effective_date_on_or_before_as_of_wins() -> None:
    """ALLOC-7: of the national versions, the latest one that has started applies."""
    versions = (NATIONAL_2022, NATIONAL_2020)  # order of the input does not matter
    assert policy_in_force(versions, date(2021, 12, 31), "England").name == "N20"
    assert policy_in_force(versions, date(2022, 1, 1), "England").name == "N22"  # on the day
    assert policy_in_force(versions, date(2030, 1, 1), "England").name == "N22"


def test_alloc_7_future_version_is_not_yet_in_force() -> None:
    """ALLOC-7: a version scheduled from a later date does not apply before it."""
    future = PolicyVersion("LATER", date(2027, 4, 1), levelled_up=True)
    assert policy_in_force((NATIONAL_2020, future), date(2027, 3, 31), None).name == "N20"
    assert policy_in_force((NATIONAL_2020, future), date(2027, 4, 1), None).name == "LATER"


def test_alloc_7_narrower_scope_wins_on_the_same_date() -> None:
    """ALLOC-7: on the same effective date a region beats a country beats national."""
    assert policy_in_force(VERSIONS, date(2022, 6, 1), "Wales").name == "W22"
    assert policy_in_force(VERSIONS, date(2022, 6, 1), "England").name == "E22"
    assert policy_in_force(VERSIONS, date(2022, 6, 1), "England", "NE").name == "R22"
    # Input order does not decide ties.
    assert policy_in_force(tuple(reversed(VERSIONS)), date(2022, 6, 1), "Wales").name == "W22"


def test_alloc_7_later_national_version_beats_earlier_country_version() -> None:
    """ALLOC-7: the latest effective date wins first; scope only breaks ties."""
    versions = (WALES_2021, NATIONAL_2022)
    assert policy_in_force(versions, date(2021, 6, 1), "Wales").name == "W21"
    assert policy_in_force(versions, date(2022, 6, 1), "Wales").name == "N22"


def test_alloc_7_country_scope_applies_only_to_that_country() -> None:
    """ALLOC-7: a Welsh version never applies to an English case or an unknown country."""
    versions = (NATIONAL_2020, WALES_2021)
    assert policy_in_force(versions, date(2021, 6, 1), "England").name == "N20"
    assert policy_in_force(versions, date(2021, 6, 1), None).name == "N20"
    assert policy_in_force(versions, date(2021, 6, 1), "Wales").name == "W21"


def test_alloc_7_region_scope_applies_only_to_that_region() -> None:
    """ALLOC-7: a regional version applies to cases in that region only."""
    versions = (NATIONAL_2020, REGION_2022)
    assert policy_in_force(versions, date(2022, 6, 1), "England", "NE").name == "R22"
    assert policy_in_force(versions, date(2022, 6, 1), "England", "NW").name == "N20"
    assert policy_in_force(versions, date(2022, 6, 1), "England").name == "N20"


def test_alloc_7_applies_to_and_specificity() -> None:
    """ALLOC-7: national covers everyone; specificity is national 0, country 1, region 2."""
    assert NATIONAL_2020.applies_to(None, None)
    assert WALES_2021.applies_to("Wales", None)
    assert not WALES_2021.applies_to("England", "Wales-ish")
    assert REGION_2022.applies_to(None, "NE")
    assert (NATIONAL_2020.specificity, WALES_2021.specificity, ENGLAND_2022.specificity,
            REGION_2022.specificity) == (0, 1, 1, 2)


def test_alloc_7_no_version_in_force_raises_policy_error() -> None:
    """ALLOC-7: before the first version, or outside every scope, is an error, not a guess."""
    with pytest.raises(PolicyError, match="2019-12-31"):
        policy_in_force((NATIONAL_2020,), date(2019, 12, 31), "England")
    with pytest.raises(PolicyError):
        policy_in_force((WALES_2021,), date(2022, 1, 1), "England")
    with pytest.raises(PolicyError):
        policy_in_force((), date(2022, 1, 1), "England")


def test_alloc_7_policy_error_is_a_lookup_error() -> None:
    """ALLOC-7: callers may catch LookupError."""
    assert issubclass(PolicyError, LookupError)


def test_alloc_7_policy_named_finds_a_version_and_rejects_unknown_names() -> None:
    """ALLOC-7: ``--policy NAME`` picks a version by name; an unknown name lists the known."""
    assert policy_named(VERSIONS, "W22") is WALES_2022
    with pytest.raises(PolicyError, match="'Z'") as error:
        policy_named(VERSIONS, "Z")
    assert "E22, N20, N22, R22, W21, W22" in str(error.value)
    with pytest.raises(PolicyError):
        policy_named((), "B")


def test_alloc_7_built_in_eras_cover_every_date() -> None:
    """ALLOC-7 / INTERCHANGE: eras B, C, D, E are named, and B applies to old dates."""
    assert [v.name for v in BUILT_IN_VERSIONS] == ["B", "C", "D", "E"]
    for version in BUILT_IN_VERSIONS:
        assert version.handover_era == version.name
        assert version.criteria == frozenset(ALLOCATION_CRITERIA)
        assert not version.levelled_up
    assert policy_in_force(BUILT_IN_VERSIONS, date(1990, 1, 1), "Wales").name == "B"
    assert policy_in_force(BUILT_IN_VERSIONS, date(2022, 10, 18), None).name == "B"
    assert policy_in_force(BUILT_IN_VERSIONS, date(2022, 10, 19), None).name == "C"
    assert policy_in_force(BUILT_IN_VERSIONS, date(2023, 4, 1), None).name == "D"
    assert policy_in_force(BUILT_IN_VERSIONS, date(2024, 10, 15), None).name == "D"
    assert policy_in_force(BUILT_IN_VERSIONS, date(2024, 10, 16), None).name == "E"
    assert policy_named(BUILT_IN_VERSIONS, "C").effective_from == date(2022, 10, 19)


def test_alloc_7_default_criteria_are_all_of_alloc_2() -> None:
    """ALLOC-7: a version without explicit criteria has every ALLOC-2 criterion a–g."""
    assert ALLOCATION_CRITERIA == tuple(f"ALLOC-2{c}" for c in "abcdefg")
    assert PolicyVersion("X", date(2020, 1, 1)).criteria == frozenset(ALLOCATION_CRITERIA)
