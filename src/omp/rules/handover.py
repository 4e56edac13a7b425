"""Responsibility and handover from custody to the community (HAND-1..3, ``HANDOVER.md``).

Who holds a case in custody (the Prison Offender Manager, POM, or the Community Offender
Manager, COM), when the COM starts supporting (the *start date*) and when the COM becomes
responsible (the *handover date*). The rules changed over time; each era of ``HANDOVER.md``
is a handover era of a policy version (ALLOC-7), so a decision "as of" a date is made under
the era in force then, and a what-if may name any era:

- **B** (the seed's policy, to 2022-10-18): enhanced resourcing (NPS) hands over 7.5 months
  before release, normal resourcing (CRC) 12 weeks before; §2.
- **C** (from 2022-10-19): as B, but enhanced determinate cases hand over at 7.5 months,
  floored at the sentence start; §3.
- **D** (from 2023-04-01): the April 2023 policy; resourcing no longer moves dates; §5.
- **E** (from 2024-10-16): the current rules; §4.

"Today" is always ``facts.as_of``: no rule reads the clock, so any decision can be replayed.
Each decision names the row that fired (``rule``), a short ``reason`` code and a plain-words
explanation with the dates it used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Literal, cast

from omp.rules.durations import shift_months
from omp.rules.expressions import (
    Family,
    Item,
    all_,
    eq,
    fact,
    iso_day,
    lit,
    lt,
    present,
    text,
)
from omp.rules.facts import CaseFacts, Custody, Resourcing
from omp.rules.handover_tables import ERA_FAMILIES, POM_TYPE_FAMILY
from omp.rules.handover_terms import (
    COM,
    ENGLISH_HUB_PRISONS,
    ENGLISH_PRIVATE_PRISONS,
    FEMALE_OPEN_CATEGORY,
    MENS_OPEN_PRISONS,
    OVERRIDE_REASONS,
    POM_ONLY,
    POM_WITH_COM,
    PRESCOED,
    REASON_TITLES,
    RESPONSIBILITY_LABELS,
    SUPPORTING,
    OverrideValue,
    PomType,
    Responsibility,
)
from omp.rules.policy import PolicyVersion

__all__ = ["COM", "OVERRIDE_REASONS", "POM_ONLY", "POM_WITH_COM", "REASON_TITLES",
           "RESPONSIBILITY_LABELS", "OverrideValue", "PomType", "Responsibility"]


class HandoverError(ValueError):
    """Case facts the handover rules cannot use; ``field`` names the interchange field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class ReleaseDate:
    """The release date a handover is counted back from, with its name (``CRD``, ``TED``…)."""

    name: str
    date: date

    def to_dict(self) -> dict[str, str]:
        """The interchange shape ``{"name": ..., "date": ...}``."""
        return {"name": self.name, "date": self.date.isoformat()}


@dataclass(frozen=True, slots=True)
class HandoverDecision:
    """Who holds a case on ``as_of`` and when that changes (HAND-3).

    ``responsibility`` is ``None`` only when the case is outside the OMiC policy and no
    handover is calculated; ``handover_type`` is set in eras D and E (§4.8).
    """

    case_ref: str
    as_of: date
    era: str
    policy_version: str
    responsibility: Responsibility | None
    start_date: date | None
    handover_date: date | None
    reason: str
    rule: str
    explanation: str
    earliest_release: ReleaseDate | None = None
    handover_type: str | None = None
    override_reason: str | None = None

    @property
    def supporting(self) -> str | None:
        """``POM``, ``COM`` or ``None`` (nobody supports yet)."""
        return SUPPORTING.get(self.responsibility) if self.responsibility else None

    @property
    def responsible(self) -> str | None:
        """``POM`` or ``COM``."""
        if self.responsibility is None:
            return None
        return "COM" if self.responsibility == COM else "POM"

    @property
    def label(self) -> str:
        """The responsibility in words, e.g. "POM responsible, COM supporting"."""
        if self.responsibility is None:
            return "Not calculated"
        return RESPONSIBILITY_LABELS[self.responsibility]

    def to_dict(self) -> dict[str, Any]:
        """The ``handover`` object of the interchange decision (INTERCHANGE.md)."""
        return {
            "responsibility": self.responsibility,
            "start_date": _iso(self.start_date),
            "handover_date": _iso(self.handover_date),
            "reason": self.reason,
            "earliest_release": self.earliest_release.to_dict() if self.earliest_release
            else None,
            "rule": self.rule,
            "explanation": self.explanation,
            "era": self.era,
            "type": self.handover_type,
            "override_reason": self.override_reason,
        }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


