"""Baseline for ``decide``: a plain, single-process, per-row script (not a test).

    python bench/baseline_decide.py --input cases.jsonl --output decisions.jsonl

Written from the shared documents only, with the standard library's ``json`` and no import
of the project, so that ``omp decide`` can be timed against the obvious way of doing the
same work: read a line, decide it, write a line.

- allocation (SPEC.md ALLOC-2a..g, ALLOC-4): Retained / Enhanced when any criterion holds,
  each criterion that held listed with its field and value, missing data listed; a supplied
  ``resourcing`` is used as it is (INTERCHANGE.md);
- for a case with custody, responsibility and handover under era E (HANDOVER.md §4.1–4.7):
  responsibility, COM start date and handover date counted back from the earliest release
  date, and the POM type (§4.10, tier strategy);
- one decision object per input line, in input order; a line that cannot be read gets an
  ``error`` object.

It is deliberately neither slow nor tuned: no caching, no batching, no parallelism. It
writes the decision fields but not the prose explanations ``omp decide`` adds, and it
applies era E to every line (the bench file's cases are all as of 2026-11-22, in era E).

Where it can disagree with ``omp decide`` (measured by ``bench/decide.py``):
- ALLOC-2a reads the *recorded* supervision tier (``risk.tier``) as SPEC.md states it, and
  also checks RoSH, RSR and MAPPA directly; it computes no tier. Where ``omp decide``
  computes the protect level and ignores a recorded tier A or B (issue 11, defect 1), such
  a case with nothing else in ALLOC-2 is Enhanced here and Normal there. On the bench file
  the direct checks cover those cases, so the outcomes agree; the gap shows in the POM
  type (§4.10, tier A or B → probation POM): where no tier is recorded, ``omp decide``
  computes one (A or B for a high RoSH, say) and recommends a probation POM, while this
  script recommends a prison POM (about 0.5% of the cases in custody).
- A woman's prison is read from ``custody.womens_prison`` and, when that flag is absent,
  from ``person.sex`` ``F`` (HANDOVER.md §1.3: a woman is in open conditions with category
  ``T``). ``omp decide`` reads the flag only, and the synthetic generator puts women in
  women's prisons without writing the flag, so an indeterminate woman with category ``T``
  gets the open-conditions window (start at ``category_active_since``) here and none there:
  a few lines in ten thousand.
- The OMIC gate (HANDOVER.md §1.3: age 18+, sentenced, not civil) is applied as the
  document states it; a case outside it gets a ``handover`` with no responsibility.
"""

from __future__ import annotations

import argparse
import calendar
import json
import re
import sys
from datetime import date, timedelta

BRITISH_OR_IRISH = {"british", "irish"}
MENS_OPEN_PRISONS = {"HDI", "HBI", "HVI", "KMI", "KVI", "LYI", "NSI", "UPI", "SPI", "EHI",
                     "SUI", "TCI", "FDI"}
PRESCOED = "UPI"
PRESCOED_PILOT_FROM = date(2020, 10, 19)
MENS_OPEN_FROM = date(2021, 3, 31)
DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")
RESPONSIBILITY = {"CustodyOnly": "POM_RESPONSIBLE",
                  "CustodyWithCom": "POM_RESPONSIBLE_COM_SUPPORTING",
                  "Community": "COM_RESPONSIBLE"}


# --- dates -------------------------------------------------------------------------------


