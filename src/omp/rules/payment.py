"""Payment by results: the HMP Doncaster pilot (OUT-3) and the Transforming Rehabilitation
mechanism (OUT-4), as arithmetic on contract parameters held as data.

Nothing here reads files, the database or the clock. A contract is a frozen dataclass of
parameters (validated when it is made: a bad one raises :class:`PaymentParameterError`
naming every bad field); a statement is the result for one year's figures: the money, and
the arithmetic as ordered plain-language lines, so whoever reads it can redo every sum.

Money is ``Decimal`` throughout and rounded to the penny (half up) at each line that pays or
deducts something. Rates are percentages (0–100) compared at the precision the contract
states (one decimal place, as the Ministry of Justice publishes them), so a rate measured as
52.4999… is judged as the published 52.5.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

PENNY = Decimal("0.01")
HUNDRED = Decimal(100)
#: Two-sided 95% normal quantile: "statistically significant" in the TR mechanism (OUT-4).
Z_95 = Decimal("1.96")


# --------------------------------------------------------------------------- errors, lines


@dataclass(frozen=True, slots=True)
class FieldError:
    """One bad parameter: the field's name and what is wrong with it, in plain words."""

    field: str
    message: str


class PaymentParameterError(ValueError):
    """Raised when contract parameters or a year's figures cannot be used.

    ``errors`` lists every bad field, so a form or command can show them all at once;
    ``field`` is the first of them.
    """

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors = tuple(errors)
        super().__init__("; ".join(f"{error.field}: {error.message}" for error in self.errors))

    @property
    def field(self) -> str:
        """The name of the first bad field."""
        return self.errors[0].field


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One step of a statement's arithmetic: the sentence, and the figure it arrives at
    (``figure`` names it, ``value`` is the figure as a plain decimal string)."""

    text: str
    figure: str | None = None
    value: str | None = None


class _Checker:
    """Collects field errors, so every bad field is reported, not only the first."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, name: str, message: str) -> None:
        self.errors.append(FieldError(name, message))

    def number(self, name: str, value: object, low: Decimal | None = None,
               high: Decimal | None = None, *, above_low: bool = False) -> bool:
        if isinstance(value, bool) or not isinstance(value, Decimal) or not value.is_finite():
            self.add(name, "must be a number")
            return False
        if low is not None and (value <= low if above_low else value < low):
            self.add(name, f"must be {'more than' if above_low else 'at least'} {_plain(low)}")
            return False
        if high is not None and value > high:
            self.add(name, f"must be at most {_plain(high)}")
            return False
        return True

    def raise_if_any(self) -> None:
        if self.errors:
            raise PaymentParameterError(self.errors)


def to_decimal(name: str, value: object) -> Decimal:
    """``value`` (a string, int, float or Decimal) as a Decimal, or a field error on ``name``.

    Floats go through their shortest string (``52.5`` → ``Decimal("52.5")``), never their
    binary expansion.
    """
    if isinstance(value, bool):
        raise PaymentParameterError([FieldError(name, "must be a number")])
    try:
        number = Decimal(str(value).strip().replace(",", "")) if isinstance(
            value, str | int | float | Decimal) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise PaymentParameterError([FieldError(name, "must be a number")])
    return number


def _decimals(data: Mapping[str, object], names: Iterable[str]) -> dict[str, Decimal]:
    """The named entries of ``data`` present there, as Decimals; every bad one reported."""
    out: dict[str, Decimal] = {}
    errors: list[FieldError] = []
    for name in names:
        if name in data:
            try:
                out[name] = to_decimal(name, data[name])
            except PaymentParameterError as error:
                errors.extend(error.errors)
    if errors:
        raise PaymentParameterError(errors)
    return out


def _unknown(data: Mapping[str, object], known: Iterable[str]) -> list[FieldError]:
    return [FieldError(name, "is not a parameter of this contract")
            for name in data if name not in set(known)]


def money(amount: Decimal) -> Decimal:
    """``amount`` rounded to the penny, half up."""
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


def pounds(amount: Decimal) -> str:
    """``amount`` as it is written in a statement: £1,234,567.89 (negative as −£…)."""
    sign = "−" if amount < 0 else ""
    return f"{sign}£{abs(money(amount)):,.2f}"


