"""Results of one contract, prison or contract package area, as the results pages show them:
reoffending over time (OUT-2), payment statements (OUT-3, OUT-4) and the comparison with
and without case-mix adjustment (OUT-5), every group checked for small counts (COM-4).

A *place* is what a results page is about: ``doncaster`` (the HMP Doncaster payment-by-
results pilot), ``prison-<code>`` (any discharging prison) or ``cpa-<code>`` (a contract
package area under Transforming Rehabilitation). The demonstration contracts' money comes
from ``payment_contracts.json`` beside this module (data, not code). :func:`compute_results`
measures every place at once, when the data is written; :mod:`omp.outcomes.stored_results`
keeps the figures with the time they were computed, and the pages read only those.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
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


def fingerprint(data_dir: Path) -> list[list[Any]]:
    """The data's version: each Parquet table's name, size and time of last change."""
    return [[path.name, path.stat().st_size, path.stat().st_mtime_ns]
            for path in sorted(data_dir.glob("*.parquet"))]


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


def catalogue(data_dir: Path) -> Catalogue:
    """The places with results in ``data_dir``."""
    return _catalogue(data_dir)


def _measure_everything(engine: Any, span: Catalogue) -> tuple[
        dict[str, dict[int, Any]], list[tuple[str, Any]]]:
    """Every place's calendar-year cohorts, measured in one split pass per kind of place
    (prisons, Doncaster among them, on court reconvictions; contract package areas on proven
    reoffending), and Doncaster's pilot cohorts."""
    from omp.outcomes.cohorts import CPA_EXCLUSIONS, DONCASTER_EXCLUSIONS, Cohort, builtin
    from omp.outcomes.measures import measure_split, measure_with

    start, end = date(span.first_year, 1, 1), date(span.last_year, 12, 31)
    by_place: dict[str, dict[int, Any]] = {place.slug: {} for place in span.places}
    kinds = {kind: [place for place in span.places if place.kind == kind]
             for kind in ("doncaster", "prison", "cpa")}
    splits = (
        (Cohort("discharges", "discharge", start, end, exclusions=DONCASTER_EXCLUSIONS),
         "binary_court", ("prison", "year"), kinds["prison"] + kinds["doncaster"]),
        (Cohort("supervision-starts", "supervision_start", start, end,
                exclusions=CPA_EXCLUSIONS), "proven", ("cpa", "year"), kinds["cpa"]),
    )
    for cohort, kind, split, places in splits:
        if not places:
            continue
        measured = measure_split(engine, cohort, kind, split, lambda *values: "")
        for place in places:
            for year in range(span.first_year, span.last_year + 1):
                found = measured.get((place.code, year))
                result = found if found is not None else _empty(place, year, kind)
                by_place[place.slug][year] = replace(result, cohort=place.cohort(year))
    pilots: list[tuple[str, Any]] = []
    if kinds["doncaster"]:
        cohorts = [builtin(f"doncaster-pilot-{n}") for n in range(1, PILOT_COHORTS + 1)]
        pilots = [(f"Pilot cohort {n}", measure_with(engine, cohort)[0])
                  for n, cohort in enumerate(cohorts, start=1)
                  if cohort.end.year <= span.last_year]
    return by_place, pilots


def _empty(place: Place, year: int, kind: str) -> Any:
    """The measure of a cohort nobody is in (a year in which a prison discharged no one)."""
    from omp.outcomes.cohorts import builtin
    from omp.outcomes.measures import empty_result

    return empty_result(builtin(place.cohort(year)), kind)


def compute_results(data_dir: Path, engine_name: str = "duckdb") -> tuple[
        Catalogue, dict[str, Results]]:
    """Every results page's figures, measured from the analytics data in ``data_dir`` on
    ``engine_name``: the catalogue of places and each place's :class:`Results`. This is the
    slow part (seconds), run when the data is written or by ``omp outcomes compute``, never
    while a page waits (see :mod:`omp.outcomes.stored_results`)."""
    from omp.outcomes.engine import Engine

    span = _catalogue(data_dir)
    with Engine(engine_name, data_dir) as engine:
        measured, pilots = _measure_everything(engine, span)
    parameters = contract_parameters()
    return span, {place.slug: _place_results(place, span, measured[place.slug], pilots,
                                             parameters)
                  for place in span.places}


def _year_row(year: int, result: Any) -> YearRow:
    return YearRow(year, result.cohort, result.size, result.reoffenders, result.rate,
                   result.ci_low, result.ci_high, result.frequency_per_reoffender,
                   result.mean_predicted_risk, dict(result.excluded),
                   rate_suppression(result.size, result.reoffenders))


def _definition(place: Place, exclusions: tuple[str, ...]) -> str:
    """Who each of the place's cohorts holds, in words (OUT-1): names, not codes."""
    from omp.outcomes.cohorts import EXCLUSIONS

    if place.kind == "cpa":
        who = f"people starting supervision in {place.name} in a calendar year"
    else:
        prison = prison_names().get(place.code, place.name)
        who = f"sentenced people discharged from {prison} in a calendar year"
    left_out = "; ".join(EXCLUSIONS[name].explanation for name in exclusions)
    return (f"Each cohort holds the {who}, each person once, from their first qualifying "
            "index event in the year (OUT-1). "
            + (f"Left out: {left_out}." if left_out else "No one is left out."))


def _place_results(place: Place, span: Catalogue, measured: dict[int, Any],
                   pilots: list[tuple[str, Any]], parameters: dict[str, Any]) -> Results:
    from omp.outcomes.cohorts import builtin

    years = [_year_row(year, result) for year, result in measured.items()]
    baseline = measured.get(place.baseline_year)
    definition = _definition(place, builtin(place.cohort(span.last_year)).exclusions)
    if place.kind == "doncaster":
        contract = DoncasterContract.from_mapping(parameters["doncaster"])
        statements = [_doncaster_row(contract, label, result, baseline)
                      for label, result in pilots]
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