_MONTH_NAMES = ("", "January", "February", "March", "April", "May", "June", "July",
                "August", "September", "October", "November", "December")


def _words(day: date) -> str:
    # Spelled out by hand: strftime costs more than the rest of a decision's explanation.
    return f"{day.day} {_MONTH_NAMES[day.month]} {day.year}"


def months_before(day: date, months: int, days: int = 0) -> date:
    """``day`` less calendar ``months`` (clamped to month end), then less ``days`` (§1.4)."""
    return shift_months(day, -months) - timedelta(days=days)


def months_after(day: date, months: int) -> date:
    """``day`` plus calendar ``months``, clamped to month end."""
    return shift_months(day, months)


# --- inputs read off the facts (§1.3) ------------------------------------------------------

def _custody(facts: CaseFacts) -> Custody:
    assert facts.custody is not None
    return facts.custody


def _indeterminate(facts: CaseFacts) -> bool:
    return bool(facts.sentence and facts.sentence.indeterminate)


def _welsh(facts: CaseFacts) -> bool:
    # §1.3: from the probation record's country; defaults to England.
    return facts.is_welsh is True


def in_open_conditions(custody: Custody) -> bool:
    """A woman with category ``T``, or a man in a men's open prison (§1.3)."""
    if custody.womens_prison:
        return custody.category == FEMALE_OPEN_CATEGORY
    return custody.prison_code in MENS_OPEN_PRISONS


def open_prison_rules_apply(facts: CaseFacts) -> bool:
    """§2.3: the Prescoed Welsh pilot from 2020-10-19, men's open prisons from 2021-03-31,
    women with category ``T``."""
    custody = _custody(facts)
    arrival = custody.arrival_date
    if custody.womens_prison:
        return custody.category == FEMALE_OPEN_CATEGORY
    if custody.prison_code == PRESCOED and arrival and arrival >= date(2020, 10, 19) \
            and _welsh(facts):
        return True
    return bool(custody.prison_code in MENS_OPEN_PRISONS and arrival
                and arrival >= date(2021, 3, 31))


def _sentenced(custody: Custody, indeterminate: bool) -> bool:
    if custody.sentence_start_date is None:
        return False
    return indeterminate or any((
        custody.conditional_release_date, custody.automatic_release_date,
        custody.parole_eligibility_date, custody.home_detention_curfew_eligibility_date,
        custody.home_detention_curfew_actual_date, custody.tariff_date))


def _outside_policy(facts: CaseFacts) -> str | None:
    """Why the case is outside the OMiC policy (§1.3 gate), or ``None`` when inside."""
    custody = _custody(facts)
    if facts.date_of_birth is not None and months_after(facts.date_of_birth, 12 * 18) \
            > facts.as_of:
        return "the person is under 18"
    if custody.civil_sentence:
        return "the sentence is a civil sentence"
    if not (_sentenced(custody, _indeterminate(facts)) or custody.immigration_case):
        return "there is no sentence calculation (sentence start date and a release date)"
    return None


def _earliest(*named: tuple[str, date | None]) -> ReleaseDate | None:
    """The earliest dated entry; on a tie the one listed first wins (§7.7)."""
    present = [ReleaseDate(name, day) for name, day in named if day is not None]
    return min(present, key=lambda r: r.date) if present else None


def _crd_or_ard(custody: Custody) -> ReleaseDate | None:
    # §7.7: ARD wins over CRD when they are equal (only the reported name differs).
    return _earliest(("ARD", custody.automatic_release_date),
                     ("CRD", custody.conditional_release_date))


# --- the decision, era by era --------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Result:
    responsibility: Responsibility | None
    reason: str
    rule: str
    start: date | None = None
    handover: date | None = None
    release: ReleaseDate | None = None
    detail: str = ""