def _plain(number: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 5.70 → "5.7", 1E+1 → "10"."""
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _fixed(number: Decimal, places: int) -> str:
    """A rate or a difference of rates at a stated number of decimal places: "45.0"."""
    return f"{number:.{places}f}"


def _percent(share: Decimal) -> str:
    """A share (0.1) as a percentage ("10%")."""
    return f"{_plain(share * HUNDRED)}%"


def _against_target(below: str) -> str:
    """A rate's distance from its target, worded by its direction: ``"5.0"`` is "5.0 points
    below target", ``"-5.0"`` is "5.0 points above target"."""
    if below.lstrip("-").strip("0.") == "":
        return "on target"
    if below.startswith("-"):
        return f"{below[1:]} points above target"
    return f"{below} points below target"


def _later_years(year: int) -> str:
    """ "the 1 year after the first", "each of the 2 years after the first"."""
    later = year - 1
    return "the year after the first" if later == 1 else \
        f"each of the {later} years after the first"


def _round_rate(rate: Decimal, places: int) -> Decimal:
    return rate.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


# ------------------------------------------------------------------ OUT-3: HMP Doncaster


@dataclass(frozen=True, slots=True)
class CurveStep:
    """From a reduction of ``from_points`` percentage points, ``share`` (0–1) of the maximum
    outcome payment is earned."""

    from_points: Decimal
    share: Decimal


@dataclass(frozen=True, slots=True)
class OutcomeCurve:
    """How outcome payments grow between the threshold and the cap (OUT-3).

    ``linear`` (the default): from nothing at the threshold to the maximum at the cap, in
    proportion to the points beyond the threshold. ``stepped``: the share of the highest
    step reached, e.g. 20% of the maximum from 6 points, 40% from 7 points, and so on.
    """

    kind: Literal["linear", "stepped"] = "linear"
    steps: tuple[CurveStep, ...] = ()

    def share(self, counted_points: Decimal, threshold: Decimal, cap: Decimal) -> Decimal:
        """The share of the maximum outcome payment earned by ``counted_points`` (already
        capped) of reduction."""
        if counted_points <= threshold:
            return Decimal(0)
        if self.kind == "linear":
            return (counted_points - threshold) / (cap - threshold)
        reached = [step.share for step in self.steps if step.from_points <= counted_points]
        return reached[-1] if reached else Decimal(0)

    def describe(self, threshold: Decimal, cap: Decimal) -> str:
        """The curve in words."""
        if self.kind == "linear":
            return (f"outcome payments grow in a straight line from nothing at "
                    f"{_plain(threshold)} points to the maximum at {_plain(cap)} points")
        steps = ", ".join(f"{_percent(step.share)} of the maximum from "
                          f"{_plain(step.from_points)} points" for step in self.steps)
        return f"outcome payments are stepped: {steps}"


def parse_curve(text: str) -> OutcomeCurve:
    """A curve from its short written form: ``linear``, or steps as ``POINTS:PERCENT`` pairs
    separated by commas, e.g. ``6:20,7:40,8:60,9:80,10:100`` (percent of the maximum
    outcome payment earned from that reduction)."""
    text = text.strip()
    if text.lower() == "linear":
        return OutcomeCurve()
    steps: list[CurveStep] = []
    for part in text.split(","):
        points, sep, percent = part.partition(":")
        if not sep:
            raise PaymentParameterError([FieldError(
                "curve", f"{part.strip()!r} is not POINTS:PERCENT (e.g. 6:20), nor 'linear'")])
        steps.append(CurveStep(to_decimal("curve", points),
                               to_decimal("curve", percent) / HUNDRED))
    return OutcomeCurve("stepped", tuple(steps))


def curve_from_data(data: object) -> OutcomeCurve:
    """A curve from a parameters file: ``"linear"``, a short form as in :func:`parse_curve`,
    or ``{"kind": "stepped", "steps": [{"from_points": 6, "share": 0.2}, …]}``."""
    if isinstance(data, str):
        return parse_curve(data)
    if not isinstance(data, Mapping):
        raise PaymentParameterError([FieldError("curve", "must be 'linear', a list of "
                                                         "steps, or an object with kind")])
    kind = data.get("kind", "linear")
    if kind == "linear":
        return OutcomeCurve()
    raw_steps = data.get("steps")
    if kind != "stepped" or not isinstance(raw_steps, list):
        raise PaymentParameterError([FieldError("curve", "kind must be 'linear' or "
                                                         "'stepped' with a list of steps")])
    steps = []
    for index, step in enumerate(raw_steps):
        if not isinstance(step, Mapping):
            raise PaymentParameterError([FieldError(f"curve.steps[{index}]",
                                                    "must have from_points and share")])
        steps.append(CurveStep(to_decimal(f"curve.steps[{index}].from_points",
                                          step.get("from_points")),
                               to_decimal(f"curve.steps[{index}].share", step.get("share"))))
    return OutcomeCurve("stepped", tuple(steps))


@dataclass(frozen=True, slots=True)
class DoncasterContract:
    """The parameters of the Doncaster payment-by-results contract (OUT-3, seed 003 §1.3).

    The defaults are the pilot's own: a 58.2% baseline (January to December 2009), a
    5-point threshold, 10% of the core contract value at risk, outcome payments up to a
    10-point reduction. ``contract_value`` (the core contract value for the year) and
    ``max_outcome_payment`` (the "agreed level") are the contract's own figures.
    """

    contract_value: Decimal
    max_outcome_payment: Decimal
    baseline_rate: Decimal = Decimal("58.2")
    threshold_points: Decimal = Decimal("5")
    cap_points: Decimal = Decimal("10")
    at_risk_share: Decimal = Decimal("0.10")
    curve: OutcomeCurve = field(default_factory=OutcomeCurve)
    rate_places: int = 1
    baseline_label: str = "January to December 2009"

    def __post_init__(self) -> None:
        check = _Checker()
        check.number("contract_value", self.contract_value, Decimal(0))
        check.number("max_outcome_payment", self.max_outcome_payment, Decimal(0))
        check.number("baseline_rate", self.baseline_rate, Decimal(0), HUNDRED)
        threshold_ok = check.number("threshold_points", self.threshold_points, Decimal(0),
                                    HUNDRED, above_low=True)
        cap_ok = check.number("cap_points", self.cap_points, Decimal(0), HUNDRED)
        if threshold_ok and cap_ok and self.cap_points <= self.threshold_points:
            check.add("cap_points", f"must be more than the threshold "
                                    f"({_plain(self.threshold_points)} points)")
            cap_ok = False
        check.number("at_risk_share", self.at_risk_share, Decimal(0), Decimal(1))
        if isinstance(self.rate_places, bool) or not isinstance(self.rate_places, int) or \
                not 0 <= self.rate_places <= 4:
            check.add("rate_places", "must be a whole number from 0 to 4")
        if self.curve.kind == "stepped" and threshold_ok and cap_ok:
            _check_steps(check, self.curve.steps, self.threshold_points, self.cap_points)
        elif self.curve.kind not in ("linear", "stepped"):
            check.add("curve", "kind must be 'linear' or 'stepped'")
        check.raise_if_any()

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> DoncasterContract:
        """A contract from a parameters file's mapping (numbers as strings or numbers);
        unknown or bad entries raise one error naming them all."""
        names = ("contract_value", "max_outcome_payment", "baseline_rate",
                 "threshold_points", "cap_points", "at_risk_share")
        known = (*names, "curve", "rate_places", "baseline_label")
        errors = _unknown(data, known)
        try:
            values: dict[str, object] = dict(_decimals(data, names))
        except PaymentParameterError as error:
            errors.extend(error.errors)
            values = {}
        for required in ("contract_value", "max_outcome_payment"):
            if required not in data:
                errors.append(FieldError(required, "is required"))
        if "curve" in data:
            try:
                values["curve"] = curve_from_data(data["curve"])
            except PaymentParameterError as error:
                errors.extend(error.errors)
        for name in ("rate_places", "baseline_label"):
            if name in data:
                values[name] = data[name]
        if errors:
            raise PaymentParameterError(errors)
        return cls(**values)  # type: ignore[arg-type]  # each value checked in __post_init__


def _check_steps(check: _Checker, steps: Sequence[CurveStep], threshold: Decimal,
                 cap: Decimal) -> None:
    if not steps:
        check.add("curve", "a stepped curve needs at least one step")
        return
    previous: CurveStep | None = None
    for index, step in enumerate(steps):
        name = f"curve.steps[{index}]"
        if not (check.number(f"{name}.from_points", step.from_points)
                and check.number(f"{name}.share", step.share, Decimal(0), Decimal(1))):
            continue
        if not threshold < step.from_points <= cap:
            check.add(f"{name}.from_points", f"must be more than the threshold "
                                             f"({_plain(threshold)}) and at most the cap "
                                             f"({_plain(cap)})")
        elif previous is not None and step.from_points <= previous.from_points:
            check.add(f"{name}.from_points", "steps must rise in points")
        elif previous is not None and step.share < previous.share:
            check.add(f"{name}.share", "a higher step cannot earn a smaller share")
        previous = step


@dataclass(frozen=True, slots=True)
class DoncasterStatement:
    """One cohort year's result under the Doncaster contract (OUT-3).

    ``reduction_points`` is baseline minus rate (negative when reoffending rose);
    ``counted_points`` is the reduction that earns outcome payments, capped;
    ``reclaimed`` is what the Ministry takes back from the core contract value;
    ``outcome_payment`` is paid on top; ``net`` = outcome payment − reclaimed, and
    ``total_payment`` = core contract value + net.
    """

    contract: DoncasterContract
    rate: Decimal
    baseline_rate: Decimal
    reduction_points: Decimal
    counted_points: Decimal
    threshold_met: bool
    reclaimed: Decimal
    outcome_payment: Decimal
    net: Decimal
    total_payment: Decimal
    lines: tuple[StatementLine, ...]

    def figures(self) -> dict[str, str | bool]:
        """The statement's figures as plain decimal strings (money to the penny), and
        whether each test was met as true or false."""
        return {
            "baseline_rate": _fixed(self.baseline_rate, self.contract.rate_places),
            "rate": _fixed(self.rate, self.contract.rate_places),
            "reduction_points": _fixed(self.reduction_points, self.contract.rate_places),
            "counted_points": _fixed(self.counted_points, self.contract.rate_places),
            "threshold_met": self.threshold_met,
            "contract_value": f"{money(self.contract.contract_value)}",
            "reclaimed": f"{self.reclaimed}",
            "outcome_payment": f"{self.outcome_payment}",
            "net": f"{self.net}",
            "total_payment": f"{self.total_payment}",
        }


def doncaster_statement(contract: DoncasterContract, rate: Decimal, *,
                        adjusted_baseline: Decimal | None = None,
                        adjustment_note: str | None = None) -> DoncasterStatement:
    """The OUT-3 statement for a cohort whose reconviction rate is ``rate`` percent.

    ``adjusted_baseline`` replaces the contract's baseline when the cohort's case mix has
    been adjusted for (OUT-5); ``adjustment_note`` says how, and opens the arithmetic.
    """
    check = _Checker()
    check.number("rate", rate, Decimal(0), HUNDRED)
    if adjusted_baseline is not None:
        check.number("adjusted_baseline", adjusted_baseline, Decimal(0), HUNDRED)
    check.raise_if_any()
    places = contract.rate_places

    def _rate(number: Decimal) -> str:
        return _fixed(number, places)

    lines: list[StatementLine] = []
    contract_baseline = _round_rate(contract.baseline_rate, places)
    baseline = contract_baseline
    lines.append(StatementLine(
        f"OUT-3: the baseline reconviction rate is {_rate(contract_baseline)}% "
        f"({contract.baseline_label}).", "contract_baseline_rate", _rate(contract_baseline)))
    if adjusted_baseline is not None:
        baseline = _round_rate(adjusted_baseline, places)
        lines.append(StatementLine(
            f"OUT-5: the baseline is adjusted for the cohort's case mix to {_rate(baseline)}%"
            + (f": {adjustment_note}" if adjustment_note else "."),
            "baseline_rate", _rate(baseline)))
    judged = _round_rate(rate, places)
    measured = _plain(rate.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))
    rounded = "" if judged == rate else (
        f" (measured as {measured}%, judged to {places} decimal "
        f"place{'' if places == 1 else 's'})")
    lines.append(StatementLine(f"The cohort's reconviction rate is {_rate(judged)}%{rounded}.",
                               "rate", _rate(judged)))

    reduction = baseline - judged
    threshold, cap = contract.threshold_points, contract.cap_points
    if reduction >= 0:
        lines.append(StatementLine(
            f"Reduction: {_rate(baseline)} − {_rate(judged)} = {_rate(reduction)} "
            f"percentage points.", "reduction_points", _rate(reduction)))
    else:
        lines.append(StatementLine(
            f"Reduction: {_rate(baseline)} − {_rate(judged)} = {_rate(reduction)} "
            f"percentage points: reconviction rose by {_rate(-reduction)} points.",
            "reduction_points", _rate(reduction)))

    value = contract.contract_value
    threshold_met = reduction >= threshold
    if threshold_met:
        reclaimed = Decimal("0.00")
        lines.append(StatementLine(
            f"{_rate(reduction)} points is at least the {_plain(threshold)}-point threshold, "
            f"so the full core contract value of {pounds(value)} is kept: nothing is "
            f"reclaimed.", "reclaimed", f"{reclaimed}"))
    else:
        reclaimed = money(value * contract.at_risk_share)
        lines.append(StatementLine(
            f"{_rate(reduction)} points is less than the {_plain(threshold)}-point threshold, "
            f"so {_percent(contract.at_risk_share)} of the core contract value is reclaimed: "
            f"{_percent(contract.at_risk_share)} × {pounds(value)} = {pounds(reclaimed)}.",
            "reclaimed", f"{reclaimed}"))

    counted = min(max(reduction, Decimal(0)), cap)
    share = contract.curve.share(counted, threshold, cap)
    outcome = money(contract.max_outcome_payment * share)
    if reduction > threshold:
        capped = (f" Only {_plain(cap)} points count: the reduction beyond the "
                  f"{_plain(cap)}-point cap earns nothing more." if reduction > cap else "")
        if contract.curve.kind == "linear":
            arithmetic = (f"({_rate(counted)} − {_plain(threshold)}) ÷ "
                          f"({_plain(cap)} − {_plain(threshold)}) × "
                          f"{pounds(contract.max_outcome_payment)} = {pounds(outcome)}")
        else:
            arithmetic = (f"{_percent(share)} × {pounds(contract.max_outcome_payment)} = "
                          f"{pounds(outcome)}")
        lines.append(StatementLine(
            f"Beyond the threshold, {contract.curve.describe(threshold, cap)}, up to "
            f"{pounds(contract.max_outcome_payment)}.{capped} Outcome payment: {arithmetic}.",
            "outcome_payment", f"{outcome}"))
    else:
        lines.append(StatementLine(
            f"Outcome payments start beyond a {_plain(threshold)}-point reduction: none is "
            f"due.", "outcome_payment", f"{outcome}"))

    net = outcome - reclaimed
    total = money(value) + net
    lines.append(StatementLine(
        f"Net: {pounds(outcome)} outcome payment − {pounds(reclaimed)} reclaimed = "
        f"{pounds(net)}, so the year pays {pounds(value)} {'−' if net < 0 else '+'} "
        f"{pounds(abs(net))} = {pounds(total)}.",
        "total_payment", f"{total}"))
    return DoncasterStatement(contract, judged, baseline, reduction, counted, threshold_met,
                              reclaimed, outcome, net, total, tuple(lines))