def _date(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def add_months(day: date, months: int) -> date:
    """Calendar months, clamped to the month's end (HANDOVER.md §1.4)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def twelve_months_or_more(start: date | None, length: object) -> bool:
    """INTERCHANGE.md: adding the length to the sentence date reaches at least the same day
    twelve months later (``P12M`` is, ``P52W`` is not)."""
    if start is None or not isinstance(length, str):
        return False
    match = DURATION.match(length)
    if not match:
        raise ValueError(f"sentence.length {length!r} is not an ISO 8601 duration")
    years, months, weeks, days = (int(part or 0) for part in match.groups())
    end = add_months(start, years * 12 + months) + timedelta(days=weeks * 7 + days)
    return end >= add_months(start, 12)


# --- allocation (SPEC.md ALLOC-2) --------------------------------------------------------


def decide_allocation(case: dict) -> dict:
    risk = case.get("risk") or {}
    event = case.get("event") or {}
    sentence = event.get("sentence") or {}
    offences = event.get("offences") or []
    person = case.get("person") or {}
    probation = case.get("probation") or {}
    reasons: list[dict] = []
    missing: list[dict] = []

    def held(rule: str, field: str, value: object, explanation: str) -> None:
        reasons.append({"rule": rule, "field": field, "value": value,
                        "explanation": explanation})

    # a. tier A or B, and directly: high/very high RoSH, RSR >= 6.9 %, MAPPA 2 or 3
    tier = risk.get("tier")
    rosh = risk.get("rosh")
    rsr = risk.get("rsr_percent")
    mappa = risk.get("mappa_level")
    if tier:
        if tier[0] in ("A", "B"):
            held("ALLOC-2a", "risk.tier", tier, f"Supervision tier {tier}")
    else:
        missing.append({"rule": "ALLOC-2a", "field": "risk.tier",
                        "message": "no supervision tier recorded"})
    if rosh in ("HIGH", "VERY_HIGH"):
        held("ALLOC-2a", "risk.rosh", rosh, f"RoSH {rosh.replace('_', ' ').lower()}")
    elif rosh is None:
        missing.append({"rule": "ALLOC-2a", "field": "risk.rosh",
                        "message": "no RoSH level recorded"})
    if rsr is None:
        missing.append({"rule": "ALLOC-2a", "field": "risk.rsr_percent",
                        "message": "no RSR recorded"})
    elif float(rsr) >= 6.9:
        held("ALLOC-2a", "risk.rsr_percent", rsr, f"RSR {rsr}% (6.9% or above)")
    if mappa in (2, 3):
        held("ALLOC-2a", "risk.mappa_level", mappa, f"MAPPA level {mappa}")

    # b. custodial sentence of 12 months or more for a schedule 15 violent offence
    # c. a sentence of any length or type for a schedule 15 sexual offence
    # (an indeterminate sentence is 12 months or more, with or without a length)
    kind = sentence.get("kind")
    long_custody = kind == "custodial" and (
        bool(sentence.get("indeterminate") or sentence.get("ipp"))
        or twelve_months_or_more(_date(sentence.get("date")), sentence.get("length")))
    for offence in offences:
        flag = offence.get("schedule_15")
        if flag == "violent" and long_custody:
            held("ALLOC-2b", "event.offences.schedule_15", flag,
                 f"Custodial sentence of 12 months or more for schedule 15 violent offence "
                 f"{offence.get('code')}")
        elif flag == "sexual" and kind:
            held("ALLOC-2c", "event.offences.schedule_15", flag,
                 f"Sentence for schedule 15 sexual offence {offence.get('code')}")

    # d. any MAPPA level
    if mappa in (1, 2, 3):
        held("ALLOC-2d", "risk.mappa_level", mappa, f"MAPPA level {mappa}")
    elif mappa is None:
        missing.append({"rule": "ALLOC-2d", "field": "risk.mappa_level",
                        "message": "no MAPPA level recorded"})

    # e. Home Office Interest
    if "HOI" in (risk.get("registrations") or []):
        held("ALLOC-2e", "risk.registrations", "HOI", "Home Office Interest registration")

    # f. no recorded nationality is British or Irish (none recorded counts, and says so)
    nationalities = person.get("nationalities") or []
    if not any(str(n).strip().lower() in BRITISH_OR_IRISH for n in nationalities):
        if nationalities:
            held("ALLOC-2f", "person.nationalities", nationalities,
                 f"Not recorded as British or Irish (recorded: {', '.join(nationalities)})")
        else:
            held("ALLOC-2f", "person.nationalities", None,
                 "Not recorded as British or Irish (no nationality recorded)")
            missing.append({"rule": "ALLOC-2f", "field": "person.nationalities",
                            "message": "no nationality recorded"})

    # g. the COM's PDU is in Wales
    if probation.get("provider_code") == "N03":
        held("ALLOC-2g", "probation.provider_code", "N03",
             f"Managed in Wales (PDU {probation.get('pdu_code')}, provider N03)")

    supplied = case.get("resourcing")
    if supplied:
        outcome = "RETAINED_ENHANCED" if supplied == "ENHANCED" else "ALLOCATED_NORMAL"
        source = "supplied"
    else:
        outcome = "RETAINED_ENHANCED" if reasons else "ALLOCATED_NORMAL"
        source = "computed"
    return {"outcome": outcome, "source": source, "reasons": reasons, "missing": missing}


# --- handover, era E (HANDOVER.md §4) ----------------------------------------------------


def _in_omic_policy(case: dict, custody: dict, today: date, indeterminate: bool) -> bool:
    """HANDOVER.md §1.3: 18 or over, sentenced (SSD and a release date, PED, HDCED, TED or
    the indeterminate flag) or an immigration case."""
    born = _date((case.get("person") or {}).get("date_of_birth"))
    if born is not None and add_months(born, 18 * 12) > today:
        return False
    if custody.get("immigration_case"):
        return True
    if _date(custody.get("sentence_start_date")) is None:
        return False
    return indeterminate or any(custody.get(name) for name in (
        "conditional_release_date", "automatic_release_date", "parole_eligibility_date",
        "home_detention_curfew_eligibility_date", "tariff_date"))


def _earliest_release(custody: dict, today: date, indeterminate: bool
                      ) -> tuple[str, date] | None:
    """HANDOVER.md §4.2."""
    if indeterminate:
        ted = _date(custody.get("tariff_date"))
        thd = _date(custody.get("target_hearing_date"))
        if ted is not None and ted > today:
            return "TED", ted
        if thd is not None and thd > today:
            return "THD", thd
        if ted is not None and thd is not None:
            return ("TED", ted) if abs((ted - today).days) <= abs((thd - today).days) \
                else ("THD", thd)
        if ted is not None:
            return "TED", ted
        if thd is not None:
            return "THD", thd
        return None
    ped = _date(custody.get("parole_eligibility_date"))
    if ped is not None:
        return "PED", ped
    ard = _date(custody.get("automatic_release_date"))
    crd = _date(custody.get("conditional_release_date"))
    if ard is not None and (crd is None or ard <= crd):
        return "ARD", ard
    if crd is not None:
        return "CRD", crd
    return None


def _open_conditions(case: dict, custody: dict) -> bool:
    """Open-prison rules, era-B definition (HANDOVER.md §2.3, used by §4.6)."""
    woman = custody.get("womens_prison")
    if woman is None:
        woman = (case.get("person") or {}).get("sex") == "F"
    if woman:
        return custody.get("category") == "T"
    prison = custody.get("prison_code")
    arrived = _date(custody.get("arrival_date"))
    if prison not in MENS_OPEN_PRISONS or arrived is None:
        return False
    if prison == PRESCOED and arrived >= PRESCOED_PILOT_FROM:
        probation = case.get("probation") or {}
        country = probation.get("country")
        if country is None:
            country = "Wales" if probation.get("provider_code") == "N03" else "England"
        if country == "Wales":
            return True
    return arrived >= MENS_OPEN_FROM


def _no_dates(state: str, reason: str, release: tuple[str, date] | None = None) -> dict:
    return {"responsibility": RESPONSIBILITY[state], "start_date": None,
            "handover_date": None, "reason": reason,
            "earliest_release": {"name": release[0], "date": release[1].isoformat()}
            if release else None}


def decide_handover(case: dict, custody: dict, today: date) -> dict:
    """Era E decision tree (HANDOVER.md §4.1), general rules §4.5–4.7."""
    sentence = (case.get("event") or {}).get("sentence") or {}
    indeterminate = bool(sentence.get("indeterminate") or sentence.get("ipp"))
    if not _in_omic_policy(case, custody, today, indeterminate):
        return {"responsibility": None, "start_date": None, "handover_date": None,
                "reason": "outside_omic_policy", "earliest_release": None}
    mappa = (case.get("risk") or {}).get("mappa_level")
    recalled = bool(custody.get("recall"))
    thd = _date(custody.get("target_hearing_date"))
    thd_over_12_months = thd is not None and thd > add_months(today, 12)
    not_release = bool(custody.get("parole_outcome_not_release"))
    if indeterminate and custody.get("additional_future_isp"):
        return _no_dates("CustodyOnly", "additional_isp")
    if indeterminate and thd_over_12_months:
        if recalled and mappa in (None, 0, 1):
            return _no_dates("CustodyWithCom", "recall_thd_over_12_months")
        if not_release and mappa in (2, 3):
            return _no_dates("Community", "parole_mappa_2_3")
        if not_release:
            return _no_dates("CustodyWithCom", "thd_over_12_months")
    if recalled:
        return _no_dates("Community", "recall_case")
    if custody.get("immigration_case"):
        return _no_dates("Community", "immigration_case")
    release = _earliest_release(custody, today, indeterminate)
    if release is None:
        return _no_dates("CustodyOnly", "release_date_unknown")
    name, erd = release
    open_conditions = indeterminate and _open_conditions(case, custody)
    if custody.get("early_allocation"):
        handover, reason = add_months(erd, -15), "early_allocation"
    elif indeterminate:
        handover = add_months(erd, -12)
        reason = "indeterminate_open" if open_conditions else "indeterminate"
    elif add_months(_date(custody.get("sentence_start_date")), 10) >= erd:
        return _no_dates("Community", "determinate_short", release)
    elif name == "PED":
        handover, reason = add_months(erd, -12), "determinate_parole"
    else:
        handover, reason = add_months(erd, -8) - timedelta(days=14), "determinate"
    start = handover  # §4.6: a window only for an ISP (early allocation too) in open conditions
    if open_conditions:
        woman = custody.get("womens_prison")
        if woman is None:
            woman = (case.get("person") or {}).get("sex") == "F"
        anchor = _date(custody.get("category_active_since" if woman else "arrival_date"))
        if anchor is not None and anchor < handover:
            start = anchor
    if today < start:
        state = "CustodyOnly"
    elif today < handover:
        state = "CustodyWithCom"
    else:
        state = "Community"
    return {"responsibility": RESPONSIBILITY[state], "start_date": start.isoformat(),
            "handover_date": handover.isoformat(), "reason": reason,
            "earliest_release": {"name": name, "date": erd.isoformat()}}


def pom_type(case: dict, custody: dict, handover: dict) -> str | None:
    """HANDOVER.md §4.10, tier strategy: immigration or POM not responsible → prison POM;
    tier A or B → probation POM; otherwise prison POM."""
    if handover["responsibility"] is None:
        return None
    if custody.get("immigration_case") or handover["responsibility"] == "COM_RESPONSIBLE":
        return "PRISON"
    tier = (case.get("risk") or {}).get("tier") or ""
    return "PROBATION" if tier[:1] in ("A", "B") else "PRISON"


# --- one line ------------------------------------------------------------------------------


def decide(case: dict, default_today: date) -> dict:
    if not isinstance(case, dict) or not case.get("case_ref"):
        raise ValueError("case_ref is missing")
    as_of = _date(case.get("as_of")) or default_today
    allocation = decide_allocation(case)
    custody = case.get("custody")
    handover = None
    pom = None
    if custody:
        handover = decide_handover(case, custody, as_of)
        pom = pom_type(case, custody, handover)
    return {"case_ref": case["case_ref"], "as_of": as_of.isoformat(), "policy_version": "E",
            "allocation": allocation, "tier": (case.get("risk") or {}).get("tier"),
            "handover": handover, "pom_type": pom, "pathway": None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--today", help="Date for a line without as_of (default: today)")
    args = parser.parse_args()
    today = date.fromisoformat(args.today) if args.today else date.today()
    lines = errors = 0
    with open(args.input, encoding="utf-8") as source, \
            open(args.output, "w", encoding="utf-8") as out:
        for number, line in enumerate(source, 1):
            if not line.strip():
                continue
            lines += 1
            case = None
            try:
                case = json.loads(line)
                result = decide(case, today)
            except (ValueError, TypeError, AttributeError, OverflowError) as error:
                errors += 1
                ref = case.get("case_ref") if isinstance(case, dict) else None
                result = {"case_ref": ref,
                          "error": {"field": "line", "message": f"line {number}: {error}"}}
            out.write(json.dumps(result))
            out.write("\n")
    print(f"{lines} lines: {lines - errors} decided, {errors} invalid")
    sys.exit(0 if errors == 0 else 1)


if __name__ == "__main__":
    main()
