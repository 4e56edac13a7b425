"""Supervision tier, two axes (HANDOVER.md §8.1 protect level A–D, §8.2 change level 0–3).

The tier feeds ALLOC-2a, so each test names that rule as well as the HANDOVER section.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from omp.rules.facts import CaseFacts, Sentence, TierInputs
from omp.rules.tier import (
    COMPLEXITY_REGISTRATIONS,
    Tier,
    change_level,
    computed_tier,
    mandate_for_change,
    mappa_points,
    needs_points,
    protect_level,
    protect_points,
    recorded_tier,
    rsr_points,
    supervision_tier,
    tiers_disagree,
)

CUSTODIAL = Sentence(kind="custodial", date=date(2024, 1, 1), length="P18M")


def facts(**changes: Any) -> CaseFacts:
    """A man with RSR 0 and RoSH low (0 protect points), a custodial sentence, no OASys."""
    values: dict[str, Any] = {
        "case_ref": "T000001", "as_of": date(2024, 6, 1), "sex": "M",
        "rsr_percent": Decimal("0"), "rosh": "LOW", "mappa_level": 0,
        "sentence": CUSTODIAL,
    }
    values.update(changes)
    return CaseFacts(**values)


# --- §8.1 protect level -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rsr", "points"),
    [
        ("0", 0), ("2.99", 0), ("3.00", 10), ("3", 10), ("6.9", 10), ("6.99", 10),
        ("6.995", 0),  # the closed-range quirk: strictly between 6.99 and 7.00 scores 0
        ("6.999", 0), ("7.0", 20), ("7.00", 20), ("50", 20), ("99.99", 20), ("100", 0),
    ],
)
def test_handover_8_1_rsr_points(rsr: str, points: int) -> None:
    """HANDOVER §8.1 (ALLOC-2a): RSR 7.00–99.99 → 20, 3.00–6.99 → 10, otherwise 0."""
    assert rsr_points(Decimal(rsr)) == points


@pytest.mark.parametrize(
    ("rsr", "level", "points"),
    [("6.99", "C", 10), ("7.0", "B", 20), ("6.995", "D", 0), ("2.5", "D", 0)],
)
def test_handover_8_1_rsr_alone_sets_protect_level(rsr: str, level: str, points: int) -> None:
    """HANDOVER §8.1 (ALLOC-2a): RSR 6.99 → C (10), 7.0 → B (20), 6.995 → D (0)."""
    case = facts(rsr_percent=Decimal(rsr))
    assert protect_points(case) == points
    tier = supervision_tier(case)
    assert tier is not None and tier.protect == level and tier.protect_points == points


@pytest.mark.parametrize(
    ("rosh", "level", "points"),
    [("VERY_HIGH", "A", 150), ("HIGH", "B", 20), ("MEDIUM", "C", 10), ("LOW", "D", 0)],
)
def test_handover_8_1_rosh_points(rosh: str, level: str, points: int) -> None:
    """HANDOVER §8.1 (ALLOC-2a): RoSH very high → 150 (A), high 20, medium 10, low 0."""
    case = facts(rosh=rosh)
    assert protect_points(case) == points
    assert protect_level(points) == level


@pytest.mark.parametrize(("level", "points"), [(None, 0), (0, 0), (1, 5), (2, 150), (3, 150)])
def test_handover_8_1_mappa_points(level: int | None, points: int) -> None:
    """HANDOVER §8.1 (ALLOC-2a): MAPPA 2 or 3 → 150, MAPPA 1 → 5, otherwise 0."""
    assert mappa_points(level) == points
    assert protect_points(facts(mappa_level=level)) == points


def test_handover_8_1_mappa_2_alone_is_protect_a() -> None:
    """HANDOVER §8.1 (ALLOC-2a): MAPPA 2 with RSR 0 and RoSH low is protect level A."""
    tier = supervision_tier(facts(mappa_level=2))
    assert tier is not None and tier.protect == "A" and tier.protect_points == 150


def test_handover_8_1_mappa_1_adds_5_points() -> None:
    """HANDOVER §8.1: MAPPA 1 adds 5 to RSR 3.2 (10) → 15, still C."""
    assert protect_points(facts(rsr_percent=Decimal("3.2"), mappa_level=1)) == 15
    assert protect_points(facts(rsr_percent=Decimal("3.2"), mappa_level=0)) == 10
    # 5 on its own stays D; 5 + 10 + 2×3 complexity = 21 reaches B.
    assert protect_level(protect_points(facts(mappa_level=1)) or 0) == "D"
    case = facts(rsr_percent=Decimal("3.2"), mappa_level=1, registrations=("RMDO", "ALSH",
                                                                            "RVLN"))
    assert protect_points(case) == 21
    assert protect_level(21) == "B"


def test_handover_8_1_each_complexity_registration_scores_2() -> None:
    """HANDOVER §8.1: each of the ten complexity registrations scores 2 points."""
    assert COMPLEXITY_REGISTRATIONS == {
        "RMDO", "ALSH", "RVLN", "RCCO", "RCPR", "RCHD", "RPIR", "RVAD", "STRG", "RTAO"}
    for code in sorted(COMPLEXITY_REGISTRATIONS):
        assert protect_points(facts(registrations=(code,))) == 2, code
    assert protect_points(facts(registrations=tuple(sorted(COMPLEXITY_REGISTRATIONS)))) == 20


def test_handover_8_1_complexity_counts_distinct_registrations_only() -> None:
    """HANDOVER §8.1: a registration listed twice counts once; other codes count nothing."""
    assert protect_points(facts(registrations=("RMDO", "RMDO"))) == 2
    assert protect_points(facts(registrations=("RMDO", "ALSH", "RMDO"))) == 4
    assert protect_points(facts(registrations=("HOI", "IIOM", "SHPO", "MAPP"))) == 0


@pytest.mark.parametrize(
    ("inputs", "points"),
    [
        (TierInputs(), 0),
        (TierInputs(parental_responsibilities=0, impulsivity=0, temper_control=0,
                    previous_enforcement=False), 0),
        (TierInputs(parental_responsibilities=1), 2),
        (TierInputs(impulsivity=2), 2),
        (TierInputs(temper_control=1), 2),
        (TierInputs(impulsivity=1, temper_control=1), 2),  # "or": at most 2 together
        (TierInputs(previous_enforcement=True), 2),
        (TierInputs(parental_responsibilities=2, impulsivity=1, temper_control=2,
                    previous_enforcement=True), 6),
    ],
)
def test_handover_8_1_womens_additional_factors(inputs: TierInputs, points: int) -> None:
    """HANDOVER §8.1: women only, +2 each for parenting, impulsivity/temper, enforcement."""
    assert protect_points(facts(sex="F", tier_inputs=inputs)) == points
    assert protect_points(facts(sex="M", tier_inputs=inputs)) == 0


def test_handover_8_1_womens_factors_without_inputs_score_nothing() -> None:
    """HANDOVER §8.1: a woman with no OASys answers gets no additional points."""
    assert protect_points(facts(sex="F", tier_inputs=None)) == 0


@pytest.mark.parametrize(
    ("rsr", "rosh", "points"),
    [
        ("7.5", "HIGH", 20),  # 20 and 20: only one counts, not 40
        ("3.5", "HIGH", 20),  # 10 and 20 → 20
        ("7.5", "MEDIUM", 20),  # 20 and 10 → 20
        ("3.5", "MEDIUM", 10),  # 10 and 10 → 10, so C not B
        ("7.5", "VERY_HIGH", 150),  # 20 and 150 → 150
        ("7.5", "LOW", 20),
    ],
)
def test_handover_8_1_only_larger_of_rsr_and_rosh_counts(rsr: str, rosh: str,
                                                          points: int) -> None:
    """HANDOVER §8.1 (ALLOC-2a): total minus the smaller of RSR and RoSH points."""
    assert protect_points(facts(rsr_percent=Decimal(rsr), rosh=rosh)) == points


def test_handover_8_1_all_points_add_up() -> None:
    """HANDOVER §8.1: RoSH medium 10 + RSR 10 (one counts) + MAPPA 1 + 2 complexity + woman."""
    case = facts(sex="F", rsr_percent=Decimal("4"), rosh="MEDIUM", mappa_level=1,
                 registrations=("RCCO", "STRG"),
                 tier_inputs=TierInputs(previous_enforcement=True))
    assert protect_points(case) == 10 + 5 + 4 + 2


@pytest.mark.parametrize(
    ("points", "level"),
    [(0, "D"), (9, "D"), (10, "C"), (19, "C"), (20, "B"), (149, "B"), (150, "A"), (400, "A")],
)
def test_handover_8_1_protect_bands(points: int, level: str) -> None:
    """HANDOVER §8.1: ≥150 A, 20–149 B, 10–19 C, below 10 D."""
    assert protect_level(points) == level


@pytest.mark.parametrize("missing", ["rsr_percent", "rosh"])
def test_handover_8_1_protect_points_need_rsr_and_rosh(missing: str) -> None:
    """HANDOVER §8.1 (ALLOC-4): without an RSR score or a RoSH level there are no points."""
    assert protect_points(facts(**{missing: None})) is None


# --- §8.2 change level --------------------------------------------------------------------


def test_handover_8_2_no_mandate_for_change_is_0() -> None:
    """HANDOVER §8.2: no sentence (or unknown type) → no mandate → change level 0."""
    assert not mandate_for_change(facts(sentence=None))
    assert not mandate_for_change(facts(sentence=Sentence(kind=None)))
    assert change_level(facts(sentence=None)) == (0, None)
    assert change_level(facts(sentence=Sentence(), tier_inputs=TierInputs(needs={}))) == (0,
                                                                                         None)


def test_handover_8_2_custodial_or_community_with_more_than_unpaid_work_is_a_mandate() -> None:
    """HANDOVER §8.2: custodial always; community only with more than unpaid work."""
    assert mandate_for_change(facts(sentence=CUSTODIAL))
    assert mandate_for_change(facts(sentence=CUSTODIAL), unpaid_work_only=True)
    community = facts(sentence=Sentence(kind="community"))
    assert mandate_for_change(community)
    assert not mandate_for_change(community, unpaid_work_only=True)


def test_handover_8_2_no_oasys_assessment_is_2() -> None:
    """HANDOVER §8.2: a mandate but no valid OASys assessment → change level 2."""
    assert change_level(facts(tier_inputs=None)) == (2, None)
    assert change_level(facts(tier_inputs=TierInputs(needs=None))) == (2, None)


@pytest.mark.parametrize(
    ("section", "score", "points"),
    [
        ("accommodation", 1, 0), ("accommodation", 2, 1), ("accommodation", 6, 1),
        ("accommodation", 7, 2),
        ("ete", 2, 0), ("ete", 3, 1), ("ete", 7, 2),
        ("relationships", 1, 0), ("relationships", 2, 1), ("relationships", 5, 2),
        ("lifestyle", 1, 0), ("lifestyle", 2, 1), ("lifestyle", 5, 2),
        ("drugs", 1, 0), ("drugs", 2, 1), ("drugs", 7, 1), ("drugs", 8, 2),
        ("alcohol", 3, 0), ("alcohol", 4, 1), ("alcohol", 7, 2),
        # weight 2
        ("thinking_and_behaviour", 3, 0), ("thinking_and_behaviour", 4, 2),
        ("thinking_and_behaviour", 7, 4),
        ("attitudes", 1, 0), ("attitudes", 2, 2), ("attitudes", 6, 2), ("attitudes", 7, 4),
        # weight 0, and sections the table does not know
        ("finance", 20, 0), ("emotional_wellbeing", 20, 0), ("health", 20, 0),
    ],
)
def test_handover_8_2_standard_thresholds_and_weights(section: str, score: int,
                                                      points: int) -> None:
    """HANDOVER §8.2: weight × severity against the standard (standard, severe) thresholds."""
    assert needs_points({section: score}) == points


@pytest.mark.parametrize(
    ("section", "score", "points"),
    [
        ("accommodation", 2, 0), ("accommodation", 3, 1), ("accommodation", 5, 2),
        ("drugs", 2, 1), ("drugs", 5, 1), ("drugs", 6, 2),
        ("alcohol", 1, 0), ("alcohol", 2, 1), ("alcohol", 4, 2),
        ("thinking_and_behaviour", 2, 0), ("thinking_and_behaviour", 3, 2),
        ("thinking_and_behaviour", 5, 4),
        ("attitudes", 0, 0), ("attitudes", 1, 2), ("attitudes", 5, 4),
        # no SAN thresholds of their own: the standard ones apply
        ("ete", 2, 0), ("ete", 3, 1), ("ete", 7, 2),
        ("relationships", 2, 1), ("relationships", 5, 2),
        ("lifestyle", 2, 1), ("lifestyle", 5, 2),
    ],
)
def test_handover_8_2_san_thresholds(section: str, score: int, points: int) -> None:
    """HANDOVER §8.2: SAN assessments use their own thresholds where the table gives them."""
    assert needs_points({section: score}, san=True) == points


def test_handover_8_2_missing_section_scores_no_need() -> None:
    """HANDOVER §8.2: a section whose answers are all missing scores no need."""
    assert needs_points({"accommodation": None, "attitudes": None}) == 0
    assert needs_points({"accommodation": None, "attitudes": 7}) == 4
    assert needs_points({}) == 0


def _change(needs: Mapping[str, int | None], ogrs: str | None = None,
            registrations: tuple[str, ...] = (), san: bool = False) -> tuple[int, int | None]:
    return change_level(facts(
        tier_inputs=TierInputs(needs=needs, san_assessment=san),
        ogrs3_2yr_percent=None if ogrs is None else Decimal(ogrs),
        registrations=registrations))


@pytest.mark.parametrize(
    ("ogrs", "points"),
    [(None, 0), ("0", 0), ("9", 0), ("9.99", 0), ("10", 1), ("52", 5), ("59.9", 5),
     ("99", 9), ("100", 10)],
)
def test_handover_8_2_ogrs_adds_floor_of_tenth(ogrs: str | None, points: int) -> None:
    """HANDOVER §8.2: floor(OGRS / 10) points."""
    assert _change({}, ogrs)[1] == points


def test_handover_8_2_iiom_adds_2() -> None:
    """HANDOVER §8.2: an IOM nominal (IIOM) adds 2 points."""
    assert _change({}, "52", ("IIOM",)) == (1, 7)
    assert _change({}, "80", ("IIOM",)) == (2, 10)  # the 2 points tip 8 into band 2
    assert _change({}, "80") == (1, 8)


@pytest.mark.parametrize(
    ("ogrs", "level"),
    [("0", 1), ("99", 1), ("100", 2)],
)
def test_handover_8_2_bands_from_ogrs_alone(ogrs: str, level: int) -> None:
    """HANDOVER §8.2: below 10 → 1, 10–19 → 2."""
    assert _change({}, ogrs)[0] == level


def test_handover_8_2_bands_at_20_and_10() -> None:
    """HANDOVER §8.2: points ≥20 → 3; 10–19 → 2; otherwise 1."""
    every_severe = {"accommodation": 7, "ete": 7, "relationships": 5, "lifestyle": 5,
                    "drugs": 8, "alcohol": 7, "thinking_and_behaviour": 7, "attitudes": 7}
    assert needs_points(every_severe) == 20
    assert _change(every_severe) == (3, 20)
    nineteen = dict(every_severe, accommodation=2)  # severe → standard: one point less
    assert _change(nineteen) == (2, 19)
    assert _change({"attitudes": 7, "thinking_and_behaviour": 7, "ete": 7}) == (2, 10)
    assert _change({"attitudes": 7, "thinking_and_behaviour": 7, "ete": 3}) == (1, 9)
    # needs + OGRS + IIOM together reach band 3
    assert _change({"attitudes": 7, "thinking_and_behaviour": 7}, "100", ("IIOM",)) == (3, 20)
    assert _change({"attitudes": 7, "thinking_and_behaviour": 7}, "99", ("IIOM",)) == (2, 19)


# --- the tier as a whole, and the recorded fallback ----------------------------------------


def test_handover_8_computed_tier_code() -> None:
    """HANDOVER §8.1–8.2 (ALLOC-2a): RoSH high (B) with needs and OGRS (2) → B2, computed."""
    case = facts(rosh="HIGH", tier_inputs=TierInputs(needs={"attitudes": 7}),
                 ogrs3_2yr_percent=Decimal("60"))
    assert supervision_tier(case) == Tier("B", 2, "computed", 20, 10)
    assert supervision_tier(case).code == "B2"  # type: ignore[union-attr]


@pytest.mark.parametrize("missing", ["rsr_percent", "rosh"])
def test_handover_8_recorded_tier_is_used_when_rsr_or_rosh_missing(missing: str) -> None:
    """HANDOVER §8 (ALLOC-2a, ALLOC-4): without RSR or RoSH, the recorded tier stands."""
    tier = supervision_tier(facts(tier="B2", mappa_level=3, **{missing: None}))
    assert tier == Tier("B", 2, "recorded")
    assert tier.code == "B2"
    assert tier.protect_points is None


def test_handover_8_recorded_tier_without_change_level() -> None:
    """HANDOVER §8: a recorded tier of a letter alone has no change level."""
    tier = supervision_tier(facts(tier="a", rosh=None))
    assert tier is not None and tier.protect == "A" and tier.change is None
    assert tier.code == "A"


def test_handover_8_no_inputs_and_no_recorded_tier_is_none() -> None:
    """HANDOVER §8 (ALLOC-4): nothing to compute from and nothing recorded → no tier."""
    assert supervision_tier(facts(rsr_percent=None, rosh=None, tier=None)) is None
    assert supervision_tier(facts(rsr_percent=None, tier="")) is None


def test_handover_8_computed_protect_overrides_recorded_letter() -> None:
    """HANDOVER §8: where RSR and RoSH exist the protect level is computed, not recorded."""
    tier = supervision_tier(facts(tier="D0", rosh="VERY_HIGH"))
    assert tier is not None and tier.protect == "A"


def test_handover_8_no_oasys_keeps_recorded_change_level() -> None:
    """HANDOVER §8.2 / docs/decisions.md: no OASys but a recorded tier → recorded change."""
    tier = supervision_tier(facts(tier="C3", rosh="HIGH"))
    assert tier is not None
    assert (tier.protect, tier.change, tier.change_points) == ("B", 3, None)
    assert tier.code == "B3"
    assert tier.source != "computed" and "recorded" in tier.source


def test_handover_8_no_oasys_and_no_recorded_tier_defaults_change_to_2() -> None:
    """HANDOVER §8.2: no OASys and nothing recorded → the service's default 2."""
    assert computed_tier(facts(tier=None)) == Tier("D", 2, "computed", 0, None)
    assert computed_tier(facts(tier="C")) == Tier("D", 2, "computed", 0, None)