def decide_handover(facts: CaseFacts, policy: PolicyVersion,
                    resourcing: Resourcing | None) -> HandoverDecision | None:
    """Responsibility and handover dates for one case under ``policy``'s era (HAND-1, HAND-2).

    ``resourcing`` is the allocation outcome (``ENHANCED`` = NPS, ``NORMAL`` = CRC), or
    ``None`` when not known, which era B treats as enhanced (HANDOVER §1.2). Returns ``None``
    for a case with no custody.
    """
    if facts.custody is None:
        return None
    era = policy.handover_era
    if era in _TABLES:
        return _decide_by_table(facts, policy, resourcing)
    outside = _outside_policy(facts)
    if outside is not None:
        result = _Result(None, "outside_omic_policy", "HAND-2 gate",
                         detail=f"No handover is calculated because {outside} (§1.3)")
    else:
        result = _ERAS[era](facts, resourcing)
    return HandoverDecision(
        facts.case_ref, facts.as_of, era, policy.name, result.responsibility, result.start,
        result.handover, result.reason, result.rule,
        _explain(result, era, policy.name), result.release)


_TABLES = {era: family.compile() for era, family in ERA_FAMILIES.items()}


def handover_inputs(facts: CaseFacts, policy: PolicyVersion, resourcing: Resourcing | None
                    ) -> tuple[object, ...]:
    """The inputs of an era table (:data:`omp.rules.handover_tables.HANDOVER_INPUTS`)."""
    custody = _custody(facts)
    return (
        facts.as_of, policy.name, facts.date_of_birth, facts.is_welsh is True, resourcing,
        facts.mappa_level, facts.sentence.indeterminate if facts.sentence else None,
        custody.prison_code, custody.womens_prison, custody.category,
        custody.category_active_since, custody.arrival_date, custody.sentence_start_date,
        custody.conditional_release_date, custody.automatic_release_date,
        custody.parole_eligibility_date, custody.tariff_date,
        custody.home_detention_curfew_eligibility_date,
        custody.home_detention_curfew_actual_date, custody.parole_review_date,
        custody.target_hearing_date, custody.recall, custody.immigration_case,
        custody.early_allocation, custody.parole_outcome_not_release,
        custody.additional_future_isp, custody.civil_sentence)


def _decide_by_table(facts: CaseFacts, policy: PolicyVersion, resourcing: Resourcing | None
                     ) -> HandoverDecision:
    era = policy.handover_era
    (responsibility, start, handover, reason, rule, release_name, release_date, explanation,
     handover_type, _) = _TABLES[era](*handover_inputs(facts, policy, resourcing))
    release = ReleaseDate(release_name, release_date) if release_name is not None else None
    return HandoverDecision(
        facts.case_ref, facts.as_of, era, policy.name, responsibility, start, handover,
        reason, rule, explanation, release, handover_type)


def _explain(result: _Result, era: str, policy_name: str) -> str:
    parts = [REASON_TITLES.get(result.reason, result.reason) + "."]
    if result.release is not None:
        parts.append(f"Earliest release date used: {result.release.name} "
                     f"{_words(result.release.date)}.")
    if result.detail:
        parts.append(result.detail + ".")
    if result.start is not None and result.start != result.handover:
        parts.append(f"The COM starts supporting on {_words(result.start)}.")
    if result.handover is not None:
        parts.append(f"The COM becomes responsible on {_words(result.handover)}.")
    parts.append(f"Rule {result.rule}, handover era {era} (policy {policy_name}).")
    return " ".join(parts)


def _responsibility_bc(today: date, start: date | None, handover: date | None
                       ) -> Responsibility:
    """§2.5: "future" is strictly after today."""
    start_future = start is not None and start > today
    handover_future = handover is not None and handover > today
    if start_future and handover_future:
        return POM_ONLY
    return POM_WITH_COM if handover_future else COM


def _policy_case(facts: CaseFacts, release: date) -> bool:
    """§2.3: sentenced on or after the policy start, or released on or after the cutoff, for
    the first population that applies; in open conditions, open-prison rules must apply."""
    custody = _custody(facts)
    prison = custody.prison_code
    if custody.womens_prison:
        start, cutoff = date(2021, 4, 30), date(2022, 9, 30)
    elif _welsh(facts):
        start, cutoff = date(2019, 2, 4), date(2020, 5, 4)
    elif prison in ENGLISH_HUB_PRISONS or prison in ENGLISH_PRIVATE_PRISONS:
        start, cutoff = date(2019, 10, 1), date(2021, 6, 1)
    else:
        start, cutoff = date(2019, 10, 1), date(2021, 2, 15)
    ssd = custody.sentence_start_date
    policy = (ssd is not None and ssd >= start) or release >= cutoff
    if in_open_conditions(custody) and not open_prison_rules_apply(facts):
        return False
    return policy


