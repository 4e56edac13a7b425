"""KPIs as data (COM-3: one definition in every region): the definition language, its
checks, the figure and its RAG rating against the contract's target. Pure Python.

A definition is a small JSON object::

    {"source": "referrals", "kind": "rate", "month": "sent_on",
     "denominator": [{"field": "initial_assessment_on", "op": "recorded"}],
     "numerator": [{"field": "assessment_working_days", "op": "at_most", "value": 5}]}

``source`` names one of :data:`SOURCES` (a table of rows, each with named fields);
``month`` is the date field that places a row in a month; ``denominator`` and
``numerator`` are lists of filters, all of which a row must pass (the numerator's rows are
those of the denominator that also pass the numerator's filters). ``kind`` is ``rate``
(the numerator as a percentage of the denominator), ``count`` (the rows of the numerator)
or ``mean`` (the mean of the number field ``value`` over the denominator's rows).
``better`` says whether a higher or lower figure is better (``higher`` unless given).
Every problem names the field at fault, e.g. ``numerator[0].field``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from omp.rules.bank_holidays import bank_holidays_between
from omp.rules.disclosure import MIN_COUNT, figure_suppression

DATE, NUMBER, TEXT, YES_NO = "date", "number", "text", "yes_no"


@dataclass(frozen=True)
class Field:
    """A field of a source: its type and what it means, in words."""

    kind: str
    words: str
    #: The range a number field's values lie in, where there is one (a feedback score).
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Source:
    """A table KPIs are counted over: what one row is, and its fields. Every row also has
    ``contract`` (the reference of the contract it belongs to)."""

    words: str
    fields: Mapping[str, Field]


SOURCES: dict[str, Source] = {
    "referrals": Source("referrals sent", {
        "sent_on": Field(DATE, "the day the referral was sent"),
        "category": Field(TEXT, "the service category (for example ACC for accommodation)"),
        "complexity": Field(TEXT, "the complexity level (LOW, MEDIUM or HIGH)"),
        "location": Field(TEXT, "where the person was when referred (community or custody)"),
        "keyworker_assigned_on": Field(DATE, "the day a keyworker was assigned"),
        "initial_assessment_on": Field(DATE, "the day the initial assessment was held"),
        "assessment_working_days": Field(
            NUMBER, "working days from the keyworker being assigned to the initial "
                    "assessment"),
        "state": Field(TEXT, "where the referral stands (for example completed, ended_early, "
                             "cancelled, in_delivery)"),
        "ended_on": Field(DATE, "the day the referral was concluded or withdrawn"),
        "sessions_planned": Field(NUMBER, "the sessions in the approved action plan"),
        "sessions_attended": Field(NUMBER, "the sessions the person attended"),
        "desired_outcomes": Field(NUMBER, "the desired outcomes chosen"),
    }),
    "sessions": Source("sessions booked (a session moved counts once, where it went)", {
        "starts_on": Field(DATE, "the day of the session"),
        "category": Field(TEXT, "the service category"),
        "attendance": Field(TEXT, "whether the person came (yes, late or no)"),
        "happened": Field(YES_NO, "whether the session took place"),
        "enforceable": Field(YES_NO, "whether it counts towards the enforceable (RAR) days"),
        "method": Field(TEXT, "how it was delivered (phone, video, probation_office, "
                              "in_person_other)"),
    }),
    "outcomes": Source("support plan actions run through a referral", {
        "area": Field(TEXT, "the needs pathway (for example accommodation, ete, health)"),
        "category": Field(TEXT, "the service category of the referral"),
        "status": Field(TEXT, "how the action stands (not_started, in_progress, achieved, "
                              "dropped)"),
        "due_on": Field(DATE, "the day the action is due"),
        "achieved_on": Field(DATE, "the day a review first found it achieved"),
    }),
    "end_of_service": Source("desired outcomes rated in end-of-service reports", {
        "reported_on": Field(DATE, "the day the end-of-service report was first submitted"),
        "category": Field(TEXT, "the service category of the referral"),
        "achievement": Field(TEXT, "how far the desired outcome was achieved (achieved, "
                                   "partly or not_achieved)"),
        "score": Field(NUMBER, "its part of the achievement score: 1 achieved, 0.5 partly, "
                               "0 not achieved", 0, 1),
    }),
    "feedback": Source("feedback from people on probation", {
        "given_on": Field(DATE, "the day the feedback was given"),
        "category": Field(TEXT, "the service category"),
        "score": Field(NUMBER, "how helpful they found the service, from 1 (not helpful at "
                               "all) to 5 (very helpful)", 1, 5),
    }),
}

KINDS = {"rate": "share", "count": "number", "mean": "mean"}
UNITS = {"rate": "%", "count": "", "mean": ""}
BETTER = ("higher", "lower")

#: Each filter operation: the types it applies to, whether it takes a value (a list for
#: ``in``), and its words.
OPERATIONS: dict[str, tuple[frozenset[str], str, str]] = {
    "equals": (frozenset({TEXT, NUMBER, YES_NO}), "one", "is"),
    "not_equals": (frozenset({TEXT, NUMBER, YES_NO}), "one", "is not"),
    "in": (frozenset({TEXT, NUMBER}), "list", "is one of"),
    "not_in": (frozenset({TEXT, NUMBER}), "list", "is none of"),
    "at_most": (frozenset({NUMBER}), "one", "is at most"),
    "at_least": (frozenset({NUMBER}), "one", "is at least"),
    "less_than": (frozenset({NUMBER}), "one", "is less than"),
    "more_than": (frozenset({NUMBER}), "one", "is more than"),
    "recorded": (frozenset({DATE, NUMBER, TEXT, YES_NO}), "none", "is recorded"),
    "not_recorded": (frozenset({DATE, NUMBER, TEXT, YES_NO}), "none", "is not recorded"),
}


class KpiDefinitionError(ValueError):
    """A definition or target that cannot be used: ``problems`` names each field at fault
    with what is wrong."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems))
        self.problems = problems