def test_handover_8_no_mandate_is_computed_0_even_with_recorded_change() -> None:
    """HANDOVER §8.2: no mandate for change is 0 whatever was recorded."""
    tier = computed_tier(facts(tier="C3", sentence=None))
    assert tier == Tier("D", 0, "computed", 0, None)
    assert tier.code == "D0"


# The recorded tier is respected (ALLOC-2a): the system of record computes it from data this
# service may not hold, so the more serious of the two readings is the one used.


@pytest.mark.parametrize("recorded", ["A1", "B3", "B", "A"])
def test_recorded_a_or_b_is_used_over_a_lower_computed_tier(recorded: str) -> None:
    case = facts(tier=recorded, rosh="MEDIUM", rsr_percent=Decimal("3.1"))
    assert computed_tier(case) is not None and computed_tier(case).protect == "C"  # type: ignore[union-attr]
    used = supervision_tier(case)
    assert used == recorded_tier(case)
    assert used is not None and used.protect == recorded[0] and used.source == "recorded"
    assert tiers_disagree(case)


def test_computed_a_or_b_is_used_over_a_lower_recorded_tier() -> None:
    case = facts(tier="C1", rosh="HIGH", rsr_percent=Decimal("3.1"))
    used = supervision_tier(case)
    assert used is not None and used.protect == "B" and used.source != "recorded"
    assert tiers_disagree(case)


def test_agreeing_readings_use_the_computed_tier() -> None:
    case = facts(tier="C2", rosh="MEDIUM", rsr_percent=Decimal("3.1"))
    used = supervision_tier(case)
    assert used is not None and used.protect == "C" and used.protect_points == 10
    assert not tiers_disagree(case)


def test_one_reading_alone_is_used_and_no_disagreement() -> None:
    assert supervision_tier(facts(tier="B2", rosh=None)) == recorded_tier(facts(tier="B2"))
    assert not tiers_disagree(facts(tier="B2", rosh=None))
    assert not tiers_disagree(facts(tier=None, rosh="MEDIUM"))