# ------------------------------------------------------------------ OUT-4: TR mechanism


@dataclass(frozen=True, slots=True)
class PerformanceTarget:
    """A service-level measure of the fee for service (OUT-4): delivering court orders to
    time and quality. Missing the target deducts ``deduction_share`` of the year's fee."""

    name: str
    target_percent: Decimal
    deduction_share: Decimal


@dataclass(frozen=True, slots=True)
class TRContract:
    """The parameters of a Transforming Rehabilitation contract for one contract package
    area (OUT-4, seed 002; REFERENCE §2c). Money is per contract year.

    Fee for service: ``annual_price`` is the year-1 price bid for mandated work, less a
    ``learning_curve_discount`` compounded each later year; it is reconciled to the
    weighted annual volume actually delivered, within ``volume_band_down``/``volume_band_up``
    of the predicted volume; each missed performance target deducts its share, the total
    capped at ``max_deduction_share``.

    Payment by results: the pot is the ``maximum_annual_payment`` less that year's price.
    The binary measure is a hurdle: its target is the CPA baseline less
    ``binary_stretch_points`` for each year after the first, and the cohort's rate must be
    significantly below it (95%). Then each point below target earns
    ``binary_price_per_point`` and each reoffence avoided against the frequency target
    (per reoffender, stretched by ``frequency_stretch`` a year) earns
    ``frequency_price_per_reoffence``, the total capped at the pot. A significant rise above
    the baseline costs ``penalty_per_point`` (default: the binary price) per point, capped at
    ``max_penalty_share`` of the fee; a rise of ``termination_points`` reaches the point at
    which the contract may be ended.
    """

    annual_price: Decimal
    maximum_annual_payment: Decimal
    baseline_binary_rate: Decimal
    baseline_frequency: Decimal
    binary_price_per_point: Decimal
    frequency_price_per_reoffence: Decimal
    learning_curve_discount: Decimal = Decimal("0.02")
    binary_stretch_points: Decimal = Decimal("0.5")
    frequency_stretch: Decimal = Decimal("0.05")
    penalty_per_point: Decimal | None = None
    max_penalty_share: Decimal = Decimal("0.10")
    termination_points: Decimal = Decimal("5")
    max_deduction_share: Decimal = Decimal("0.10")
    volume_band_down: Decimal = Decimal("0.30")
    volume_band_up: Decimal = Decimal("0.50")
    performance_targets: tuple[PerformanceTarget, ...] = ()
    rate_places: int = 1
    baseline_label: str = "2011"

    DECIMAL_FIELDS = (
        "annual_price", "maximum_annual_payment", "baseline_binary_rate",
        "baseline_frequency", "binary_price_per_point", "frequency_price_per_reoffence",
        "learning_curve_discount", "binary_stretch_points", "frequency_stretch",
        "penalty_per_point", "max_penalty_share", "termination_points",
        "max_deduction_share", "volume_band_down", "volume_band_up")

    def __post_init__(self) -> None:
        zero, one = Decimal(0), Decimal(1)
        check = _Checker()
        price_ok = check.number("annual_price", self.annual_price, zero)
        map_ok = check.number("maximum_annual_payment", self.maximum_annual_payment, zero)
        if price_ok and map_ok and self.maximum_annual_payment < self.annual_price:
            check.add("maximum_annual_payment", "must be at least the annual price: the "
                                                "payment-by-results pot is the difference")
        check.number("baseline_binary_rate", self.baseline_binary_rate, zero, HUNDRED)
        check.number("baseline_frequency", self.baseline_frequency, zero)
        for name in ("binary_price_per_point", "frequency_price_per_reoffence",
                     "binary_stretch_points", "frequency_stretch"):
            check.number(name, getattr(self, name), zero)
        if self.penalty_per_point is not None:
            check.number("penalty_per_point", self.penalty_per_point, zero)
        check.number("learning_curve_discount", self.learning_curve_discount, zero,
                     Decimal("0.5"))
        for name in ("max_penalty_share", "max_deduction_share", "volume_band_down"):
            check.number(name, getattr(self, name), zero, one)
        check.number("volume_band_up", self.volume_band_up, zero, Decimal(10))
        check.number("termination_points", self.termination_points, zero, HUNDRED,
                     above_low=True)
        seen: set[str] = set()
        for index, target in enumerate(self.performance_targets):
            name = f"performance_targets[{index}]"
            if not target.name.strip():
                check.add(f"{name}.name", "must be given")
            elif target.name in seen:
                check.add(f"{name}.name", f"{target.name!r} is named twice")
            seen.add(target.name)
            check.number(f"{name}.target_percent", target.target_percent, zero, HUNDRED)
            check.number(f"{name}.deduction_share", target.deduction_share, zero, one)
        if isinstance(self.rate_places, bool) or not isinstance(self.rate_places, int) or \
                not 0 <= self.rate_places <= 4:
            check.add("rate_places", "must be a whole number from 0 to 4")
        check.raise_if_any()

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> TRContract:
        """A contract from a parameters file's mapping; every bad entry named at once."""
        known = (*cls.DECIMAL_FIELDS, "performance_targets", "rate_places", "baseline_label")
        errors = _unknown(data, known)
        present = {name: value for name, value in data.items() if value is not None}
        try:
            values: dict[str, object] = dict(_decimals(present, cls.DECIMAL_FIELDS))
        except PaymentParameterError as error:
            errors.extend(error.errors)
            values = {}
        for required in cls.DECIMAL_FIELDS[:6]:
            if required not in present:
                errors.append(FieldError(required, "is required"))
        raw_targets = data.get("performance_targets", [])
        targets: list[PerformanceTarget] = []
        if not isinstance(raw_targets, list):
            errors.append(FieldError("performance_targets", "must be a list"))
        else:
            for index, raw in enumerate(raw_targets):
                name = f"performance_targets[{index}]"
                if not isinstance(raw, Mapping):
                    errors.append(FieldError(name, "must have name, target_percent and "
                                                   "deduction_share"))
                    continue
                try:
                    targets.append(PerformanceTarget(
                        str(raw.get("name", "")),
                        to_decimal(f"{name}.target_percent", raw.get("target_percent")),
                        to_decimal(f"{name}.deduction_share", raw.get("deduction_share"))))
                except PaymentParameterError as error:
                    errors.extend(error.errors)
        values["performance_targets"] = tuple(targets)
        for name in ("rate_places", "baseline_label"):
            if name in data:
                values[name] = data[name]
        if errors:
            raise PaymentParameterError(errors)
        return cls(**values)  # type: ignore[arg-type]  # each value checked in __post_init__