@dataclass(frozen=True)
class Filter:
    """One condition a row must pass: ``field`` ``op`` ``value``."""

    field: str
    op: str
    value: Any = None


@dataclass(frozen=True)
class KpiSpec:
    """A checked KPI definition."""

    source: str
    kind: str
    month: str
    denominator: tuple[Filter, ...]
    numerator: tuple[Filter, ...]
    value: str | None = None
    better: str = "higher"

    @property
    def unit(self) -> str:
        """What the figure is in: ``%`` for a rate, nothing for a count or a mean."""
        return UNITS[self.kind]

    @property
    def fields(self) -> Mapping[str, Field]:
        """The source's fields."""
        return SOURCES[self.source].fields


def _value_problem(field: Field, op: str, value: Any) -> str | None:
    takes = OPERATIONS[op][1]
    if takes == "none":
        return None if value is None else f"'{op}' takes no value"
    values = value if takes == "list" else [value]
    if takes == "list" and (not isinstance(value, list) or not value):
        return f"'{op}' needs a list of one or more values"
    for item in values:
        if field.kind == NUMBER and (isinstance(item, bool)
                                     or not isinstance(item, int | float)):
            return f"must be a number, not {item!r}"
        if field.kind == TEXT and not isinstance(item, str):
            return f"must be text, not {item!r}"
        if field.kind == YES_NO and not isinstance(item, bool):
            return f"must be true or false, not {item!r}"
    return None


def _filters(source: Source | None, data: Any, where: str,
             problems: list[tuple[str, str]]) -> tuple[Filter, ...]:
    if data is None:
        return ()
    if not isinstance(data, list):
        problems.append((where, "must be a list of filters"))
        return ()
    found = []
    for index, item in enumerate(data):
        at = f"{where}[{index}]"
        if not isinstance(item, dict):
            problems.append((at, "must be an object with field, op and value"))
            continue
        unknown = set(item) - {"field", "op", "value"}
        if unknown:
            problems.append((at, f"unknown key {sorted(unknown)[0]!r}: a filter has field, "
                                 f"op and value"))
        name, op = item.get("field"), item.get("op")
        field = source.fields.get(name) if source and isinstance(name, str) else None
        if source is not None and field is None:
            problems.append((f"{at}.field", f"unknown field {name!r} of {_source_name(source)}"
                                            f"; the fields are {', '.join(source.fields)}"))
        if op not in OPERATIONS:
            problems.append((f"{at}.op", f"unknown operation {op!r}; the operations are "
                                         f"{', '.join(OPERATIONS)}"))
        elif field is not None:
            if field.kind not in OPERATIONS[op][0]:
                problems.append((f"{at}.op", f"'{op}' does not apply to {name}, a "
                                             f"{field.kind.replace('_', '/')} field"))
            elif (problem := _value_problem(field, op, item.get("value"))) is not None:
                problems.append((f"{at}.value", problem))
        found.append(Filter(str(name), str(op), item.get("value")))
    return tuple(found)


def _source_name(source: Source) -> str:
    return next(name for name, known in SOURCES.items() if known is source)


