"""A small expression language for rule tables: written once, run two ways (DESIGN.md).

A rule family's conditions, values and explanations are written as :class:`Expr` trees over
named facts. Each tree compiles to Python source (the per-case evaluator: the case page, a
change, the nightly run) and to DuckDB SQL (the column evaluator: ``decide`` over a whole
file), so neither evaluator holds a copy of a rule.

The meaning is the same in both languages:

- a value may be missing (``None`` / ``NULL``); a comparison with a missing value is false,
  never missing, so every condition is true or false, and ``not_`` of it is well defined;
- arithmetic and text are only applied to values a condition has shown to be present (the
  rule tables guard them with :func:`when`); the tests run every node both ways.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any


class Expr:
    """One node of an expression; :meth:`py` and :meth:`sql` give its source in each
    language (``py`` over local variables named as the facts, ``sql`` over columns)."""

    def py(self) -> str:
        """Python source."""
        raise NotImplementedError

    def sql(self) -> str:
        """DuckDB SQL source."""
        raise NotImplementedError

    def facts(self) -> set[str]:
        """The names of the facts this expression reads."""
        return set().union(*(child.facts() for child in self.children()))

    def children(self) -> Iterable[Expr]:
        """The sub-expressions."""
        return ()


@dataclass(frozen=True)
class Fact(Expr):
    """A named fact: a local variable in Python, a column in SQL."""

    name: str

    def py(self) -> str:
        return self.name

    def sql(self) -> str:
        return f'"{self.name}"'

    def facts(self) -> set[str]:
        return {self.name}


@dataclass(frozen=True)
class Var(Expr):
    """The element variable of a list operation (:func:`keep`, :func:`each`)."""

    name: str

    def py(self) -> str:
        return f"_{self.name}"

    def sql(self) -> str:
        # DuckDB counts list places from 1 (``_n``); the rules count from 0.
        return "(_n - 1)" if self.name == "i" else f"_{self.name}"


def _sql_literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return f"CAST('{value}' AS DECIMAL(18, 6))"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    raise TypeError(f"no SQL literal for {value!r}")


def _py_literal(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"_Decimal({str(value)!r})"
    if isinstance(value, date):
        return f"_date({value.year}, {value.month}, {value.day})"
    return repr(value)


@dataclass(frozen=True)
class Lit(Expr):
    """A constant."""

    value: Any

    def py(self) -> str:
        return _py_literal(self.value)

    def sql(self) -> str:
        return _sql_literal(self.value)


def fact(name: str) -> Fact:
    """The fact called ``name``."""
    return Fact(name)


def lit(value: Any) -> Lit:
    """A constant: text, a whole number, a decimal, a date, true/false or missing."""
    return Lit(value)


def _expr(value: Expr | Any) -> Expr:
    return value if isinstance(value, Expr) else Lit(value)


@dataclass(frozen=True)
class Call(Expr):
    """An operation: ``name`` picks the Python and SQL templates below."""

    name: str
    args: tuple[Expr, ...]
    extra: tuple[Any, ...] = ()

    def children(self) -> Iterable[Expr]:
        return self.args

    def py(self) -> str:
        return _PY[self.name](self, *(a.py() for a in self.args))

    def sql(self) -> str:
        return _SQL[self.name](self, *(a.sql() for a in self.args))


def _call(name: str, *args: Expr | Any, extra: tuple[Any, ...] = ()) -> Call:
    return Call(name, tuple(_expr(a) for a in args), extra)


# --- the operations ---------------------------------------------------------------------

def is_null(value: Expr) -> Expr:
    """True when ``value`` is missing."""
    return _call("is_null", value)


def present(value: Expr) -> Expr:
    """True when ``value`` is recorded."""
    return _call("present", value)


def eq(left: Expr | Any, right: Expr | Any) -> Expr:
    """Equal, and both present."""
    return _call("compare", left, right, extra=("==", "="))


def ne(left: Expr | Any, right: Expr | Any) -> Expr:
    """Different, and both present."""
    return _call("compare", left, right, extra=("!=", "<>"))


def ge(left: Expr | Any, right: Expr | Any) -> Expr:
    """At least, and both present."""
    return _call("compare", left, right, extra=(">=", ">="))


def le(left: Expr | Any, right: Expr | Any) -> Expr:
    """At most, and both present."""
    return _call("compare", left, right, extra=("<=", "<="))


def lt(left: Expr | Any, right: Expr | Any) -> Expr:
    """Less than, and both present."""
    return _call("compare", left, right, extra=("<", "<"))


def one_of(value: Expr, choices: Iterable[Any]) -> Expr:
    """``value`` is present and one of ``choices``."""
    return _call("one_of", value, extra=(tuple(choices),))


def all_(*conditions: Expr) -> Expr:
    """Every condition holds."""
    return _call("all", *conditions)


def any_(*conditions: Expr) -> Expr:
    """At least one condition holds."""
    return _call("any", *conditions)


def not_(condition: Expr) -> Expr:
    """The condition does not hold."""
    return _call("not", condition)


def when(condition: Expr, then: Expr | Any, otherwise: Expr | Any = None) -> Expr:
    """``then`` where the condition holds, else ``otherwise``."""
    return _call("when", condition, then, otherwise)


def add(*values: Expr | Any) -> Expr:
    """The sum of whole numbers (each present)."""
    return _call("add", *values)


def sub(left: Expr | Any, right: Expr | Any) -> Expr:
    """``left`` minus ``right`` (both present)."""
    return _call("sub", left, right)


def least(left: Expr | Any, right: Expr | Any) -> Expr:
    """The smaller of two present numbers."""
    return _call("least", left, right)


def text(*parts: Expr | str) -> Expr:
    """Words joined from text parts (each present)."""
    return _call("text", *parts)


@dataclass(frozen=True)
class NumberText(Expr):
    """A decimal fact written as it was recorded (``6.9``, ``12``): in SQL the column
    ``<name>__text`` carries that text beside the number."""

    value: Fact

    def py(self) -> str:
        return f"str({self.value.py()})"

    def sql(self) -> str:
        return f'"{self.value.name}__text"'

    def facts(self) -> set[str]:
        return {self.value.name}


def number_text(value: Fact) -> Expr:
    """A decimal fact written as recorded (``6.9``, ``12``)."""
    return NumberText(value)


@dataclass(frozen=True)
class Attribute(Expr):
    """A named part of a list element (an offence's ``code``)."""

    of: Var
    name: str

    def py(self) -> str:
        return f"{self.of.py()}.{self.name}"

    def sql(self) -> str:
        return f"{self.of.sql()}.{self.name}"


def part(of: Var, name: str) -> Expr:
    """The part ``name`` of a list element."""
    return Attribute(of, name)


def upper(value: Expr) -> Expr:
    """Text in upper case."""
    return _call("upper", value)


def all_digits(value: Expr) -> Expr:
    """The text is present and made of digits only."""
    return _call("all_digits", value)


def tens_of(value: Expr) -> Expr:
    """A present number divided by ten, rounded down to a whole number."""
    return _call("tens_of", value)


def day_words(day: Expr) -> Expr:
    """A date as the reasons write it: ``1 March 2027``."""
    return _call("day_words", day)


def iso_day(day: Expr) -> Expr:
    """A date as ``YYYY-MM-DD`` (missing stays missing)."""
    return _call("iso_day", day)


def words_of(value: Expr) -> Expr:
    """``VERY_HIGH`` as ``very high``."""
    return _call("words_of", value)


def capitalised(value: Expr) -> Expr:
    """The first letter upper case, the rest lower case (``Custodial``)."""
    return _call("capitalised", value)


def first_letter(value: Expr) -> Expr:
    """The first character of a text."""
    return _call("first_letter", value)


def after_first(value: Expr) -> Expr:
    """The text after its first character."""
    return _call("after_first", value)


def to_int(value: Expr) -> Expr:
    """A text of digits as a whole number."""
    return _call("to_int", value)


def int_text(value: Expr) -> Expr:
    """A whole number as text."""
    return _call("int_text", value)


def element() -> Var:
    """The element of the list an item row runs over (``Item.each``)."""
    return Var("x")


def position() -> Var:
    """The place of that element, from 0."""
    return Var("i")


def keep(items: Expr, condition: Callable[[Var], Expr]) -> Expr:
    """The elements of a list for which ``condition`` holds, in order."""
    var = Var("x")
    return _call("keep", items, condition(var))


def each(items: Expr, value: Callable[[Var], Expr]) -> Expr:
    """``value`` of each element of a list, in order."""
    var = Var("x")
    return _call("each", items, value(var))


def joined(items: Expr, separator: str) -> Expr:
    """The texts of a list joined with ``separator``."""
    return _call("joined", items, extra=(separator,))


def has(items: Expr, value: Any) -> Expr:
    """The list holds ``value``."""
    return _call("has", items, value)


def is_empty(items: Expr) -> Expr:
    """The list is missing or has no element."""
    return _call("is_empty", items)


def count_distinct_in(items: Expr, choices: Iterable[str]) -> Expr:
    """How many distinct values of ``choices`` the list holds."""
    return _call("count_in", items, extra=(tuple(sorted(choices)),))


def lower_stripped(value: Expr) -> Expr:
    """Text without surrounding spaces, in lower case."""
    return _call("lower_stripped", value)


def always() -> Expr:
    """A condition that always holds (the last row of a decision tree)."""
    return Lit(True)


def duration_words(length: Expr) -> Expr:
    """An ISO 8601 sentence length in words: ``P2Y6M`` as "2 years 6 months"."""
    return _call("duration_words", length)


def months_reached(length: Expr, start: Expr, months: int) -> Expr:
    """An ISO 8601 ``length`` counted from ``start`` reaches at least the same day
    ``months`` calendar months later (both present; see :mod:`omp.rules.durations`)."""
    return _call("months_reached", length, start, extra=(months,))


def months_before(day: Expr, months: int, days: int = 0) -> Expr:
    """A present date less calendar ``months`` (clamped to the month's end), then less
    ``days`` (HANDOVER.md §1.4)."""
    return _call("months_before", day, extra=(months, days))


def months_after(day: Expr, months: int) -> Expr:
    """A present date plus calendar ``months``, clamped to the month's end."""
    return _call("months_after", day, extra=(months,))


def first_of(*rows: tuple[Expr, Expr | Any], otherwise: Expr | Any = None) -> Expr:
    """The value of the first row whose condition holds (a decision tree's column), else
    ``otherwise``."""
    result = _expr(otherwise)
    for condition, value in reversed(rows):
        result = when(condition, value, result)
    return result


def lookup(value: Expr, table: dict[Any, Any]) -> Expr:
    """The entry of ``table`` for a present ``value`` (missing when it has none)."""
    return _call("lookup", value, extra=(tuple(table.items()),))


def _tuple_py(values: tuple[Any, ...]) -> str:
    return "(" + "".join(f"{_py_literal(v)}, " for v in values) + ")"


def _py_compare(call: Call, left: str, right: str) -> str:
    # A constant is never missing: only the other side needs the check.
    checks = [f"{source} is not None" for source, node in ((left, call.args[0]),
                                                          (right, call.args[1]))
              if not isinstance(node, Lit)]
    return "(" + " and ".join([*checks, f"{left} {call.extra[0]} {right}"]) + ")"


_PY: dict[str, Callable[..., str]] = {
    "is_null": lambda c, v: f"({v} is None)",
    "present": lambda c, v: f"({v} is not None)",
    "compare": lambda c, a, b: _py_compare(c, a, b),
    "one_of": lambda c, v: f"({v} in {_tuple_py(c.extra[0])})",
    "all": lambda c, *xs: "(" + " and ".join(xs) + ")",
    "any": lambda c, *xs: "(" + " or ".join(xs) + ")",
    "not": lambda c, x: f"(not {x})",
    "when": lambda c, x, a, b: f"({a} if {x} else {b})",
    "add": lambda c, *xs: "(" + " + ".join(xs) + ")",
    "sub": lambda c, a, b: f"({a} - {b})",
    "least": lambda c, a, b: f"min({a}, {b})",
    "text": lambda c, *xs: "''.join((" + "".join(f"{x}, " for x in xs) + "))",
    "upper": lambda c, v: f"{v}.upper()",
    "all_digits": lambda c, v: f"({v} is not None and {v}.isdigit())",
    "tens_of": lambda c, v: f"_floor({v} / 10)",
    "day_words": lambda c, v: f"_day_words({v})",
    "iso_day": lambda c, v: f"(None if {v} is None else {v}.isoformat())",
    "words_of": lambda c, v: f"{v}.replace('_', ' ').lower()",
    "capitalised": lambda c, v: f"{v}.capitalize()",
    "first_letter": lambda c, v: f"{v}[:1]",
    "after_first": lambda c, v: f"{v}[1:]",
    "to_int": lambda c, v: f"int({v})",
    "int_text": lambda c, v: f"str({v})",
    "keep": lambda c, items, cond: f"[_x for _x in ({items} or ()) if {cond}]",
    "each": lambda c, items, value: f"[{value} for _x in ({items} or ())]",
    "joined": lambda c, items: f"{c.extra[0]!r}.join({items})",
    "has": lambda c, items, v: f"({v} in ({items} or ()))",
    "is_empty": lambda c, items: f"(not {items})",
    "count_in": lambda c, items: f"len(frozenset({_tuple_py(c.extra[0])}).intersection("
                                 f"{items} or ()))",
    "lower_stripped": lambda c, v: f"{v}.strip().lower()",
    "months_reached": lambda c, length, start: f"_at_least_months({length}, {start}, "
                                               f"{c.extra[0]})",
    "duration_words": lambda c, length: f"_duration_words({length})",
    "months_before": lambda c, v: f"(_shift_months({v}, -{c.extra[0]})"
                                  + (f" - _timedelta(days={c.extra[1]}))" if c.extra[1] else ")"),
    "months_after": lambda c, v: f"_shift_months({v}, {c.extra[0]})",
    "lookup": lambda c, v: "{" + "".join(f"{_py_literal(k)}: {_py_literal(x)}, "
                                         for k, x in c.extra[0]) + f"}}.get({v})",
}


def _sql_tuple(values: tuple[Any, ...]) -> str:
    return ", ".join(_sql_literal(v) for v in values)


def _months_sql(call: Call, length: str, start: str) -> str:
    # The same calendar arithmetic as durations.Duration.added_to: years and months first
    # (DuckDB clamps a month's end as shift_months does), then weeks and days.
    def part(unit: str) -> str:
        return (f"coalesce(TRY_CAST(nullif(regexp_extract(upper(trim({length})), "
                f"'(\\d+){unit}', 1), '') AS BIGINT), 0)")

    reached = (f"(CAST({start} AS DATE) + to_months(CAST({part('Y')} * 12 + {part('M')} AS "
               f"INTEGER)) + to_days(CAST({part('W')} * 7 + {part('D')} AS INTEGER)))")
    return f"({reached} >= CAST({start} AS DATE) + to_months({call.extra[0]}))"


def _duration_words_sql(length: str) -> str:
    # As durations.duration_words: each number and unit of the upper-case text in words,
    # "1" singular, the text itself when it holds none.
    units = ("CASE right(_p, 1) WHEN 'Y' THEN 'year' WHEN 'M' THEN 'month' WHEN 'W' THEN "
             "'week' ELSE 'day' END")
    words = (f"array_to_string(list_transform(regexp_extract_all(upper({length}), "
             f"'[0-9]+[YMWD]'), lambda _p: concat(_p[:-2], ' ', {units}, CASE WHEN _p[:-2] "
             "= '1' THEN '' ELSE 's' END)), ' ')")
    return f"coalesce(nullif({words}, ''), {length})"


_SQL: dict[str, Callable[..., str]] = {
    "is_null": lambda c, v: f"({v} IS NULL)",
    "present": lambda c, v: f"({v} IS NOT NULL)",
    "compare": lambda c, a, b: f"coalesce({a} {c.extra[1]} {b}, FALSE)",
    "one_of": lambda c, v: f"coalesce({v} IN ({_sql_tuple(c.extra[0])}), FALSE)",
    "all": lambda c, *xs: "(" + " AND ".join(xs) + ")",
    "any": lambda c, *xs: "(" + " OR ".join(xs) + ")",
    "not": lambda c, x: f"(NOT {x})",
    "when": lambda c, x, a, b: f"(CASE WHEN {x} THEN {a} ELSE {b} END)",
    "add": lambda c, *xs: "(" + " + ".join(xs) + ")",
    "sub": lambda c, a, b: f"({a} - {b})",
    "least": lambda c, a, b: f"least({a}, {b})",
    "text": lambda c, *xs: "concat(" + ", ".join(xs) + ")",
    "upper": lambda c, v: f"upper({v})",
    "all_digits": lambda c, v: f"coalesce(regexp_full_match({v}, '[0-9]+'), FALSE)",
    "tens_of": lambda c, v: f"CAST(floor({v} / 10) AS INTEGER)",
    "day_words": lambda c, v: f"strftime({v}, '%-d %B %Y')",
    "iso_day": lambda c, v: f"strftime({v}, '%Y-%m-%d')",
    "words_of": lambda c, v: f"lower(replace({v}, '_', ' '))",
    "capitalised": lambda c, v: f"concat(upper({v}[1]), lower({v}[2:]))",
    "first_letter": lambda c, v: f"{v}[1]",
    "after_first": lambda c, v: f"{v}[2:]",
    "to_int": lambda c, v: f"CAST({v} AS INTEGER)",
    "int_text": lambda c, v: f"CAST({v} AS VARCHAR)",
    "keep": lambda c, items, cond: f"list_filter(coalesce({items}, []), lambda _x: {cond})",
    "each": lambda c, items, value: f"list_transform(coalesce({items}, []), lambda _x: {value})",
    "joined": lambda c, items: f"array_to_string({items}, {_sql_literal(c.extra[0])})",
    "has": lambda c, items, v: f"coalesce(list_contains({items}, {v}), FALSE)",
    "is_empty": lambda c, items: f"(coalesce(len({items}), 0) = 0)",
    "count_in": lambda c, items: f"coalesce(len(list_distinct(list_filter({items}, "
                                 f"lambda _y: _y IN ({_sql_tuple(c.extra[0])})))), 0)",
    "lower_stripped": lambda c, v: f"lower(trim({v}))",
    "months_reached": _months_sql,
    "duration_words": lambda c, length: _duration_words_sql(length),
    # A date less an interval is a timestamp in DuckDB, which clamps a month's end as
    # shift_months does; the days are taken off the date.
    "months_before": lambda c, v: f"(CAST({v} - to_months({c.extra[0]}) AS DATE)"
                                  + (f" - {c.extra[1]})" if c.extra[1] else ")"),
    "months_after": lambda c, v: f"CAST({v} + to_months({c.extra[0]}) AS DATE)",
    "lookup": lambda c, v: f"(CASE {v} " + " ".join(
        f"WHEN {_sql_literal(k)} THEN {_sql_literal(x)}" for k, x in c.extra[0]) + " END)",
}


def python_names() -> dict[str, Any]:
    """What the compiled Python source may call."""
    from omp.rules.durations import at_least_months, shift_months
    from omp.rules.durations import day_words as words
    from omp.rules.durations import duration_words as length_words

    return {"_Decimal": Decimal, "_date": date, "_day_words": words, "_floor": math.floor,
            "_at_least_months": at_least_months, "_duration_words": length_words,
            "_shift_months": shift_months, "_timedelta": timedelta}


# --- a rule family: derived facts, then the items its rules give ------------------------


@dataclass(frozen=True)
class Item:
    """One row of a rule table: when ``condition`` holds, the rule gives an item of
    ``kind`` (a reason that held, or a criterion that could not be evaluated), naming the
    field, the value and the date it came from, with the words of its explanation."""

    rule: str
    kind: str
    field: Expr | str
    condition: Expr
    explanation: Expr
    value: Expr | Any = None
    date: Expr | Any = None
    #: A list: the row then gives one item for each element (the element is ``element()``
    #: and its place from 0 ``position()``) for which the condition holds.
    each: Expr | None = None
    #: What the row decides, a constant (a pathway's number), where the table decides one.
    outcome: Any = None

    def parts(self) -> tuple[Expr, ...]:
        """The expressions of the row, in the order the evaluators give them."""
        return (lit(self.rule), lit(self.kind), _expr(self.field), _expr(self.value),
                _expr(self.date), self.explanation, lit(self.outcome))


@dataclass(frozen=True)
class Family:
    """A rule family: its input facts, its derived facts (each may read the ones before),
    and its ordered table of items."""

    name: str
    inputs: tuple[str, ...]
    derived: tuple[tuple[str, Expr], ...] = ()
    items: tuple[Item, ...] = ()
    outputs: tuple[str, ...] = ()
    #: Only the first row whose condition holds gives an item (a decision tree), rather
    #: than every such row (a list of criteria).
    first_match: bool = False

    def python_source(self) -> str:
        """One function taking the inputs, returning the outputs and then the items, each
        as ``(rule, kind, field, value, date, explanation)``."""
        lines = [f"def {self.name}({', '.join(self.inputs)}):"]
        for name, expr in self.derived:
            lines.append(f"    {name} = {expr.py()}")
        lines.append("    _items = []")
        for index, item in enumerate(self.items):
            row = ", ".join(part.py() for part in item.parts())
            if self.first_match:
                if item.each is not None:
                    raise ValueError(f"{self.name}: a decision tree's row cannot run over a list")
                lines.append(f"    {'elif' if index else 'if'} {item.condition.py()}:")
                lines.append(f"        _items.append(({row}))")
            elif item.each is None:
                lines.append(f"    if {item.condition.py()}:")
                lines.append(f"        _items.append(({row}))")
            else:
                lines.append(f"    for _i, _x in enumerate({item.each.py()} or ()):")
                lines.append(f"        if {item.condition.py()}:")
                lines.append(f"            _items.append(({row}))")
        lines.append(f"    return ({''.join(o + ', ' for o in self.outputs)}_items,)")
        return "\n".join(lines) + "\n"

    def compile(self) -> Callable[..., tuple[Any, ...]]:
        """The per-case evaluator: the compiled Python function."""
        names = python_names()
        exec(compile(self.python_source(), f"<rule family {self.name}>", "exec"), names)  # noqa: S102 - source built from the rule table, never from input
        function: Callable[..., tuple[Any, ...]] = names[self.name]
        return function

    def sql_steps(self) -> list[list[tuple[str, str]]]:
        """The column evaluator's derived facts: projections to add in turn to a relation
        holding the inputs, each step reading only the columns of the steps before."""
        steps: list[list[tuple[str, str]]] = []
        done: set[str] = set(self.inputs)
        current: list[tuple[str, str]] = []
        for name, expr in self.derived:
            if expr.facts() - done:
                steps.append(current)
                done.update(n for n, _ in current)
                current = []
            current.append((name, expr.sql()))
        steps.append(current)
        return [step for step in steps if step]

    def sql_over(self, source: str) -> str:
        """A query adding the derived facts, step by step, to the relation ``source`` (a
        query holding the inputs)."""
        for step in self.sql_steps():
            source = (f"SELECT *, {', '.join(f'{sql} AS {name}' for name, sql in step)} "
                      f"FROM ({source})")
        return source

    def sql_first(self) -> str:
        """A decision tree's column evaluator: the first row whose condition holds, as a
        struct of its parts (``NULL`` when none does)."""
        return "CASE " + " ".join(f"WHEN {row.condition} THEN {_struct(row)}"
                                  for row in self.sql_items()) + " END"

    def sql_matches(self) -> str:
        """A list of criteria's column evaluator: every row whose condition holds, in table
        order, as structs of their parts (rows without ``each``)."""
        rows = [f"CASE WHEN {row.condition} THEN {_struct(row)} END" for row in self.sql_items()
                if row.each is None]
        return f"list_filter([{', '.join(rows)}], lambda _r: _r IS NOT NULL)"

    def sql_items(self) -> list[SqlItem]:
        """The column evaluator's table: each row's condition and parts as SQL over the
        relation the steps built (a row with ``each`` is evaluated per element, inside a
        ``lambda _x, _n`` over the list)."""
        return [SqlItem(item, item.condition.sql(), tuple(p.sql() for p in item.parts()),
                        item.each.sql() if item.each is not None else None)
                for item in self.items]


def _struct(row: SqlItem) -> str:
    names = ("rule", "kind", "field", "value", "date", "explanation", "outcome")
    parts = dict(zip(names, row.parts, strict=True))
    parts["value"] = f"to_json({parts['value']})"
    parts["field"] = f"CAST({parts['field']} AS VARCHAR)"
    parts["date"] = f"CAST({parts['date']} AS DATE)"
    parts["outcome"] = f"to_json({parts['outcome']})"
    return "struct_pack(" + ", ".join(f"{name} := {sql}" for name, sql in parts.items()) + ")"


@dataclass(frozen=True)
class SqlItem:
    """One row of a rule table in SQL: the row, its condition, its parts (rule, kind,
    field, value, date, explanation, outcome) and the list it runs over, if any."""

    item: Item
    condition: str
    parts: tuple[str, ...]
    each: str | None