def _short(custody: Custody, release: date) -> bool:
    """10 months or less to serve: release no later than SSD + 10 months (boundary short)."""
    assert custody.sentence_start_date is not None
    return release <= months_after(custody.sentence_start_date, 10)


def _open_anchor(custody: Custody) -> tuple[date | None, str]:
    """Where an indeterminate sentence's window opens in open conditions (§2.4, §4.6): for a
    woman the day her category became T, for a man his arrival in the open prison."""
    if custody.womens_prison:
        return (custody.category_active_since,
                "Open conditions: the COM starts supporting from the date the category "
                "became T")
    return (custody.arrival_date,
            "Open conditions: the COM starts supporting from arrival in the open prison")


def _release_b(facts: CaseFacts, nps: bool) -> ReleaseDate | None:
    """§2.1: the release date era B/C counts back from."""
    custody, today = _custody(facts), facts.as_of
    if _indeterminate(facts):
        if custody.tariff_date is not None and custody.tariff_date > today:
            return ReleaseDate("TED", custody.tariff_date)
        return _earliest(*((name, day) for name, day in (
            ("PRD", custody.parole_review_date), ("PED", custody.parole_eligibility_date))
            if day is not None and day >= today))
    if nps:
        if custody.parole_eligibility_date is not None:
            return ReleaseDate("PED", custody.parole_eligibility_date)
        return _crd_or_ard(custody)
    if custody.home_detention_curfew_actual_date is not None:
        return ReleaseDate("HDCAD", custody.home_detention_curfew_actual_date)
    return _earliest(("ARD", custody.automatic_release_date),
                     ("CRD", custody.conditional_release_date),
                     ("HDCED", custody.home_detention_curfew_eligibility_date))


def _era_b(facts: CaseFacts, resourcing: Resourcing | None) -> _Result:
    return _era_bc(facts, resourcing, "B")


def _era_c(facts: CaseFacts, resourcing: Resourcing | None) -> _Result:
    return _era_bc(facts, resourcing, "C")


def _era_bc(facts: CaseFacts, resourcing: Resourcing | None, era: str) -> _Result:
    """§2.2 decision order (era C changes only the NPS determinate dates, §3)."""
    custody, today = _custody(facts), facts.as_of
    indeterminate = _indeterminate(facts)
    # §2.1: an indeterminate case recorded as CRC is NPS; a missing decision is NPS (§1.2).
    nps = resourcing != "NORMAL" or indeterminate
    if custody.recall:
        return _Result(COM, "recall_case", f"HAND-2 {era}.2")
    if custody.immigration_case:
        return _Result(COM, "immigration_case", f"HAND-2 {era}.3")
    release = _release_b(facts, nps)
    if release is None:
        return _Result(POM_ONLY, "release_date_unknown", f"HAND-2 {era}.4")
    if not nps:
        handover = release.date - timedelta(days=84)  # 12 weeks
        return _Result(_responsibility_bc(today, handover, handover), "crc_case",
                       f"HAND-2 {era}.5", handover, handover, release,
                       "Normal resourcing: the COM takes over 12 weeks (84 days) before "
                       "release, with no handover window")
    if _short(custody, release.date):
        return _Result(COM, "less_than_10_months_left_to_serve", f"HAND-2 {era}.6",
                       release=release, detail=_short_detail(custody))
    if not _policy_case(facts, release.date):
        return _Result(COM, "pre_omic_rules", f"HAND-2 {era}.8", release=release)
    return _nps_dates(facts, release, era)


def _short_detail(custody: Custody) -> str:
    assert custody.sentence_start_date is not None
    return (f"Sentence start {_words(custody.sentence_start_date)}: release no later than "
            f"{_words(months_after(custody.sentence_start_date, 10))} is 10 months or less")