def parse_definition(data: Any) -> KpiSpec:
    """The definition ``data`` (parsed JSON) checked; raises :class:`KpiDefinitionError`
    naming every field at fault."""
    problems: list[tuple[str, str]] = []
    if not isinstance(data, dict):
        raise KpiDefinitionError([("definition", "must be a JSON object")])
    known = {"source", "kind", "month", "denominator", "numerator", "value", "better",
             "unit"}
    for key in sorted(set(data) - known):
        problems.append((key, f"unknown key; a definition has {', '.join(sorted(known))}"))
    source = SOURCES.get(data.get("source"))  # type: ignore[arg-type]
    if source is None:
        problems.append(("source", f"unknown source {data.get('source')!r}; the sources are "
                                   f"{', '.join(SOURCES)}"))
    kind = data.get("kind")
    if kind not in KINDS:
        problems.append(("kind", f"unknown kind {kind!r}; the kinds are {', '.join(KINDS)}"))
    if "unit" in data and kind in KINDS and data["unit"] != UNITS[str(kind)]:
        problems.append(("unit", f"a {kind} is in {UNITS[str(kind)] or 'no unit'!r}, "
                                 f"not {data['unit']!r}"))
    month = data.get("month")
    if source is not None and (not isinstance(month, str)
                               or source.fields.get(month, Field("", "")).kind != DATE):
        dates = [name for name, f in source.fields.items() if f.kind == DATE]
        problems.append(("month", f"must name a date field of {data['source']}, not "
                                  f"{month!r}; the date fields are {', '.join(dates)}"))
    denominator = _filters(source, data.get("denominator"), "denominator", problems)
    numerator = _filters(source, data.get("numerator"), "numerator", problems)
    if kind == "rate" and not numerator:
        problems.append(("numerator", "a rate needs at least one filter: which rows of the "
                                      "denominator count"))
    value = data.get("value")
    if kind == "mean":
        field = source.fields.get(value) if source and isinstance(value, str) else None
        if field is None or field.kind != NUMBER:
            problems.append(("value", f"a mean needs a number field of the source, not "
                                      f"{value!r}"))
        if numerator:
            problems.append(("numerator", "a mean has no numerator: narrow the rows with "
                                          "the denominator"))
    elif value is not None:
        problems.append(("value", f"only a mean takes a value field, not a {kind}"))
    better = data.get("better", "higher")
    if better not in BETTER:
        problems.append(("better", f"must be higher or lower, not {better!r}"))
    if problems:
        raise KpiDefinitionError(problems)
    return KpiSpec(str(data["source"]), str(kind), str(month), denominator, numerator,
                   value, str(better))


def target_problems(spec: KpiSpec, target: Decimal, amber_margin: Decimal) -> list[
        tuple[str, str]]:
    """What is wrong with a contract's target for this KPI (empty when nothing is): a rate's
    target is a percentage from 0 to 100, a count's at least 0, a mean's within its
    field's range; the amber margin is at least 0."""
    problems = []
    if spec.kind == "rate" and not Decimal(0) <= target <= Decimal(100):
        problems.append(("target", f"a rate's target is a percentage from 0 to 100, not "
                                   f"{target}"))
    elif spec.kind == "count" and target < 0:
        problems.append(("target", f"a count's target is at least 0, not {target}"))
    elif spec.kind == "mean" and spec.value is not None:
        field = spec.fields[spec.value]
        if ((field.low is not None and target < Decimal(str(field.low)))
                or (field.high is not None and target > Decimal(str(field.high)))):
            problems.append(("target", f"a mean {spec.value} lies from {field.low:g} to "
                                       f"{field.high:g}, so the target cannot be {target}"))
    if amber_margin < 0:
        problems.append(("amber_margin", f"must be 0 or more, not {amber_margin}"))
    return problems


def _filter_words(spec: KpiSpec, filters: Iterable[Filter]) -> str:
    parts = []
    for item in filters:
        words = OPERATIONS[item.op][2]
        value = ("" if item.value is None else " " + (", ".join(map(str, item.value))
                 if isinstance(item.value, list) else str(item.value).lower()
                 if isinstance(item.value, bool) else str(item.value)))
        parts.append(f"{spec.fields[item.field].words} {words}{value}")
    return " and ".join(parts)


def describe(spec: KpiSpec) -> str:
    """The definition in plain words, as shown beside the figure."""
    rows = SOURCES[spec.source].words
    month = spec.fields[spec.month].words
    where = _filter_words(spec, spec.denominator)
    among = f"Of the {rows} where {where}" if where else f"Of the {rows}"
    placed = f", counted in the month of {month}"
    if spec.kind == "rate":
        return (f"{among}{placed}: the percentage where "
                f"{_filter_words(spec, spec.numerator)}.")
    if spec.kind == "count":
        which = _filter_words(spec, spec.numerator)
        return f"{among}{placed}: how many" + (f" where {which}." if which else ".")
    assert spec.value is not None
    return f"{among}{placed}: the mean of {spec.fields[spec.value].words}."


