"""Shared helpers of the handover scenario tests: a base case changed by short custody
names ("crd", "ted"…), decided under an era, and the checks every era's table uses."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from omp.rules.facts import CaseFacts, Custody
from omp.rules.handover import HandoverDecision, decide_handover
from omp.rules.policy import BUILT_IN_VERSIONS, PolicyVersion

#: Short names for the custody dates, as the rules speak of them.
ALIASES = {
    "ssd": "sentence_start_date",
    "crd": "conditional_release_date",
    "ard": "automatic_release_date",
    "ped": "parole_eligibility_date",
    "ted": "tariff_date",
    "hdced": "home_detention_curfew_eligibility_date",
    "hdcad": "home_detention_curfew_actual_date",
    "prd": "parole_review_date",
    "thd": "target_hearing_date",
    "led": "licence_expiry_date",
    "ea": "early_allocation",
}
CUSTODY_FIELDS = {f.name for f in dataclasses.fields(Custody)}


def era(name: str) -> PolicyVersion:
    """The built-in policy version of a handover era."""
    return next(v for v in BUILT_IN_VERSIONS if v.handover_era == name)


def changed(base: CaseFacts, *, isp: bool | None = None, **changes: Any) -> CaseFacts:
    """``base`` with custody fields (short or full names) and case fields changed."""
    custody: dict[str, Any] = {}
    others: dict[str, Any] = {}
    for key, value in changes.items():
        name = ALIASES.get(key, key)
        (custody if name in CUSTODY_FIELDS else others)[name] = value
    assert base.sentence is not None and base.custody is not None
    sentence = base.sentence if isp is None else dataclasses.replace(
        base.sentence, indeterminate=isp)
    return dataclasses.replace(base, sentence=sentence,
                               custody=dataclasses.replace(base.custody, **custody), **others)


def decided(base: CaseFacts, policy: PolicyVersion, resourcing: Any = "ENHANCED",
            **changes: Any) -> HandoverDecision:
    """The handover decision for ``base`` changed by ``changes``, under ``policy``."""
    decision = decide_handover(changed(base, **changes), policy, resourcing)
    assert decision is not None
    return decision


def dates(decision: HandoverDecision) -> tuple[date | None, date | None]:
    """(start date, handover date)."""
    return decision.start_date, decision.handover_date


def assert_no_dates(decision: HandoverDecision, responsibility: str | None, reason: str) -> None:
    """The decision gives ``responsibility`` for ``reason``, with neither date."""
    assert decision.responsibility == responsibility
    assert decision.reason == reason
    assert dates(decision) == (None, None)