def _nps_dates(facts: CaseFacts, release: ReleaseDate, era: str) -> _Result:
    """§2.4 (and §3 for era C): the NPS handover and start dates, then the tie-break."""
    custody, today = _custody(facts), facts.as_of
    indeterminate = _indeterminate(facts)
    ped = custody.parole_eligibility_date
    crd_ard = _crd_or_ard(custody)
    open_rules = indeterminate and open_prison_rules_apply(facts)
    detail = ""
    if custody.early_allocation:
        reason, handover = "nps_early_allocation", months_before(release.date, 15)
        start: date | None = handover
        row = "2.4 EA"
    elif indeterminate:
        reason = "nps_indeterminate_open" if in_open_conditions(custody) else "nps_indeterminate"
        handover = start = months_before(release.date, 8)
        row = "2.4 ISP"
    elif ped is not None:
        reason, handover = "nps_determinate_parole_case", months_before(ped, 8)
        start, row = handover, "2.4 PED"
    else:
        assert crd_ard is not None  # release is PED or the earlier of CRD and ARD
        window = months_before(crd_ard.date, 7, 15)
        if era == "C":
            floor = custody.sentence_start_date
            handover = max(window, floor) if floor else window
            return _Result(_responsibility_bc(today, handover, handover), "nps_determinate",
                           "HAND-2 C.3", handover, handover, release,
                           "The COM takes over 7 months 15 days before release, never before "
                           "the sentence start")
        start = window
        if facts.mappa_level in (2, 3):
            reason, handover, row = "nps_determinate_mappa_2_3", max(today, window), "2.4 MAPPA"
            detail = (f"MAPPA level {facts.mappa_level}: the COM takes over 7 months 15 days "
                      "before release, or today once that has passed")
        else:
            reason, row = "nps_determinate", "2.4 determinate"
            hdcad = custody.home_detention_curfew_actual_date
            hdced = custody.home_detention_curfew_eligibility_date
            if hdcad is not None:
                handover = hdcad
                detail = f"Home detention curfew approved for {_words(hdcad)}"
            else:
                handover = months_before(crd_ard.date, 4, 15)
                if hdced is not None and hdced < handover:
                    handover = hdced
                    detail = f"Home detention curfew eligibility on {_words(hdced)}"
    anchor, words = _open_anchor(custody)
    if open_rules and anchor is not None:
        start, detail = anchor, words
    if start is not None and start > handover:
        handover = start  # §2.4 tie-break: the handover moves to the start date
    return _Result(_responsibility_bc(today, start, handover), reason, f"HAND-2 {era}.{row}",
                   start, handover, release, detail)


_ERAS: dict[str, Callable[[CaseFacts, Resourcing | None], _Result]] = {
    "B": _era_b, "C": _era_c,
}
#: Eras B and C are functions above; D and E are tables (omp.rules.handover_tables).
HANDOVER_ERAS = (*_ERAS, *ERA_FAMILIES)


# --- overrides, recommendations, windows and checks ----------------------------------------

def with_override(decision: HandoverDecision, value: OverrideValue, reason: str
                  ) -> HandoverDecision:
    """A head of offender management's manual responsibility (§1.1) wins over the
    calculation; the calculated dates are kept for reference."""
    responsibility, code = ((POM_WITH_COM, "override_prison") if value == "Prison"
                            else (COM, "override_probation"))
    explanation = (f"{REASON_TITLES[code]}: {reason}. The calculation said: "
                   f"{decision.label} ({decision.reason}).")
    return replace(decision, responsibility=responsibility, reason=code,
                   rule="HAND-3 override", explanation=explanation, override_reason=reason)


def recommend_pom_type(facts: CaseFacts, decision: HandoverDecision | None, tier: str | None,
                       strategy: Literal["tier", "rosh"] = "tier") -> PomType | None:
    """§4.10: a probation POM or a prison POM. ``None`` when there is no calculated handover,
    or the RoSH strategy finds no RoSH."""
    if decision is None or decision.responsibility is None:
        return None
    immigration = bool(facts.custody and facts.custody.immigration_case)
    if strategy == "tier" or decision.era == "B":  # era B knows only the tier strategy
        pom_type, _ = _pom_type(decision.responsibility, immigration, tier)
        return cast(PomType | None, pom_type)
    if immigration or decision.responsibility == COM:
        return "PRISON"
    letter = tier[0].upper() if tier else None
    if letter == "A" or facts.rosh in ("HIGH", "VERY_HIGH"):
        return "PROBATION"
    return None if facts.rosh is None else "PRISON"


_pom_type = POM_TYPE_FAMILY.compile()


def upcoming_handover(decision: HandoverDecision, as_of: date) -> bool:
    """§4.9: POM responsible and the handover date within the next 56 days."""
    return (decision.responsibility == POM_ONLY and decision.handover_date is not None
            and decision.handover_date - timedelta(days=56) <= as_of < decision.handover_date)


