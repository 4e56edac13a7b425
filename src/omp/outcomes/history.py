"""A seeded synthetic national history for the outcomes analytics (OUT-1, OUT-2, OUT-6).

``generate(data_dir, index_events=…, outcomes=…, seed=…)`` writes Parquet tables straight
from numpy arrays (no Python loop per row): people, index events (prison discharges from
named prisons, HMP Doncaster ``DNI`` among them, and supervision starts in every contract
package area), court outcomes, and the monitoring tables (support contacts, transfers,
need work). The tables and columns are documented in ``docs/interchange.md``.

So that the measures mean something, each index event carries an OGRS3-style score worked
out from age, sex, criminal history and offence with the published OGRS3 coefficients, and
reoffending within the follow-up year is drawn with the score's one-year probability;
higher risk also means more reoffences. A few effects are planted so that analyses have
something to find: Doncaster discharges from the pilot's start (1 October 2011) reoffend
less; contract package areas differ a little; deported people almost never reappear; and
(unless ``gaming=False``) in 2013-2014 Doncaster's high-risk prisoners get less support time,
and from 2013 they are transferred out before release more often (the patterns OUT-6
monitors). Every other prison transfers people out at the same rate, so with
``gaming=False`` no prison games the measures and any flag is a false one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from omp.outcomes.cohorts import DONCASTER, PILOT_START
from omp.rules.needs import ANALYTICS_NEED_WORDS
from omp.rules.offences import OFFENCE_CODES, OffenceCode

EPOCH = date(1970, 1, 1)
FIRST_DAY = date(2009, 1, 1)
LAST_DAY = date(2016, 12, 31)

PRISONS = {  # discharging prisons and their share of discharges
    "DNI": 0.05, "LEI": 0.06, "MDI": 0.03, "HMI": 0.04, "BWI": 0.04, "CFI": 0.04,
    "SWI": 0.03, "UPI": 0.01, "HDI": 0.02, "NSI": 0.02, "PVI": 0.08, "WWI": 0.08,
    "BMI": 0.09, "MRI": 0.08, "LPI": 0.08, "EXI": 0.05, "NHI": 0.03, "STI": 0.03,
    "LNI": 0.02, "BZI": 0.04, "EWI": 0.03, "ESI": 0.01,
}
WOMENS = {"NHI", "STI", "LNI", "BZI", "EWI", "ESI"}
#: Where each prison's discharges mostly go (the rest spread over the country).
HOME_CPA = {
    "DNI": "SYO", "LEI": "WYO", "MDI": "SYO", "HMI": "HLN", "BWI": "WAL", "CFI": "WAL",
    "SWI": "WAL", "UPI": "WAL", "HDI": "SYO", "NSI": "HLN", "PVI": "LDN", "WWI": "LDN",
    "BMI": "SWM", "MRI": "CGM", "LPI": "MER", "EXI": "DDC", "NHI": "WYO", "STI": "CGM",
    "LNI": "DTV", "BZI": "LDN", "EWI": "BGS", "ESI": "KSS",
}
NATIONALITIES = {"British": 0.86, "Irish": 0.01, "Polish": 0.03, "Romanian": 0.02,
                 "Albanian": 0.015, "Jamaican": 0.01, "Lithuanian": 0.015, "Somali": 0.01,
                 "Pakistani": 0.01, "Nigerian": 0.01, "Portuguese": 0.01}
DISPOSALS = {"court": 0.78, "caution": 0.14, "conditional_caution": 0.04,
             "reprimand": 0.02, "warning": 0.02}
NEEDS = tuple(ANALYTICS_NEED_WORDS)  # NEED-1, in the seed's order
AGENCIES = ("Catch22", "Probation Service", "Turning Point", "Local authority housing",
            "Drug Intervention Programme", "Jobcentre Plus")
# OGRS3 age/sex parameters (REFERENCE.md §3): lower age bound of each band.
AGE_BANDS = np.array([10, 12, 14, 16, 18, 21, 25, 30, 35, 40, 50])
AGE_MALE = np.array([0.0, 0.08392, 0.07578, -0.0616, -0.6251, -1.0515, -1.1667, -1.326,
                     -1.368, -1.4997, -2.0253])
AGE_FEMALE = np.array([0.785, 0.61385, 0.66952, -0.9592, -0.8975, -1.0285, -1.0528,
                       -1.1291, -1.4219, -1.5247, -2.4498])
OFFENCE_PARAMETER = {
    "violence": 0.0, "robbery": -0.6348, "burglary_domestic": -0.1239,
    "burglary_other": 0.2406, "theft": 0.6612, "handling": 0.3519, "fraud_and_forgery": 0.1599,
    "taking_and_driving_away": 0.3801, "theft_from_vehicle": 0.4272, "drink_driving": -0.1214,
    "other_motoring": 0.2622, "criminal_damage": 0.205, "drug_import_export_production": -0.7956,
    "drug_possession_supply": 0.0772, "public_order": 0.1819, "sexual_child": -0.6534,
    "sexual_not_child": 0.0328, "soliciting_prostitution": 0.7606, "absconding_bail": 0.7334,
    "other": -0.0607,
}


def offence_codes() -> list[OffenceCode]:
    """The reference list of offence codes (:data:`omp.rules.offences.OFFENCE_CODES`)."""
    return list(OFFENCE_CODES)


def contract_package_areas() -> list[dict[str, object]]:
    """The contract package areas with their providers and PDUs (``reference/cpas.json``)."""
    text = resources.files("omp.outcomes").joinpath("reference/cpas.json").read_text()
    cpas: list[dict[str, object]] = json.loads(text)["cpas"]
    return cpas


#: The steps ``generate`` reports to its progress callback, in order.
STEPS = ("people", "index events", "risk scores", "reoffending", "court outcomes",
         "index events written", "court outcomes written", "monitoring tables written")


@dataclass(frozen=True)
class GenerateSummary:
    """Rows written per table."""

    tables: dict[str, int]


def _days(day: date) -> int:
    return (day - EPOCH).days


def _dates(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype(np.int32), pa.int32()).cast(pa.date32())


def _choice(rng: np.random.Generator, weights: dict[str, float], size: int) -> np.ndarray:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return rng.choice(len(keys), size=size, p=p / p.sum())


def _labels(values: list[str], codes: np.ndarray) -> pa.Array:
    """Strings for integer codes, built in Arrow (fast for tens of millions of rows)."""
    return pa.array(values, pa.string()).take(pa.array(codes.astype(np.int64)))


def _logistic(x: np.ndarray) -> np.ndarray:
    result: np.ndarray = 1.0 / (1.0 + np.exp(-x))
    return result


def _band(ogrs_percent: np.ndarray) -> np.ndarray:
    # NEED-2: high 0.6-1.0, medium 0.2-0.6, low below 0.2.
    return np.where(ogrs_percent >= 60, 2, np.where(ogrs_percent >= 20, 1, 0))


BANDS = ["low", "medium", "high"]
#: Moves the whole population's odds so that national one-year rates sit near the published
#: 40-50% and Doncaster's 2009 court reconviction rate near the pilot's 58.2% baseline.
CALIBRATION = -0.1


def _write(data_dir: Path, name: str, table: pa.Table, counts: dict[str, int]) -> None:
    pq.write_table(table, data_dir / f"{name}.parquet", compression="zstd",
                   row_group_size=1_000_000)
    counts[name] = table.num_rows


def generate(data_dir: Path, index_events: int = 100_000, outcomes: int = 1_000_000,
             seed: int = 2026, progress: Callable[[str], None] | None = None,
             gaming: bool = True) -> GenerateSummary:
    """Write a synthetic national history of ``index_events`` index events and about
    ``outcomes`` court outcomes (at least the reoffences the events' risks produce) to
    Parquet tables in ``data_dir``. The same seed always gives the same data. ``gaming``
    plants Doncaster's parking and transfer gaming (OUT-6); without it no prison games."""
    step = progress or (lambda _name: None)
    data_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    counts: dict[str, int] = {}
    n = int(index_events)
    cpas = contract_package_areas()
    cpa_codes = [str(c["code"]) for c in cpas]
    providers = sorted({str(c["provider"]) for c in cpas})
    provider_of_cpa = np.array([providers.index(str(c["provider"])) for c in cpas])
    codes = offence_codes()
    code_names = [c.code for c in codes]
    code_parameter = np.array([OFFENCE_PARAMETER[c.ogrs3_category] for c in codes])
    code_weights = np.array([6 if c.ogrs3_category in ("theft", "violence") else 1
                             for c in codes], dtype=float)
    code_weights /= code_weights.sum()

    # People: several index events each, on average.
    people = max(1, int(n * 0.72))
    sex_female = rng.random(people) < 0.12
    nationality = _choice(rng, NATIONALITIES, people)
    foreign = nationality >= 2  # not British or Irish
    birth = rng.integers(_days(date(1945, 1, 1)), _days(date(1990, 12, 31)), people)
    first_sanction_age = 12 + rng.gamma(2.0, 3.5, people)
    offending_rate = rng.lognormal(-0.3, 0.6, people)  # sanctions per active year
    people_refs = pa.array(np.char.add("G", np.char.zfill(np.arange(1, people + 1)
                                                          .astype(str), 7)))
    step("people")

    # Index events: a person, a date, a kind.
    person = rng.integers(0, people, n)
    index_day = rng.integers(_days(FIRST_DAY), _days(LAST_DAY) + 1, n)
    discharge = rng.random(n) < 0.4
    prison = _choice(rng, PRISONS, n)
    prison_names = list(PRISONS)
    # Women are discharged from women's prisons, men from the others.
    womens_idx = np.array([i for i, p in enumerate(prison_names) if p in WOMENS])
    mens_idx = np.array([i for i, p in enumerate(prison_names) if p not in WOMENS])
    female = sex_female[person]
    prison = np.where(female, womens_idx[prison % len(womens_idx)],
                      np.where(np.isin(prison, womens_idx), mens_idx[prison % len(mens_idx)],
                               prison))
    home = np.array([cpa_codes.index(HOME_CPA[p]) for p in prison_names])[prison]
    cpa = np.where(discharge & (rng.random(n) < 0.8), home,
                   rng.integers(0, len(cpa_codes), n))
    dni = discharge & (prison == prison_names.index(DONCASTER))
    age = ((index_day - birth[person]) / 365.25).astype(np.int64)
    age = np.clip(age, 18, 90)
    step("index events")

    # OGRS3 (REFERENCE.md §3): age/sex band + conviction status + Copas rate + offence.
    start_age = np.minimum(first_sanction_age[person], age - 0.5)
    years_active = np.maximum(age - start_age, 0.5)
    # Doncaster is a local prison for short sentences: longer records, on average.
    sanctions = 1 + rng.poisson(offending_rate[person] * years_active * np.where(dni, 1.6, 1.0))
    band = np.clip(np.searchsorted(AGE_BANDS, age, side="right") - 1, 0, len(AGE_BANDS) - 1)
    age_sex = np.where(female, AGE_FEMALE[band], AGE_MALE[band])
    status = np.where(sanctions == 1, 0.12614, 0.46306)
    copas = np.log(sanctions / (10 + age - start_age)) * 1.25112
    offence = rng.choice(len(codes), size=n, p=code_weights)
    total = age_sex + status + copas + code_parameter[offence]
    ogrs2 = np.clip(np.round(100 * _logistic(2.1217 + total)), 1, 99)
    ogrs1 = np.clip(np.round(100 * _logistic(1.40256 + total)), 1, 99)
    step("risk scores")

    # Exclusion flags (OUT-1) and sentence details.
    sentence_months = np.where(discharge, np.round(rng.lognormal(1.6, 0.9, n), 1), np.nan)
    deported = discharge & foreign[person] & (rng.random(n) < 0.35)
    time_served = discharge & (rng.random(n) < 0.06)
    breach = rng.random(n) < np.where(discharge, 0.08, 0.05)
    nps = ~discharge & (rng.random(n) < 0.1 + 0.3 * (ogrs2 >= 75))
    em_only = ~discharge & (rng.random(n) < 0.02)

    # Reoffending within the follow-up year: OGRS3's one-year probability, moved by the
    # planted effects, then a count of reoffences that grows with risk.
    logit = np.log(ogrs1 / (100 - ogrs1))
    logit += CALIBRATION
    logit += np.where(dni, 0.4, 0.0)  # a local prison's churn: above its predicted risk
    pilot = dni & (index_day >= _days(PILOT_START))
    logit -= np.where(pilot, 0.33, 0.0)
    cpa_effect = rng.normal(0.0, 0.12, len(cpa_codes))
    logit += cpa_effect[cpa]
    probability = _logistic(logit)
    probability = np.where(deported, 0.02, probability)
    reoffends = rng.random(n) < probability
    per_event = np.where(reoffends, 1 + rng.poisson(0.6 + 3.5 * ogrs1 / 100), 0)
    step("reoffending")

    owner = np.repeat(np.arange(n), per_event)
    in_window = len(owner)
    # Offences fall earlier in the year more often; disposals follow after a lag.
    offence_day = index_day[owner] + np.floor(366 * rng.random(in_window) ** 1.3)
    lag = np.round(rng.lognormal(3.9, 0.9, in_window))
    # Background history up to the requested total, for the people with the longest
    # records: earlier offences (their criminal records, before 2009) and later ones (after
    # every follow-up window has closed), so they never blur the planted effects.
    background = max(0, int(outcomes) - in_window)
    weights = sanctions / sanctions.sum()
    history_owner = rng.choice(n, size=background, p=weights)
    before = rng.random(background) < 0.75
    history_offence = np.where(
        before, _days(FIRST_DAY) - 1 - rng.integers(0, 3650, background),
        _days(LAST_DAY) + 560 + rng.integers(0, 700, background))
    history_lag = np.round(rng.lognormal(3.9, 0.9, background))
    all_owner = np.concatenate([owner, history_owner])
    all_offence = np.concatenate([offence_day, history_offence]).astype(np.int64)
    all_disposal = all_offence + np.concatenate([lag, history_lag]).astype(np.int64)
    total_outcomes = len(all_owner)
    disposal = _choice(rng, DISPOSALS, total_outcomes)
    outcome_code = rng.choice(len(codes), size=total_outcomes, p=code_weights)
    order = np.argsort(all_offence, kind="stable")
    step("court outcomes")

    _write(data_dir, "people", pa.table({
        "case_ref": people_refs,
        "date_of_birth": _dates(birth),
        "sex": _labels(["M", "F"], sex_female.astype(np.int64)),
        "nationality": _labels(list(NATIONALITIES), nationality),
    }), counts)
    event_refs = people_refs.take(pa.array(person))
    _write(data_dir, "index_events", pa.table({
        "event_id": pa.array(np.arange(1, n + 1, dtype=np.int64)),
        "case_ref": event_refs,
        "index_kind": _labels(["supervision_start", "discharge"], discharge.astype(np.int64)),
        "index_date": _dates(index_day),
        "prison_code": pa.array(np.array(prison_names, dtype=object)[prison],
                                mask=~discharge, type=pa.string()),
        "cpa_code": _labels(cpa_codes, cpa),
        "provider": _labels(providers, provider_of_cpa[cpa]),
        "sex": _labels(["M", "F"], female.astype(np.int64)),
        "age": pa.array(age.astype(np.int16)),
        "nationality": _labels(list(NATIONALITIES), nationality[person]),
        "offence_code": _labels(code_names, offence),
        "sanctions": pa.array(sanctions.astype(np.int32)),
        "ogrs3": pa.array(ogrs2),
        "ogrs3_1yr": pa.array(ogrs1),
        "risk_band": _labels(BANDS, _band(ogrs2)),
        "sentence_months": pa.array(sentence_months, mask=~discharge),
        "deported_or_irc": pa.array(deported),
        "time_served_on_remand": pa.array(time_served),
        "breach_of_court_order": pa.array(breach),
        "nps_allocated": pa.array(nps),
        "electronic_monitoring_only": pa.array(em_only),
    }), counts)
    step("index events written")

    _write(data_dir, "court_outcomes", pa.table({
        "case_ref": event_refs.take(pa.array(all_owner[order])),
        "offence_date": _dates(all_offence[order]),
        "disposal_date": _dates(all_disposal[order]),
        "disposal_type": _labels(list(DISPOSALS), disposal[order]),
        "offence_code": _labels(code_names, outcome_code[order]),
    }), counts)
    step("court outcomes written")

    _monitoring(data_dir, rng, counts, event_refs, discharge, prison, prison_names, index_day,
                sentence_months, ogrs2, gaming)
    step("monitoring tables written")
    return GenerateSummary(counts)


def _womens(prison_names: list[str]) -> np.ndarray:
    return np.array([i for i, p in enumerate(prison_names) if p in WOMENS])


def _transfers(rng: np.random.Generator, discharge: np.ndarray, prison: np.ndarray,
               band: np.ndarray, prison_names: list[str], chance: float = 0.10,
               ) -> tuple[np.ndarray, np.ndarray]:
    """Ordinary transfers, no prison gaming: the index events of the people moved before
    release (``chance`` of each discharge) and the prison each was moved out of.

    Every prison must move out the same share of each risk band, or the check would rightly
    flag the ones that move more. Drawing each source prison at random (even in proportion
    to size, leaving out the release prison) does not do that: small prisons then send out
    more than their share, and a prison paired with one of higher risk sends out more
    high-risk people. Instead, within each estate (men's and women's prisons) and risk band,
    the people moved are sorted by release prison (in a random order of prisons) and each
    takes as source the release prison of the person half the list away: the sources are
    then exactly the moved people's release prisons, so each prison sends out as many of a
    band as it received, a fixed chance of its own releases of that band, and never to
    itself while no prison has half the moves of a band (in a tiny history a self-move is
    dropped)."""
    womens = np.isin(prison, _womens(prison_names))
    moved = discharge & (rng.random(len(discharge)) < chance)
    rank = rng.permutation(len(prison_names))
    chosen, source = [], []
    for estate in (womens, ~womens):
        for level in range(len(BANDS)):
            people = np.flatnonzero(moved & estate & (band == level))
            order = people[np.lexsort((rng.random(len(people)), rank[prison[people]]))]
            sources = np.roll(prison[order], len(order) // 2)
            keep = sources != prison[order]
            chosen.append(order[keep])
            source.append(sources[keep])
    return np.concatenate(chosen), np.concatenate(source)


def _monitoring(data_dir: Path, rng: np.random.Generator, counts: dict[str, int],
                event_refs: pa.Array, discharge: np.ndarray, prison: np.ndarray,
                prison_names: list[str], index_day: np.ndarray, sentence_months: np.ndarray,
                ogrs2: np.ndarray, gaming: bool = True) -> None:
    """Support contacts, transfers and need work, consistent with the index events; with
    ``gaming``, Doncaster's parking and transfer gaming planted (OUT-6)."""
    dni_code = prison_names.index(DONCASTER)
    band = _band(ogrs2)
    watched = np.flatnonzero(discharge & (prison == dni_code)
                             & (index_day >= _days(PILOT_START)))
    # Pathways (PATH-1): 1 for the highest risk, 2 for 12 months or more, 3 for less.
    months = sentence_months[watched]
    pathway = np.where((band[watched] == 2) & (rng.random(len(watched)) < 0.3), 1,
                       np.where(months >= 12, 2, 3))
    contacts = rng.poisson(np.where(pathway == 3, 7.0, 4.0))
    owner = np.repeat(np.arange(len(watched)), contacts)
    event = watched[owner]
    custody_days = np.maximum(7, (months[owner] * 30.4).astype(np.int64))
    contact_day = index_day[event] - (rng.random(len(owner)) * np.minimum(custody_days, 365))
    minutes = np.round(20 + rng.gamma(2.0, 15.0, len(owner)))
    # Planted for OUT-6: in 2013-2014 the high-risk band gets a third less time.
    parked = (gaming & (band[event] == 2) & (index_day[event] >= _days(date(2013, 1, 1)))
              & (index_day[event] <= _days(date(2014, 12, 31))))
    minutes = np.where(parked, np.round(minutes * 0.67), minutes)
    # A few remand prisoners (pathway 4) get an immediate-needs triage.
    remand = rng.choice(watched, size=max(1, len(watched) // 20)) if len(watched) else watched
    all_event = np.concatenate([event, remand])
    all_day = np.concatenate([contact_day.astype(np.int64),
                              index_day[remand] - rng.integers(200, 600, len(remand))])
    all_pathway = np.concatenate([pathway[owner], np.full(len(remand), 4)])
    all_minutes = np.concatenate([minutes, np.round(15 + rng.gamma(2.0, 8.0, len(remand)))])
    _write(data_dir, "support_contacts", pa.table({
        "case_ref": event_refs.take(pa.array(all_event)),
        "prison_code": pa.array([DONCASTER] * len(all_event), pa.string()),
        "pathway": pa.array(all_pathway.astype(np.int8)),
        "risk_band": _labels(BANDS, band[all_event]),
        "contact_date": _dates(all_day),
        "minutes": pa.array(all_minutes.astype(np.int32)),
    }), counts)

    # Transfers before release: the discharge prison is where the person was released from,
    # so a transfer's to_prison is the index event's prison.
    chosen, source = _transfers(rng, discharge, prison, band, prison_names)
    if gaming:
        # Planted for OUT-6: from 2013 Doncaster moves some of its high-risk men out before
        # release, on top of the ordinary transfers every prison makes.
        late = np.flatnonzero(discharge & (index_day >= _days(date(2013, 1, 1))) & (band == 2)
                              & (prison != dni_code) & ~np.isin(prison, _womens(prison_names)))
        late = np.setdiff1d(late, chosen)
        gamed = late[rng.random(len(late)) < 0.06]
        chosen = np.concatenate([chosen, gamed])
        source = np.concatenate([source, np.full(len(gamed), dni_code)])
    _write(data_dir, "transfers", pa.table({
        "case_ref": event_refs.take(pa.array(chosen)),
        "from_prison": _labels(prison_names, source),
        "to_prison": _labels(prison_names, prison[chosen]),
        "transfer_date": _dates(index_day[chosen] - rng.integers(14, 400, len(chosen))),
        "release_date": _dates(index_day[chosen]),
        "risk_band": _labels(BANDS, band[chosen]),
    }), counts)

    # Need work around release (NEED-1), and now and then the same need worked on by two
    # agencies at once (planted for OUT-6 duplication).
    rows = rng.integers(0, 4, len(watched))
    owner = np.repeat(watched, rows)
    need = rng.integers(0, len(NEEDS), len(owner))
    agency = rng.integers(0, len(AGENCIES), len(owner))
    start = index_day[owner] - rng.integers(0, 56, len(owner)) + rng.integers(0, 120, len(owner))
    end = start + rng.integers(14, 180, len(owner))
    twice = rng.random(len(owner)) < 0.06
    dup_agency = (agency[twice] + 1 + rng.integers(0, len(AGENCIES) - 1, int(twice.sum()))) \
        % len(AGENCIES)
    dup_start = start[twice] + rng.integers(0, 30, int(twice.sum()))
    dup_end = dup_start + rng.integers(14, 120, int(twice.sum()))
    _write(data_dir, "need_work", pa.table({
        "case_ref": event_refs.take(pa.array(np.concatenate([owner, owner[twice]]))),
        "need": _labels(list(NEEDS), np.concatenate([need, need[twice]])),
        "agency": _labels(list(AGENCIES), np.concatenate([agency, dup_agency])),
        "start_date": _dates(np.concatenate([start, dup_start])),
        "end_date": _dates(np.concatenate([end, dup_end])),
    }), counts)