@dataclass(frozen=True, slots=True)
class TRYear:
    """What happened in one contract year (OUT-4): the year (1 = first), the cohort's size,
    binary rate (percent), reoffenders and reoffences per reoffender; the weighted annual
    volume predicted and delivered (both or neither); and the achieved percentage of each
    performance target by name."""

    year: int
    cohort_size: int
    binary_rate: Decimal
    reoffenders: int
    frequency_per_reoffender: Decimal
    predicted_volume: Decimal | None = None
    actual_volume: Decimal | None = None
    performance: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TRStatement:
    """One contract year under the TR mechanism (OUT-4). ``reclaimed`` is every deduction
    (missed performance targets and the penalty for rising reoffending); ``outcome_payment``
    the payment by results; ``net`` their difference; ``total_payment`` what the year pays."""

    contract: TRContract
    results: TRYear
    year_price: Decimal
    volume_ratio: Decimal
    fee_before_deductions: Decimal
    performance_deductions: Decimal
    fee_for_service: Decimal
    monthly_payment: Decimal
    pbr_pot: Decimal
    binary_rate: Decimal
    binary_target: Decimal
    reduction_points: Decimal
    significance_margin: Decimal
    hurdle_met: bool
    binary_payment: Decimal
    frequency_target: Decimal
    reoffences_avoided: Decimal
    frequency_payment: Decimal
    outcome_payment: Decimal
    penalty: Decimal
    termination_point_reached: bool
    reclaimed: Decimal
    net: Decimal
    total_payment: Decimal
    lines: tuple[StatementLine, ...]

    def figures(self) -> dict[str, str | bool]:
        """The statement's figures as plain decimal strings (money to the penny), and
        whether each test was met as true or false."""
        places = self.contract.rate_places
        return {
            "year": str(self.results.year),
            "year_price": f"{self.year_price}",
            "volume_ratio": _plain(self.volume_ratio),
            "fee_before_deductions": f"{self.fee_before_deductions}",
            "performance_deductions": f"{self.performance_deductions}",
            "fee_for_service": f"{self.fee_for_service}",
            "monthly_payment": f"{self.monthly_payment}",
            "pbr_pot": f"{self.pbr_pot}",
            "baseline_binary_rate": _fixed(self.contract.baseline_binary_rate, places),
            "binary_rate": _fixed(self.binary_rate, places),
            "binary_target": _fixed(self.binary_target, places),
            "reduction_points": _fixed(self.reduction_points, places),
            "significance_margin": _plain(self.significance_margin),
            "hurdle_met": self.hurdle_met,
            "binary_payment": f"{self.binary_payment}",
            "frequency_target": _plain(self.frequency_target),
            "reoffences_avoided": _plain(self.reoffences_avoided),
            "frequency_payment": f"{self.frequency_payment}",
            "outcome_payment": f"{self.outcome_payment}",
            "penalty": f"{self.penalty}",
            "termination_point_reached": self.termination_point_reached,
            "reclaimed": f"{self.reclaimed}",
            "net": f"{self.net}",
            "total_payment": f"{self.total_payment}",
        }


