"""Results of one contract, prison or contract package area, as the results pages show them:
reoffending over time (OUT-2), payment statements (OUT-3, OUT-4) and the comparison with
and without case-mix adjustment (OUT-5), every group checked for small counts (COM-4).

A *place* is what a results page is about: ``doncaster`` (the HMP Doncaster payment-by-
results pilot), ``prison-<code>`` (any discharging prison) or ``cpa-<code>`` (a contract
package area under Transforming Rehabilitation). The demonstration contracts' money comes
from ``payment_contracts.json`` beside this module (data, not code). Results are computed
once per place and version of the data (the Parquet files' sizes and times), then kept.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import threading
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from omp.outcomes.statements import CohortStatement, doncaster_for_measures, tr_for_measures
from omp.rules.casemix import CaseMixAdjustment
from omp.rules.disclosure import rate_suppression
from omp.rules.payment import DoncasterContract, PaymentParameterError, TRContract, pounds

DONCASTER_CODE = "DNI"
DONCASTER_BASELINE_YEAR = 2009
#: The CRC baselines were the 2011 cohorts (REFERENCE §2c).
TR_BASELINE_YEAR = 2011
PILOT_COHORTS = 4


class UnknownPlace(LookupError):
    """No results page has that name, or the data holds nothing for it."""


@dataclass(frozen=True)
class Place:
    """What one results page is about."""

    slug: str
    kind: str  # "doncaster" | "prison" | "cpa"
    code: str
    name: str

    @property
    def measure_kind(self) -> str:
        """Court reconvictions for prisons (the pilots' measure), proven reoffending for CPAs
        (the CRC measure)."""
        return "proven" if self.kind == "cpa" else "binary_court"

    @property
    def baseline_year(self) -> int:
        """The year whose cohort the baseline describes."""
        return TR_BASELINE_YEAR if self.kind == "cpa" else DONCASTER_BASELINE_YEAR

    def cohort(self, year: int) -> str:
        """The built-in cohort name for a calendar year."""
        if self.kind == "doncaster":
            return f"doncaster-{year}"
        if self.kind == "prison":
            return f"prison-{self.code.lower()}-{year}"
        return f"cpa-{self.code.lower()}-{year}"


@dataclass(frozen=True)
class YearRow:
    """One cohort year's measure, with the reason it is withheld (COM-4) when it is."""

    year: int
    cohort: str
    size: int
    reoffenders: int
    rate: float
    ci_low: float
    ci_high: float
    frequency_per_reoffender: float
    mean_predicted_risk: float | None
    excluded: dict[str, int]
    suppressed: str | None


@dataclass(frozen=True)
class StatementRow:
    """A payment statement for one cohort, unadjusted and adjusted for case mix."""

    label: str
    cohort: str
    unadjusted: CohortStatement | None
    adjusted: CohortStatement | None
    suppressed: str | None


@dataclass(frozen=True)
class CaseMixRow:
    """One cohort compared with its baseline, with and without case-mix adjustment."""

    label: str
    cohort: str
    adjustment: CaseMixAdjustment | None
    suppressed: str | None


@dataclass(frozen=True)
class Results:
    """Everything a results page shows for a place."""

    place: Place
    years: list[YearRow]
    statements: list[StatementRow]
    case_mix: list[CaseMixRow]
    terms: list[tuple[str, str]]
    baseline_rate: float | None
    cohort_definition: str
    notes: list[str] = field(default_factory=list)


def contract_parameters() -> dict[str, Any]:
    """The demonstration contracts (``payment_contracts.json``)."""
    text = resources.files("omp.outcomes").joinpath("payment_contracts.json").read_text()
    data: dict[str, Any] = json.loads(text)
    return data


def cpa_names() -> dict[str, str]:
    """Contract package area codes and names (the analytics reference data)."""
    text = resources.files("omp.outcomes").joinpath("reference", "cpas.json").read_text()
    return {str(cpa["code"]): str(cpa["name"]) for cpa in json.loads(text)["cpas"]}


def prison_names() -> dict[str, str]:
    """Prison codes and names (the case store's reference data, read as data)."""
    text = resources.files("omp.cases").joinpath("reference_data.json").read_text()
    return {str(prison["code"]): str(prison["name"]) for prison in json.loads(text)["prisons"]}


def _fingerprint(data_dir: Path) -> tuple[tuple[str, int, int], ...]:
    return tuple(sorted((path.name, path.stat().st_size, path.stat().st_mtime_ns)
                        for path in data_dir.glob("*.parquet")))


def has_data(data_dir: Path) -> bool:
    """True when ``data_dir`` holds the index events and court outcomes."""
    return (data_dir / "index_events.parquet").exists() and \
        (data_dir / "court_outcomes.parquet").exists()


@dataclass(frozen=True)
class Catalogue:
    """The places with results in the data, and the years it covers."""

    first_year: int
    last_year: int
    places: list[Place]


def _catalogue(data_dir: Path) -> Catalogue:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    events = pq.read_table(data_dir / "index_events.parquet",
                           columns=["index_date", "index_kind", "prison_code", "cpa_code"])
    dates = pc.min_max(events["index_date"])
    first: date = dates["min"].as_py()
    last: date = dates["max"].as_py()
    discharges = events.filter(pc.equal(events["index_kind"], "discharge"))
    prisons = sorted(code for code in pc.unique(discharges["prison_code"]).to_pylist() if code)
    starts = events.filter(pc.equal(events["index_kind"], "supervision_start"))
    cpas = sorted(code for code in pc.unique(starts["cpa_code"]).to_pylist() if code)
    names, prison_name = cpa_names(), prison_names()
    places = []
    if DONCASTER_CODE in prisons:
        places.append(Place("doncaster", "doncaster", DONCASTER_CODE,
                            "HMP Doncaster payment-by-results pilot"))
    # Listed by name, as people look for them.
    places += sorted((Place(f"prison-{code.lower()}", "prison", code,
                            prison_name.get(code, f"Prison {code}")) for code in prisons),
                     key=lambda place: place.name)
    places += sorted((Place(f"cpa-{code.lower()}", "cpa", code, names.get(code, code))
                      for code in cpas), key=lambda place: place.name)
    return Catalogue(first.year, last.year, places)


_lock = threading.Lock()
_cache: dict[tuple[Any, ...], Any] = {}


def _cached(key: tuple[Any, ...], compute: Any) -> Any:
    with _lock:
        if key in _cache:
            return _cache[key]
    value = compute()
    with _lock:
        if len(_cache) > 256:
            _cache.clear()
        _cache[key] = value
    return value


def catalogue(data_dir: Path) -> Catalogue:
    """The places with results in ``data_dir`` (kept until the data changes)."""
    return _cached(("catalogue", str(data_dir), _fingerprint(data_dir)),  # type: ignore[no-any-return]
                   lambda: _catalogue(data_dir))


def place_named(data_dir: Path, slug: str) -> Place:
    """The place a results page's name refers to; :class:`UnknownPlace` when none."""
    for place in catalogue(data_dir).places:
        if place.slug == slug:
            return place
    raise UnknownPlace(slug)


def results_for(data_dir: Path, slug: str, cache_dir: Path | None = None) -> Results:
    """The results of the place called ``slug``, kept in memory (and in ``cache_dir`` when
    given, so a restart need not measure again) until the data changes: measuring takes
    about a second per cohort, most of it spent compiling the expressions."""
    place = place_named(data_dir, slug)
    fingerprint = _fingerprint(data_dir)
    key = ("results", str(data_dir), slug, fingerprint)

    def compute() -> Results:
        stored = None
        if cache_dir is not None:
            digest = hashlib.sha256(repr((str(data_dir), fingerprint)).encode()).hexdigest()
            stored = cache_dir / f"{slug}-{digest[:16]}.pickle"
            if stored.exists():
                try:
                    with stored.open("rb") as handle:
                        # Written by this module, below, into the service's own var dir.
                        cached: Results = pickle.load(handle)
                    return cached
                except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
                    pass  # unreadable or from an older version: measure again
        value = _results(data_dir, place)
        if stored is not None:
            stored.parent.mkdir(parents=True, exist_ok=True)
            partial = stored.with_suffix(".partial")
            with partial.open("wb") as handle:
                pickle.dump(value, handle)
            partial.replace(stored)
        return value

    return _cached(key, compute)  # type: ignore[no-any-return]


def _year_row(year: int, result: Any) -> YearRow:
    return YearRow(year, result.cohort, result.size, result.reoffenders, result.rate,
                   result.ci_low, result.ci_high, result.frequency_per_reoffender,
                   result.mean_predicted_risk, dict(result.excluded),
                   rate_suppression(result.size, result.reoffenders))


def _results(data_dir: Path, place: Place) -> Results:
    from omp.outcomes.cohorts import builtin
    from omp.outcomes.engine import Engine
    from omp.outcomes.measures import measure_with

    span = catalogue(data_dir)
    parameters = contract_parameters()
    with Engine("duckdb", data_dir) as engine:
        def whole(cohort: str) -> Any:
            return measure_with(engine, cohort, place.measure_kind)[0]

        measured = {year: whole(place.cohort(year))
                    for year in range(span.first_year, span.last_year + 1)}
        years = [_year_row(year, result) for year, result in measured.items()]
        baseline = measured.get(place.baseline_year)
        definition = ("Each cohort is a calendar year's; the latest, for example: "
                      + builtin(place.cohort(span.last_year)).explain())
        if place.kind == "doncaster":
            contract = DoncasterContract.from_mapping(parameters["doncaster"])
            pilots = [builtin(f"doncaster-pilot-{n}") for n in range(1, PILOT_COHORTS + 1)]
            pilots = [cohort for cohort in pilots if cohort.end.year <= span.last_year]
            rows = [(f"Pilot cohort {n}", whole(cohort.name))
                    for n, cohort in enumerate(pilots, start=1)]
            statements = [_doncaster_row(contract, label, result, baseline)
                          for label, result in rows]
            return Results(place, years, statements,
                           _case_mix_rows(statements), _doncaster_terms(contract),
                           float(contract.baseline_rate), definition,
                           [f"Payment statements use the contract's baseline of "
                            f"{contract.baseline_rate}% ({contract.baseline_label}); the "
                            f"case mix is that of the measured {DONCASTER_BASELINE_YEAR} "
                            f"cohort."])
        if place.kind == "cpa" and baseline is not None:
            return _cpa_results(place, years, measured, baseline, parameters["tr"], definition)
    case_mix = [CaseMixRow(str(row.year), row.cohort, _adjust(measured[row.year], baseline),
                           row.suppressed or _suppressed(baseline))
                for row in years if baseline is not None and row.year != place.baseline_year]
    return Results(place, years, [], case_mix, [], baseline.rate if baseline else None,
                   definition, ["No payment-by-results contract is held for this prison: "
                                f"the comparison is with its own {place.baseline_year} "
                                f"cohort."])


def _suppressed(result: Any) -> str | None:
    return rate_suppression(result.size, result.reoffenders) if result is not None else None


def _adjust(result: Any, baseline: Any) -> CaseMixAdjustment | None:
    from omp.outcomes.statements import case_mix_for

    try:
        return case_mix_for(result, baseline, Decimal(str(round(baseline.rate, 1))))
    except PaymentParameterError:
        return None  # no predicted risk recorded: shown as "cannot be adjusted"


def _doncaster_row(contract: DoncasterContract, label: str, result: Any,
                   baseline: Any) -> StatementRow:
    reason = _suppressed(result)
    if reason:
        return StatementRow(label, result.cohort, None, None, reason)
    unadjusted = doncaster_for_measures(contract, result)
    try:
        adjusted = doncaster_for_measures(contract, result, baseline) if baseline else None
    except PaymentParameterError:
        adjusted = None
    return StatementRow(label, result.cohort, unadjusted, adjusted, None)


def _case_mix_rows(statements: list[StatementRow]) -> list[CaseMixRow]:
    return [CaseMixRow(row.label, row.cohort,
                       row.adjusted.case_mix if row.adjusted else None, row.suppressed)
            for row in statements]


def _share(share: Decimal) -> str:
    """0.10 → "10%"."""
    return f"{float(share * 100):g}%"


def _doncaster_terms(contract: DoncasterContract) -> list[tuple[str, str]]:
    """The contract's terms in words, for the page (OUT-3)."""
    return [
        ("Core contract value for the year", pounds(contract.contract_value)),
        ("Baseline reconviction rate", f"{contract.baseline_rate}% ({contract.baseline_label})"),
        ("Threshold", f"a reduction of {contract.threshold_points} percentage points"),
        ("Reclaimed below the threshold",
         f"{_share(contract.at_risk_share)} of the core contract value"),
        ("Outcome payments", f"up to {pounds(contract.max_outcome_payment)}: "
         f"{contract.curve.describe(contract.threshold_points, contract.cap_points)}"),
    ]


def _tr_terms(contract: TRContract, first_year: int) -> list[tuple[str, str]]:
    """The contract's terms in words, for the page (OUT-4)."""
    return [
        ("Fee for service, year 1", f"{pounds(contract.annual_price)}, less a "
         f"{_share(contract.learning_curve_discount)} learning-curve discount each later "
         f"year"),
        ("Maximum annual payment", pounds(contract.maximum_annual_payment)),
        ("First contract year", str(first_year)),
        ("Binary baseline", f"{contract.baseline_binary_rate}% ({contract.baseline_label}), "
         f"stretched by {contract.binary_stretch_points} points a year"),
        ("Frequency baseline", f"{contract.baseline_frequency} reoffences per reoffender, "
         f"stretched by {contract.frequency_stretch} a year"),
        ("Binary payment", f"{pounds(contract.binary_price_per_point)} a point below target, "
         f"once the hurdle is met"),
        ("Frequency payment", f"{pounds(contract.frequency_price_per_reoffence)} a reoffence "
         f"avoided"),
    ]


def _cpa_results(place: Place, years: list[YearRow], measured: dict[int, Any],
                 baseline: Any, parameters: dict[str, Any], definition: str) -> Results:
    money = {key: value for key, value in parameters.items() if key != "first_contract_year"}
    first = int(parameters["first_contract_year"])
    base_reason = _suppressed(baseline)
    statements: list[StatementRow] = []
    contract: TRContract | None = None
    if base_reason is None:
        contract = TRContract.from_mapping({
            **money, "baseline_binary_rate": f"{baseline.rate:.1f}",
            "baseline_frequency": f"{baseline.frequency_per_reoffender:.2f}",
            "baseline_label": str(TR_BASELINE_YEAR)})
    for year, result in measured.items():
        if year < first:
            continue
        label = f"{year} (contract year {year - first + 1})"
        reason = base_reason or _suppressed(result)
        if reason or contract is None:
            statements.append(StatementRow(label, result.cohort, None, None, reason))
            continue
        unadjusted = tr_for_measures(contract, result, year - first + 1)
        try:
            adjusted: CohortStatement | None = tr_for_measures(contract, result,
                                                               year - first + 1, baseline)
        except PaymentParameterError:
            adjusted = None
        statements.append(StatementRow(label, result.cohort, unadjusted, adjusted, None))
    case_mix = [CaseMixRow(str(row.year), row.cohort, _adjust(measured[row.year], baseline),
                           row.suppressed or base_reason)
                for row in years if row.year != TR_BASELINE_YEAR]
    notes = [f"Payment statements apply a demonstration TR contract to this area from "
             f"{first}, against its measured {TR_BASELINE_YEAR} baseline (proven "
             f"reoffending, which counts cautions)."]
    terms = _tr_terms(contract, first) if contract is not None else []
    return Results(place, years, statements, case_mix, terms,
                   None if base_reason else round(baseline.rate, 1), definition, notes)