#: The operations that compare a field with one value.
COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "equals": operator.eq, "not_equals": operator.ne, "at_most": operator.le,
    "at_least": operator.ge, "less_than": operator.lt, "more_than": operator.gt}


def _matches(item: Filter, row: Mapping[str, Any]) -> bool:
    value = row.get(item.field)
    if item.op == "recorded":
        return value is not None
    if item.op == "not_recorded":
        return value is None
    if value is None:
        return False
    if item.op == "in":
        return value in item.value
    if item.op == "not_in":
        return value not in item.value
    return bool(COMPARISONS[item.op](value, item.value))


def passes(filters: Sequence[Filter], row: Mapping[str, Any]) -> bool:
    """Whether the row passes every filter (a filter on a field not recorded fails, but for
    ``not_recorded``)."""
    return all(_matches(item, row) for item in filters)


@dataclass(frozen=True)
class Tally:
    """What a KPI counted for one contract and month: the denominator's rows, the
    numerator's rows, and for a mean the sum of the values and how many there were."""

    denominator: int = 0
    numerator: int = 0
    total: float = 0.0
    values: int = 0


def tally(spec: KpiSpec, rows: Iterable[Mapping[str, Any]]) -> Tally:
    """The KPI's counts over rows already narrowed to one contract and month (the one
    evaluator in plain Python; the engines compute the same counts in bulk)."""
    denominator = numerator = values = 0
    total = 0.0
    for row in rows:
        if not passes(spec.denominator, row):
            continue
        denominator += 1
        if spec.kind != "mean" and passes(spec.numerator, row):
            numerator += 1
        if spec.kind == "mean" and spec.value and row.get(spec.value) is not None:
            values += 1
            total += float(row[spec.value])
    return Tally(denominator, numerator, total, values)


#: The figure is given to one decimal place.
PLACES = Decimal("0.1")


@dataclass(frozen=True)
class Figure:
    """A KPI's figure for a month, or why there is none (``no_data``)."""

    value: Decimal | None
    no_data: str = ""


def figure(spec: KpiSpec, counts: Tally) -> Figure:
    """The KPI's figure from its counts: an empty denominator (or a mean with no values) is
    "no data", never a division by zero; a count of nothing is 0."""
    if spec.kind == "count":
        return Figure(Decimal(counts.numerator))
    if spec.kind == "rate":
        if counts.denominator == 0:
            return Figure(None, f"No data: no {SOURCES[spec.source].words} in the month")
        share = Decimal(counts.numerator) * 100 / Decimal(counts.denominator)
        return Figure(share.quantize(PLACES, rounding=ROUND_HALF_UP))
    if counts.values == 0:
        return Figure(None, f"No data: no {spec.fields[str(spec.value)].words} recorded in "
                            f"the month")
    mean = Decimal(repr(counts.total)) / Decimal(counts.values)
    return Figure(mean.quantize(PLACES, rounding=ROUND_HALF_UP))


GREEN, AMBER, RED = "green", "amber", "red"
RAG_WORDS = {GREEN: "On target", AMBER: "Just below target", RED: "Below target"}


def rag(value: Decimal | None, target: Decimal, amber_margin: Decimal,
        better: str = "higher") -> str | None:
    """The RAG rating of a figure against its target: green when it meets the target, amber
    when it misses by no more than the amber margin, red beyond; ``None`` without a figure.
    Where lower is better, the margin lies above the target."""
    if value is None:
        return None
    gap = value - target if better == "higher" else target - value
    if gap >= 0:
        return GREEN
    return AMBER if -gap <= amber_margin else RED


def suppression(spec: KpiSpec, counts: Tally, threshold: int = MIN_COUNT) -> str | None:
    """COM-4: why the figure may not be shown to a role without case access, or ``None``."""
    if spec.kind == "rate":
        return figure_suppression(counts.denominator, counts.numerator, threshold)
    if spec.kind == "count":
        return figure_suppression(counts.numerator, None, threshold)
    return figure_suppression(counts.values, None, threshold)


def working_days(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``: Monday to Friday, less the
    England and Wales bank holidays (``rules.bank_holidays``, held for 2024 to 2028). 0 on
    the same day, 1 on the next working day; negative when ``end`` is before ``start``."""
    if end < start:
        return -working_days(end, start)
    whole_weeks, rest = divmod((end - start).days, 7)
    days = whole_weeks * 5
    for offset in range(1, rest + 1):
        if (start + timedelta(days=offset)).weekday() < 5:
            days += 1
    return days - sum(1 for day in bank_holidays_between(start, end) if day.weekday() < 5)


def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)