def _check_year(contract: TRContract, results: TRYear) -> None:
    check = _Checker()
    if isinstance(results.year, bool) or not isinstance(results.year, int) or results.year < 1:
        check.add("year", "must be a whole number from 1 (the first contract year)")
    size_ok = not isinstance(results.cohort_size, bool) and isinstance(results.cohort_size, int)
    if not size_ok or results.cohort_size < 1:
        check.add("cohort_size", "must be a whole number of at least 1")
        size_ok = False
    check.number("binary_rate", results.binary_rate, Decimal(0), HUNDRED)
    if isinstance(results.reoffenders, bool) or not isinstance(results.reoffenders, int) \
            or results.reoffenders < 0:
        check.add("reoffenders", "must be a whole number, at least 0")
    elif size_ok and results.reoffenders > results.cohort_size:
        check.add("reoffenders", "cannot be more than the cohort size")
    check.number("frequency_per_reoffender", results.frequency_per_reoffender, Decimal(0))
    volumes = (results.predicted_volume, results.actual_volume)
    if (volumes[0] is None) != (volumes[1] is None):
        check.add("actual_volume" if volumes[1] is None else "predicted_volume",
                  "give both the predicted and the actual volume, or neither")
    elif volumes[0] is not None:
        check.number("predicted_volume", volumes[0], Decimal(0), above_low=True)
        check.number("actual_volume", volumes[1], Decimal(0))
    names = {target.name for target in contract.performance_targets}
    for name, achieved in results.performance.items():
        if name not in names:
            check.add(f"performance.{name}", "is not a performance target of this contract")
        else:
            check.number(f"performance.{name}", achieved, Decimal(0), HUNDRED)
    for name in sorted(names - set(results.performance)):
        check.add(f"performance.{name}", "the achieved percentage is missing")
    check.raise_if_any()