def in_handover(decision: HandoverDecision) -> bool:
    """§4.9 "in progress": the COM is responsible and there is a handover date."""
    return decision.responsibility == COM and decision.handover_date is not None


def com_allocation_overdue(decision: HandoverDecision, as_of: date, com_allocated: bool
                           ) -> bool:
    """§4.9: in handover, no COM allocated, two days or more after the handover date."""
    return (in_handover(decision) and not com_allocated and decision.handover_date is not None
            and as_of >= decision.handover_date + timedelta(days=2))


_RELEASE_FIELDS = (
    ("conditional_release_date", "conditional release date"),
    ("automatic_release_date", "automatic release date"),
    ("parole_eligibility_date", "parole eligibility date"),
    ("home_detention_curfew_eligibility_date", "home detention curfew eligibility date"),
    ("home_detention_curfew_actual_date", "home detention curfew date"),
    ("tariff_date", "tariff expiry date"),
    ("licence_expiry_date", "licence expiry date"),
)


_START = fact("sentence_start_date")
_HDCED, _HDCAD = fact("home_detention_curfew_eligibility_date"), fact(
    "home_detention_curfew_actual_date")

#: Custody dates that contradict each other, as a table (omp.rules.expressions): a release
#: date before the sentence start leaves nothing sound to count a handover back from
#: ("blocking"); the others are decided with a warning.
DATE_CHECKS = Family(
    "date_checks",
    inputs=("sentence_start_date", *(name for name, _ in _RELEASE_FIELDS),
            "sentence_indeterminate"),
    items=(
        *(Item("HAND-2", "blocking", f"custody.{name}", lt(fact(name), _START), text(
            f"The {words} (", iso_day(fact(name)), ") is before the sentence start date (",
            iso_day(_START), ")")) for name, words in _RELEASE_FIELDS),
        Item("HAND-2", "warning", "custody.tariff_date",
             all_(present(fact("tariff_date")), eq(fact("sentence_indeterminate"), False)),
             lit("A tariff expiry date is recorded but the sentence is determinate "
                 "(event.sentence.indeterminate is false)")),
        Item("HAND-2", "warning", "custody.home_detention_curfew_actual_date", lt(_HDCAD, _HDCED),
             text("The home detention curfew date (", iso_day(_HDCAD), ") is before the "
                  "eligibility date (", iso_day(_HDCED), ")")),
    ),
)
_date_checks = DATE_CHECKS.compile()


def _date_problems(facts: CaseFacts) -> list[tuple[str, str, str]]:
    custody = facts.custody
    if custody is None:
        return []
    (items,) = _date_checks(
        custody.sentence_start_date, *(getattr(custody, name) for name, _ in _RELEASE_FIELDS),
        facts.sentence.indeterminate if facts.sentence is not None else None)
    return [(kind, field, message) for _, kind, field, _, _, message, _ in items]


def releases_before_start(facts: CaseFacts) -> list[tuple[str, str]]:
    """Release dates recorded before the sentence start date, as ``(field, message)``
    pairs. Such a date cannot be counted back from, so no handover can be decided."""
    return [(field, message) for kind, field, message in _date_problems(facts)
            if kind == "blocking"]


def check_custody_dates(facts: CaseFacts) -> list[tuple[str, str]]:
    """Contradictory custody dates, as ``(field, message)`` pairs naming interchange fields;
    empty when the dates are consistent. A person typing them is refused; an extract from
    another system is decided with each as a warning (see :mod:`omp.rules.pipeline`)."""
    return [(field, message) for _, field, message in _date_problems(facts)]


def com_take_on(baseline_handover: date | None, scenario: HandoverDecision | None,
                start: date) -> date | None:
    """HAND-4: the day the COM would take on a case now held by the POM, when a policy
    change comes into force on ``start``.

    A handover due before ``start`` happens as planned under the policy in force. Otherwise
    ``scenario`` (the case decided under the new policy as of ``start``) gives the day: at
    once on ``start`` if it makes the COM responsible by then, else its handover date.
    ``None`` means no take-on is known (no release date, or outside the policy).
    """
    if baseline_handover is not None and baseline_handover < start:
        return baseline_handover
    if scenario is None or scenario.responsibility is None:
        return baseline_handover
    if scenario.responsibility == COM:
        return start
    return scenario.handover_date