def tr_statement(contract: TRContract, results: TRYear) -> TRStatement:
    """The OUT-4 statement for one contract year of a TR contract."""
    _check_year(contract, results)
    lines: list[StatementLine] = []
    year = results.year

    # Fee for service: the year's price after the learning-curve discount.
    year_price = money(contract.annual_price
                       * (1 - contract.learning_curve_discount) ** (year - 1))
    if year == 1:
        text = (f"OUT-4 fee for service: the year-1 price for mandated work is "
                f"{pounds(contract.annual_price)}; the learning-curve discount starts next year.")
    else:
        text = (f"OUT-4 fee for service: the year-1 price {pounds(contract.annual_price)} less "
                f"a {_percent(contract.learning_curve_discount)} learning-curve discount for "
                f"{_later_years(year)}: {pounds(contract.annual_price)} × "
                f"(1 − {_plain(contract.learning_curve_discount)})^{year - 1} = "
                f"{pounds(year_price)}.")
    lines.append(StatementLine(text, "year_price", f"{year_price}"))

    ratio = Decimal(1)
    if results.predicted_volume is not None and results.actual_volume is not None:
        raw = results.actual_volume / results.predicted_volume
        ratio = min(max(raw, 1 - contract.volume_band_down), 1 + contract.volume_band_up)
        bounded = "" if ratio == raw else (
            f", held to the band of −{_percent(contract.volume_band_down)} to "
            f"+{_percent(contract.volume_band_up)}, so {_plain(ratio.quantize(Decimal('0.0001')))}")
        fee = money(year_price * ratio)
        lines.append(StatementLine(
            f"Reconciled to the weighted annual volume: {_plain(results.actual_volume)} "
            f"delivered of {_plain(results.predicted_volume)} predicted is "
            f"{_plain(raw.quantize(Decimal('0.0001')))}{bounded}; {pounds(year_price)} × that "
            f"= {pounds(fee)}.", "fee_before_deductions", f"{fee}"))
    else:
        fee = year_price

    deductions = Decimal("0.00")
    for target in contract.performance_targets:
        achieved = results.performance[target.name]
        if achieved < target.target_percent:
            amount = money(fee * target.deduction_share)
            deductions += amount
            lines.append(StatementLine(
                f"Performance target missed: {target.name} was {_plain(achieved)}% against "
                f"{_plain(target.target_percent)}%, deducting "
                f"{_percent(target.deduction_share)} × {pounds(fee)} = {pounds(amount)}."))
        else:
            lines.append(StatementLine(
                f"Performance target met: {target.name} was {_plain(achieved)}% against "
                f"{_plain(target.target_percent)}%; no deduction."))
    cap = money(fee * contract.max_deduction_share)
    if deductions > cap:
        lines.append(StatementLine(
            f"Deductions are capped at {_percent(contract.max_deduction_share)} of the fee: "
            f"{pounds(deductions)} becomes {pounds(cap)}."))
        deductions = cap
    fee_for_service = fee - deductions
    monthly = money(fee_for_service / 12)
    lines.append(StatementLine(
        f"Fee for service: {pounds(fee)} − {pounds(deductions)} deductions = "
        f"{pounds(fee_for_service)}, paid as 12 monthly payments of {pounds(monthly)} in "
        f"arrears.", "fee_for_service", f"{fee_for_service}"))

    pot = money(contract.maximum_annual_payment - year_price)
    lines.append(StatementLine(
        f"The payment-by-results pot is the maximum annual payment less the year's price: "
        f"{pounds(contract.maximum_annual_payment)} − {pounds(year_price)} = {pounds(pot)}.",
        "pbr_pot", f"{pot}"))

    # The binary hurdle, against a target stretched a little further each year.
    places = contract.rate_places

    def _rate(number: Decimal) -> str:
        return _fixed(number, places)

    rate = _round_rate(results.binary_rate, places)
    baseline = contract.baseline_binary_rate
    binary_target = baseline - contract.binary_stretch_points * (year - 1)
    share = rate / HUNDRED
    margin = (Z_95 * (share * (1 - share) / results.cohort_size).sqrt() * HUNDRED).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP)
    below_target = binary_target - rate
    stretch = "" if year == 1 else (
        f" less {_plain(contract.binary_stretch_points)} points of stretch for "
        f"{_later_years(year)}")
    lines.append(StatementLine(
        f"Binary target: the CPA baseline of {_rate(baseline)}% ({contract.baseline_label})"
        f"{stretch} = {_rate(binary_target)}%. The cohort of {results.cohort_size:,} people "
        f"reoffended at {_rate(rate)}%, {_against_target(_rate(below_target))}; natural "
        f"variation at this size is ±{_plain(margin)} points (95%).", "binary_target",
        _rate(binary_target)))
    hurdle = below_target > margin
    binary_payment = frequency_payment = Decimal("0.00")
    frequency_target = max(contract.baseline_frequency
                           - contract.frequency_stretch * (year - 1), Decimal(0))
    avoided = Decimal(0)
    if hurdle:
        binary_payment = money(below_target * contract.binary_price_per_point)
        lines.append(StatementLine(
            f"The binary hurdle is met (significantly below target): {_rate(below_target)} "
            f"points × {pounds(contract.binary_price_per_point)} = {pounds(binary_payment)}.",
            "binary_payment", f"{binary_payment}"))
        frequency = results.frequency_per_reoffender
        avoided = max((frequency_target - frequency) * results.reoffenders, Decimal(0))
        avoided = avoided.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        frequency_payment = money(avoided * contract.frequency_price_per_reoffence)
        lines.append(StatementLine(
            f"Frequency: target {_plain(frequency_target)} reoffences per reoffender, actual "
            f"{_plain(frequency)}; reoffences avoided = ({_plain(frequency_target)} − "
            f"{_plain(frequency)}) × {results.reoffenders:,} reoffenders = {_plain(avoided)} "
            f"(none if negative); × {pounds(contract.frequency_price_per_reoffence)} = "
            f"{pounds(frequency_payment)}.", "frequency_payment", f"{frequency_payment}"))
    else:
        lines.append(StatementLine(
            "The binary hurdle is not met (not significantly below target), so neither the "
            "binary nor the frequency payment is due.", "binary_payment", "0.00"))
    outcome = binary_payment + frequency_payment
    if outcome > pot:
        lines.append(StatementLine(
            f"Payment by results is capped at the pot: {pounds(outcome)} becomes "
            f"{pounds(pot)}."))
        outcome = pot
    lines.append(StatementLine(f"Payment by results: {pounds(outcome)}.", "outcome_payment",
                               f"{outcome}"))

    # Penalties when reoffending rises significantly above the historic baseline.
    rise = rate - baseline
    penalty = Decimal("0.00")
    price = contract.penalty_per_point if contract.penalty_per_point is not None \
        else contract.binary_price_per_point
    if rise > margin:
        penalty = money(rise * price)
        penalty_cap = money(fee_for_service * contract.max_penalty_share)
        capped = ""
        if penalty > penalty_cap:
            capped = (f", capped at {_percent(contract.max_penalty_share)} of the fee for "
                      f"service: {pounds(penalty_cap)}")
            penalty = penalty_cap
        lines.append(StatementLine(
            f"Reoffending rose significantly, {_rate(rise)} points above the baseline: "
            f"penalty {_rate(rise)} × {pounds(price)}{capped} = {pounds(penalty)}.",
            "penalty", f"{penalty}"))
    else:
        lines.append(StatementLine("Reoffending did not rise significantly above the "
                                   "baseline: no penalty.", "penalty", f"{penalty}"))
    termination = rise >= contract.termination_points
    if termination:
        lines.append(StatementLine(
            f"The rise of {_rate(rise)} points reaches the termination point of "
            f"{_plain(contract.termination_points)} points: the contract may be ended."))

    reclaimed = deductions + penalty
    net = outcome - reclaimed
    total = fee_for_service + outcome - penalty
    lines.append(StatementLine(
        f"Total: {pounds(fee_for_service)} fee for service + {pounds(outcome)} payment by "
        f"results − {pounds(penalty)} penalty = {pounds(total)}.", "total_payment", f"{total}"))
    return TRStatement(
        contract, results, year_price, ratio, fee, deductions, fee_for_service, monthly, pot,
        rate, binary_target, baseline - rate, margin, hurdle, binary_payment, frequency_target,
        avoided, frequency_payment, outcome, penalty, termination, reclaimed, net, total,
        tuple(lines))
