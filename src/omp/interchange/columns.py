"""``decide`` over columns: a block of input lines decided at once in DuckDB.

The rule families are the tables of :mod:`omp.rules.tier`, :mod:`omp.rules.allocation`,
:mod:`omp.rules.handover_tables` (the handover of every era, the POM type),
:mod:`omp.rules.pathway` and the custody date checks of :mod:`omp.rules.handover`, compiled
to SQL by :mod:`omp.rules.expressions`: the same definitions the per-case path compiles to
Python. This path takes only the lines it can read strictly — every field in its plain
form, nothing the per-case reader would normalise, warn about or refuse —, in custody or
not, under any handover era. Every other line is left to the per-case
path, which decides it exactly as before, so a line's decision never depends on which path
took it (the tests prove both give the same).
"""

from __future__ import annotations

import json
import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import accumulate
from typing import Any

from omp.interchange.schema import CUSTODY_DATES, CUSTODY_FLAGS, PDU_PROVIDERS
from omp.rules.allocation import ALLOCATED, ALLOCATION_FAMILY, RETAINED
from omp.rules.expressions import Expr, Lit, SqlItem
from omp.rules.handover import DATE_CHECKS
from omp.rules.handover_tables import ERA_FAMILIES, POM_TYPE_FAMILY
from omp.rules.pathway import PATHWAY_FAMILY
from omp.rules.policy import (
    ALLOCATION_CRITERIA,
    BUILT_IN_VERSIONS,
    PolicyError,
    policy_in_force,
    policy_named,
)
from omp.rules.tier import TIER_FAMILY

#: Text in a JSON string that means the same in both languages: printable ASCII, no quote
#: and no backslash (so no escapes), where upper and lower case and trimming agree.
_PLAIN = "[ !#-\\[\\]-~]"
#: Any text without escapes or control characters (a name, an e-mail address).
_ANY = '[^"\\\\\\x00-\\x1f]'
#: Dates inside the accepted range's years (omp.rules.inputs: 1900-01-01 to 2199-12-31).
_DATE = '"(19|20|21)[0-9][0-9]-[0-9][0-9]-[0-9][0-9]"'
#: A number as both Python and DuckDB write it back, up to 100 with six decimals at most.
_NUMBER = "[0-9]{1,3}(\\.[0-9]{1,6})?"
#: Sentence lengths certainly under the longest sentence (200 years).
_LENGTH = '"P([0-9]{1,2}Y)?([0-9]{1,3}M)?([0-9]{1,3}W)?([0-9]{1,4}D)?"'
#: A ``null`` as the column path reads it (see :func:`prepared`).
_NULL = "-7e-77"
#: How a decision with no warnings ends.
_NO_WARNINGS = b'"warnings":[]}'
#: An offence exactly as the interchange format writes it, its fields in that order.
_OFFENCE = (f'\\{{"code":"{_PLAIN}{{1,10}}"(,"description":("{_ANY}{{1,200}}"|{_NULL}))?'
            f'(,"schedule_15":("violent"|"sexual"|"none"|{_NULL}))?\\}}')


_TRUE_FALSE = ("true", "false")


def _strings(longest: int) -> str:
    return f'\\[("{_PLAIN}{{1,{longest}}}"(,"{_PLAIN}{{1,{longest}}}")*)?\\]'


def _choices(*choices: str) -> tuple[str, ...]:
    """The JSON texts of the strings ``choices`` (checked by equality, cheaper than a
    pattern)."""
    return tuple(f'"{choice}"' for choice in choices)


def _text(longest: int, chars: str = _PLAIN) -> str:
    return f'"{chars}{{1,{longest}}}"'


#: Every field the column path reads, by JSON path, with the pattern its JSON text must
#: match, or the JSON texts it may be (cheaper to check); an absent field or ``null``
#: always may. Then whether the text holds quotes other than a string's own two (then they
#: are counted).
_FIELDS: dict[str, tuple[str | tuple[str, ...], str]] = {
    "case_ref": (f'"[!#-\\[\\]-~]{_PLAIN}{{0,19}}"', "text"),
    "as_of": (_DATE, "text"),
    "person.date_of_birth": (_DATE, "text"),
    "person.sex": (_choices("M", "F", "X"), "text"),
    "person.nationalities": (_strings(60), "quoted"),
    "probation.pdu_code": (_text(10), "text"),
    "probation.com_name": (_text(100, _ANY), "text"),
    "probation.com_email": (_text(254, _ANY), "text"),
    "probation.provider_code": (_text(200), "text"),
    "probation.country": (_choices("England", "Wales"), "text"),
    "probation.region_code": (_text(10), "text"),
    "risk.tier": (_choices(*(f"{letter}{change}" for letter in "ABCD"
                             for change in ("", "0", "1", "2", "3"))), "text"),
    "risk.rosh": (_choices("LOW", "MEDIUM", "HIGH", "VERY_HIGH"), "text"),
    "risk.rsr_percent": (_NUMBER, "bare"),
    "risk.osp": (_text(10, _ANY), "text"),
    "risk.ogrs3_2yr_percent": (_NUMBER, "bare"),
    "risk.mappa_level": (("0", "1", "2", "3"), "bare"),
    "risk.mappa_category": (("1", "2", "3", "4"), "bare"),
    "risk.registrations": (_strings(10), "quoted"),
    "event.offences": (f"\\[({_OFFENCE}(,{_OFFENCE})*)?\\]", "quoted"),
    "event.sentence.kind": (_choices("custodial", "community", "suspended"), "text"),
    "event.sentence.date": (_DATE, "text"),
    "event.sentence.length": (_LENGTH, "text"),
    **{f"event.sentence.{flag}": (_TRUE_FALSE, "bare") for flag in (
        "indeterminate", "ipp", "breach_of_court_order", "time_served")},
    **{f"custody.{name}": (_DATE, "text") for name in CUSTODY_DATES},
    **{f"custody.{name}": (_TRUE_FALSE, "bare") for name in CUSTODY_FLAGS},
    "custody.prison_code": (_text(5), "text"),
    "custody.category": (_text(2), "text"),
    "resourcing": (_choices("ENHANCED", "NORMAL"), "text"),
}


def _column(path: str, suffix: str = "") -> str:
    return '"' + path.replace(".", "__") + suffix + '"'


def _structure(paths: Sequence[str]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path in paths:
        *sections, name = path.split(".")
        node = tree
        for section in sections:
            node = node.setdefault(section, {})
        node[name] = "JSON"
    return tree


_TREE = _structure(list(_FIELDS))


def _sections(tree: dict[str, Any]) -> list[str]:
    return [name for name, node in tree.items() if isinstance(node, dict)
            for name in (name, *_sections(node))]


#: The top-level sections the per-case reader takes as absent when written ``{}`` (an empty
#: ``custody`` is a case in custody, and an empty ``event.sentence`` a sentence of nothing
#: known, so those two are not).
_EMPTY_AS_ABSENT = ("person", "probation", "risk", "event")


_SECTIONS = frozenset(name.encode() for name in _sections(_TREE))
_ABSENT_WHEN_EMPTY = frozenset(name.encode() for name in _EMPTY_AS_ABSENT)
_MEMBER_NULL = b'":null'
_NULL_BYTES = _NULL.encode()
_MEMBER_NULL_READ = b'":' + _NULL_BYTES
#: A section written as ``null`` once rewritten, or as ``{}``.
_SECTION_ABSENT = re.compile(re.escape(_MEMBER_NULL_READ) + rb"|\":\{\}")
#: Longest section name with its opening quote: how far back a member's name is looked for.
_LONGEST_SECTION = max(map(len, _SECTIONS)) + 1


@dataclass
class Prepared:
    """A block's lines as the engine reads them: one buffer with each member's ``null``
    written as :data:`_NULL` (the engine reads a ``null`` as a missing field), where each
    line ends, and each line's quotes as :func:`_quotes` counts them."""

    text: bytes
    offsets: array[int]
    quotes: list[int]


def prepared(lines: Sequence[bytes]) -> Prepared:
    """Prepare a block's lines. Only a member's ``null`` (``":null``) is rewritten: inside a
    string the same letters are the string's own.

    The quotes: a section written as ``null`` (a case with no custody, say), or as ``{}``
    where the per-case reader takes that as absent, reads as an absent one, so its name's
    two quotes are not counted — but only when the name appears once in the line, so that
    a member written twice is still caught. The sections are found over the whole block at
    once: a search a line for each costs more than deciding the line."""
    rewritten = [line.replace(_MEMBER_NULL, _MEMBER_NULL_READ) for line in lines]
    # A line that already holds the text standing for null gets a count no line read
    # here has: it is left to the per-case path.
    quotes = [line.count(b'"') if _NULL_BYTES not in line else -1 for line in lines]
    offsets = array("i", accumulate(map(len, rewritten), initial=0))
    text = b"".join(rewritten)
    for match in _SECTION_ABSENT.finditer(text):
        position = match.start()
        opening = text.rfind(b'"', max(0, position - _LONGEST_SECTION), position)
        if opening < 0:
            continue  # a longer member's name: not a section's
        name = text[opening + 1:position]
        if name not in (_SECTIONS if match.group() == _MEMBER_NULL_READ else
                        _ABSENT_WHEN_EMPTY):
            continue
        line = bisect_right(offsets, position) - 1
        if text.count(b'"' + name + b'":', offsets[line], offsets[line + 1]) == 1:
            quotes[line] -= 2
    return Prepared(text, offsets, quotes)


def _quotes(tree: dict[str, Any], prefix: str = "") -> str:
    """How many quote characters an object holding only the fields read here has (each
    member's name two, and its value's), ``0`` when it holds none of them.

    A line is read here only when it has exactly that many (as :func:`prepared` counts
    them): a member written twice (the engines keep different ones of the pair), a field not
    read here, an empty ``custody`` or ``event.sentence`` or a section that is not an object
    all bring quotes this count lacks. Strings read here have no escapes, so each holds
    exactly its own two quotes."""
    parts = []
    for name, node in tree.items():
        path = f"{prefix}{name}"
        if isinstance(node, dict):
            inner = _quotes(node, path + ".")
            parts.append(f"CASE WHEN {inner} = 0 THEN 0 ELSE 2 + {inner} END")
        else:
            parts.append(_column(path, "__quotes"))
    return "(" + " + ".join(parts) + ")"


def _sql_texts(texts: tuple[str, ...]) -> str:
    return ", ".join("'" + text.replace("'", "''") + "'" for text in texts)


def _checks() -> list[str]:
    """Every condition a line must meet to be decided here."""
    checks = [f"({_column(path)} IS NULL OR regexp_full_match({_column(path)}, '{pattern}'))"
              if isinstance(pattern, str) else
              f"({_column(path)} IS NULL OR {_column(path)} IN ({_sql_texts(pattern)}))"
              for path, (pattern, _) in _FIELDS.items()]
    checks += [
        f"coalesce(TRY_CAST({_column('risk.rsr_percent')} AS DOUBLE) <= 100, TRUE)",
        f"coalesce(TRY_CAST({_column('risk.ogrs3_2yr_percent')} AS DOUBLE) <= 100, TRUE)",
        *(f"({_column(path)} IS NULL OR TRY_CAST({_column(path)}[2:-2] AS DATE) IS NOT NULL)"
          for path, (pattern, _) in _FIELDS.items() if pattern == _DATE),
        f"{_column('event.sentence.length')} IS DISTINCT FROM '\"P\"'",
        f"quotes = {_quotes(_TREE)}",
    ]
    return checks


def _field_columns(leaf: str, path: str, kind: str) -> str:
    """A field's JSON text (``NULL`` when absent or ``null``) and its quotes in the line."""
    column = _column(path)
    value = {"text": "2", "bare": "0",
             "quoted": f"length({leaf}) - length(replace({leaf}, '\"', ''))"}[kind]
    return (f"nullif({leaf}, '{_NULL}') AS {column}, CASE WHEN {leaf} IS NULL THEN 0 "
            f"WHEN {leaf} = '{_NULL}' THEN 2 ELSE 2 + {value} END AS {_column(path, '__quotes')}")


#: Each line's text (a line that is not UTF-8 is left to the per-case path).
_TEXT = "SELECT n, quotes, line FROM (SELECT n, quotes, try(decode(raw)) AS line FROM lines)"
#: Each line's JSON read once, every field the column path reads as its own JSON text,
#: beside the line's quotes as :func:`prepared` counted them...
_PARSE = (f"SELECT n, quotes, json_transform(line, "
          f"'{json.dumps(_TREE)}') AS x FROM ({_TEXT}) WHERE json_valid(line)")
#: ... then each field a column of its own (reading a struct's field in every check costs
#: more than reading a column).
_FIELDS_SQL = ("SELECT n, quotes, " + ", ".join(
    _field_columns("x." + ".".join(f'"{part}"' for part in path.split(".")), path, kind)
    for path, (_, kind) in _FIELDS.items()) + f" FROM ({_PARSE})")


def _facts_sql() -> str:
    """The inputs of the tier and allocation families, one row per line, with whether the
    line is readable here. Casts are ``TRY_CAST``: an unreadable line must not stop the
    block, whatever order the engine evaluates the columns in."""
    def plain(path: str) -> str:
        return f"{_column(path)}[2:-2]"

    text = {name: plain(path) for name, path in (
        ("case_ref", "case_ref"), ("sex", "person.sex"), ("pdu_code", "probation.pdu_code"),
        ("given_provider", "probation.provider_code"), ("country", "probation.country"),
        ("region_code", "probation.region_code"), ("tier_recorded", "risk.tier"),
        ("rosh", "risk.rosh"), ("sentence_kind", "event.sentence.kind"),
        ("sentence_length", "event.sentence.length"), ("resourcing", "resourcing"),
        ("prison_code", "custody.prison_code"), ("category", "custody.category"))}
    typed = {name: f"TRY_CAST({sql} AS {kind})" for name, sql, kind in (
        ("given_as_of", plain("as_of"), "DATE"),
        ("sentence_date", plain("event.sentence.date"), "DATE"),
        ("mappa_level", _column("risk.mappa_level"), "INTEGER"),
        ("sentence_indeterminate", _column("event.sentence.indeterminate"), "BOOLEAN"),
        ("sentence_ipp", _column("event.sentence.ipp"), "BOOLEAN"),
        ("date_of_birth", plain("person.date_of_birth"), "DATE"),
        *((name, plain(f"custody.{name}"), "DATE") for name in CUSTODY_DATES),
        *((name, _column(f"custody.{name}"), "BOOLEAN") for name in CUSTODY_FLAGS),
        )}
    typed.update({name: f"json_transform({_column(path)}, '[\"VARCHAR\"]')" for name, path in (
        ("nationalities", "person.nationalities"), ("given_registrations", "risk.registrations"))})
    numbers = {f"{name}__text": _column(path) for name, path in (
        ("rsr_percent", "risk.rsr_percent"), ("ogrs3_2yr_percent", "risk.ogrs3_2yr_percent"))}
    columns = [f"{sql} AS {name}" for name, sql in {**text, **typed, **numbers}.items()]
    columns += [
        "coalesce(given_registrations, []) AS registrations",
        # The offences' null written as the column path reads it is missing again here.
        f"coalesce(json_transform(replace({_column('event.offences')}, '{_NULL}', 'null'), "
        "'[{\"code\": \"VARCHAR\", \"schedule_15\": \"VARCHAR\"}]'), []) AS offences",
    ]
    # In custody exactly when the line has a custody object (even one of nulls only), as the
    # per-case reader decides; the quote count of a line read here shows it.
    columns.append(f"{_quotes(_TREE['custody'], 'custody.')} > 0 AS in_custody")
    ok = " AND ".join(f"coalesce({check}, FALSE)" for check in _checks())
    return f"SELECT n, {ok} AS readable, {', '.join(columns)} FROM ({_FIELDS_SQL})"


def _family_sql(source: str) -> str:
    return ALLOCATION_FAMILY.sql_over(TIER_FAMILY.sql_over(source))


def _json(sql: str) -> str:
    """A value as JSON text (``null`` when missing)."""
    return f"coalesce(CAST(to_json({sql}) AS VARCHAR), 'null')"


def _item_json(row: SqlItem) -> str:
    """One reason or missing criterion as JSON text, built by concatenation (DuckDB's own
    JSON objects and lists of structs cost several times more a line); the parts the table
    gives as constants are written as JSON here, once."""
    _, _, field, value, day, words, _ = row.item.parts()
    _, _, field_sql, value_sql, day_sql, words_sql, _ = row.parts
    pieces: list[tuple[str, bool]] = [(f'{{"rule":"{row.item.rule}","field":', False)]

    def add(expr: Expr, sql: str) -> None:
        if isinstance(expr, Lit):
            constant = expr.value.isoformat() if isinstance(expr.value, date) else expr.value
            pieces.append((json.dumps(constant, ensure_ascii=False), False))
        else:
            pieces.append((_json(sql), True))

    add(field, field_sql)
    if row.item.kind != "missing":
        pieces.append((',"value":', False))
        add(value, value_sql)
        pieces.append((',"date":', False))
        add(day, f"strftime(CAST({day_sql} AS DATE), '%Y-%m-%d')")
    pieces.append((',"explanation":', False))
    add(words, words_sql)
    pieces.append(("}", False))
    merged: list[str] = []
    constant = ""
    for text, is_sql in pieces:
        if is_sql:
            if constant:
                merged.append("'" + constant.replace("'", "''") + "'")
                constant = ""
            merged.append(text)
        else:
            constant += text
    if constant:
        merged.append("'" + constant.replace("'", "''") + "'")
    return " || ".join(merged)


def _criterion(rule: str) -> str:
    return "criterion_" + rule.lower().replace("-", "_")


def _items_json(kind: str) -> str:
    """The JSON texts of one kind of item, joined with commas (``''`` when none); criteria
    the policy version does not hold are left out."""
    pieces = []
    for row in ALLOCATION_FAMILY.sql_items():
        if row.item.kind != kind:
            continue
        condition = row.condition
        if row.item.rule.startswith("ALLOC-2"):
            condition = f"{_criterion(row.item.rule)} AND {condition}"
        case = f"CASE WHEN {condition} THEN {_item_json(row)} END"
        if row.each is None:
            pieces.append(case)
        else:
            pieces.append(f"nullif(array_to_string(list_transform(coalesce({row.each}, []), "
                          f"lambda _x, _n: {case}), ','), '')")
    return f"concat_ws(',', {', '.join(pieces)})"


def _allocated_sql(source: str) -> str:
    """The allocation's items as JSON text, its outcome, and what the handover reads of it:
    the resourcing (HAND-1; a levelled-up policy resources every case as enhanced) and the
    tier the POM type is recommended from (the decided tier, else the recorded one)."""
    computed = f"CASE WHEN reasons <> '' THEN '{RETAINED}' ELSE '{ALLOCATED}' END"
    items = (f"SELECT *, {_items_json('reason')} AS reasons, {_items_json('missing')} AS "
             f"missing, {_items_json('supplied')} AS supplied FROM ({source})")
    outcome = (f"SELECT *, {computed} AS computed_outcome, CASE WHEN resourcing IS NULL THEN "
               f"{computed} WHEN resourcing = 'ENHANCED' THEN '{RETAINED}' ELSE '{ALLOCATED}' "
               "END AS outcome FROM (" + items + ")")
    return (f"SELECT *, CASE WHEN outcome = '{RETAINED}' OR levelled_up THEN 'ENHANCED' ELSE "
            "'NORMAL' END AS handover_resourcing, coalesce(tier_code, tier_recorded) AS "
            "pom_tier, coalesce(policy_country = 'Wales', FALSE) AS welsh FROM (" + outcome + ")")


def _day(sql: str) -> str:
    """A date as JSON text (``null`` when missing)."""
    return f"coalesce('\"' || strftime({sql}, '%Y-%m-%d') || '\"', 'null')"


_BLOCKED_WORDS = ": the handover is not decided until it is corrected"


def _custody_json() -> dict[str, str]:
    """The handover, the POM type, the pathway and the warnings of a case in custody as JSON
    text, over the columns the era table, the POM type table, the pathway tree and the date
    checks give (``checks``, ``blocking``, ``path``)."""
    release = ("CASE WHEN release_name IS NULL THEN 'null' ELSE '{\"name\":' || "
               f"{_json('release_name')} || ',\"date\":' || {_day('release_date')} || '}}' END")
    handover = " || ".join([
        "'{\"responsibility\":'", _json("responsibility"), "',\"start_date\":'",
        _day("start"), "',\"handover_date\":'", _day("handover"), "',\"reason\":'",
        _json("reason"), "',\"earliest_release\":'", release, "',\"rule\":'", _json("rule"),
        "',\"explanation\":'", _json("explanation"), "',\"era\":'", _json("handover_era"),
        "',\"type\":'", _json("handover_type"), "',\"override_reason\":null}'"])
    warning = ("'{\"field\":' || CAST(to_json(_c.field) AS VARCHAR) || ',\"message\":' || "
               "CAST(to_json(_c.explanation || CASE WHEN list_contains(blocking, _c.field) THEN "
               f"'{_BLOCKED_WORDS}' ELSE '' END) AS VARCHAR) || '}}'")
    return {
        "handover": f"CASE WHEN len(blocking) > 0 THEN 'null' ELSE {handover} END",
        "pom_type": f"CASE WHEN len(blocking) > 0 THEN 'null' ELSE {_json('pom_type')} END",
        "pathway": "coalesce(CAST(path.outcome AS VARCHAR), 'null')",
        "pathway_reason": ("'{\"rule\":' || " + _json("path.rule") + " || ',\"field\":' || "
                           + _json("path.field") + " || ',\"value\":' || coalesce(CAST("
                           "path.value AS VARCHAR), 'null') || ',\"explanation\":' || "
                           + _json("path.explanation") + " || '}'"),
        "warnings": f"'[' || array_to_string(list_transform(checks, lambda _c: {warning}), ',') "
                    "|| ']'",
    }


NOT_IN_CUSTODY = {"handover": "'null'", "pom_type": "'null'", "pathway": "'null'",
                   "pathway_reason": "'null'", "warnings": "'[]'"}


def decision_json(custody: dict[str, str]) -> str:
    """The published decision as JSON text, by concatenation, keys in the order of
    :func:`omp.interchange.decision.decision_dict`."""
    allocation = (
        "CASE WHEN resourcing IS NULL THEN '{\"outcome\":\"' || computed_outcome || "
        "'\",\"source\":\"computed\",\"reasons\":[' || reasons || '],\"missing\":[' || "
        "missing || ']}' ELSE '{\"outcome\":\"' || outcome || '\",\"source\":\"supplied\","
        "\"reasons\":[' || supplied || '],\"missing\":[],\"computed_outcome\":\"' || "
        "computed_outcome || '\"}' END")
    tier_source = ("CASE WHEN tier_code IS NULL THEN NULL WHEN uses_recorded THEN 'recorded' "
                   "ELSE computed_source END")
    return " || ".join([
        "'{\"case_ref\":'", _json("case_ref"),
        "',\"as_of\":\"'", "strftime(as_of, '%Y-%m-%d')",
        "'\",\"policy_version\":'", _json("policy_name"),
        "',\"allocation\":'", allocation,
        "',\"tier\":'", _json("tier_code"), "',\"tier_source\":'", _json(tier_source),
        "',\"tier_recorded\":'", _json("recorded_code"),
        "',\"tier_computed\":'", _json("computed_code"),
        "',\"handover\":'", custody["handover"], "',\"pom_type\":'", custody["pom_type"],
        "',\"pathway\":'", custody["pathway"], "',\"pathway_reason\":'",
        custody["pathway_reason"], "',\"warnings\":'", custody["warnings"], "'}'"])


def decisions_sql(eras: frozenset[str]) -> str:
    """Every decision of a block, from the ``allocated`` table: the cases not in custody,
    then those in custody under each of ``eras``. Only the eras of the block's policy
    versions: planning a branch costs as much as deciding thousands of lines in it."""
    branches = [f"SELECT n, {decision_json(NOT_IN_CUSTODY)} AS decision FROM allocated "
                "WHERE NOT in_custody"]
    custody = decision_json(_custody_json())
    for era, family in ERA_FAMILIES.items():
        if era not in eras:
            continue
        source = POM_TYPE_FAMILY.sql_over(family.sql_over(
            f"SELECT * FROM allocated WHERE in_custody AND handover_era = '{era}'"))
        checked = (f"SELECT *, {PATHWAY_FAMILY.sql_first()} AS path, list_transform("
                   "list_filter(checks, lambda _c: _c.kind = 'blocking'), lambda _c: _c.field) "
                   f"AS blocking FROM (SELECT *, {DATE_CHECKS.sql_matches()} AS checks FROM ("
                   f"{source}))")
        branches.append(f"SELECT n, {custody} AS decision FROM ({checked})")
    return " UNION ALL ".join(branches)


_FACTS = _facts_sql()
#: The facts of every readable line with its policy version and the inputs the interchange
#: format does not carry (OASys needs, the dates values were recorded on).
_SOURCE = (
    "SELECT f.*, p.policy_name, p.policy_from, p.levelled_up, p.handover_era, "
    + "".join(f"p.{_criterion(rule)}, " for rule in ALLOCATION_CRITERIA)
    + "0 AS women_points, CAST(NULL AS INTEGER) AS needs_points, "
    "TRY_CAST(rsr_percent__text AS DOUBLE) AS rsr_percent, "
    "TRY_CAST(ogrs3_2yr_percent__text AS DOUBLE) AS ogrs3_2yr_percent, "
    + ", ".join(f"CAST(NULL AS DATE) AS {name}" for name in (
        "on_tier", "on_rosh", "on_rsr", "on_mappa", "on_sentence", "on_hoi",
        "on_nationalities", "on_pdu", "on_resourcing"))
    + " FROM facts f JOIN policies p ON p.as_of = f.as_of AND "
    "p.policy_country IS NOT DISTINCT FROM f.policy_country AND "
    "p.region_code IS NOT DISTINCT FROM f.region_code")


def _steps(today: date) -> tuple[tuple[str, str], ...]:
    """The tables a block goes through, each filled by one statement from the one before.
    Reading (the text, its JSON, each field's text, the checks) is one statement: each of
    those steps a table of its own cost a fifth more, in copying. Checking and deciding are
    not: in one statement DuckDB may evaluate a shared expression once for each use (the
    readability checks with their filter were twenty times slower).
    """
    return (
        ("read", _FACTS),
        ("facts", "SELECT *, CASE WHEN country IS NOT NULL THEN country WHEN provider_code "
                  "IS NULL THEN NULL WHEN provider_code = 'N03' THEN 'Wales' ELSE 'England' "
                  "END AS policy_country FROM (SELECT f.*, coalesce(given_as_of, DATE "
                  f"'{today.isoformat()}') AS as_of, coalesce(given_provider, p.provider) AS "
                  "provider_code FROM read f LEFT JOIN pdu_providers p ON p.pdu = f.pdu_code "
                  "WHERE readable)"),
    )


def _named(column: str, sql: str) -> bool:
    """Whether ``sql`` names ``column``: as a whole word, quoted or not. A word that only
    looks like the column (in a text, say) keeps a column that is not needed, never the
    reverse."""
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(column)}(?![A-Za-z0-9_])", sql) is not None


class ColumnDecider:
    """Decides blocks of lines in one DuckDB connection (one per worker process)."""

    def __init__(self, today: date, policy_name: str | None) -> None:
        import duckdb

        self.today = today
        self.policy = policy_named(BUILT_IN_VERSIONS, policy_name) if policy_name else None
        self.connection = duckdb.connect(config={"threads": 1})
        self.connection.execute(
            "CREATE TABLE pdu_providers (pdu VARCHAR PRIMARY KEY, provider VARCHAR)")
        self.connection.executemany("INSERT INTO pdu_providers VALUES (?, ?)",
                                    list(PDU_PROVIDERS.items()))
        self.steps = _steps(today)
        self._prepare()

    def _prepare(self) -> None:
        """The table of policy versions and the statement that decides a block."""
        con = self.connection
        con.execute("CREATE TEMP TABLE policies (as_of DATE, policy_country VARCHAR, "
                    "region_code VARCHAR, policy_name VARCHAR, policy_from DATE, "
                    "levelled_up BOOLEAN, handover_era VARCHAR, " + ", ".join(
                        f"{_criterion(rule)} BOOLEAN" for rule in ALLOCATION_CRITERIA) + ")")
        self.allocated_sql = _allocated_sql(_family_sql(_SOURCE))
        # Made for each set of eras the first time a block holds it (there are 16 sets):
        # the allocated table's statement and the decisions' statement.
        self.statements: dict[frozenset[str], tuple[str, str]] = {}

    def _statements(self, eras: frozenset[str]) -> tuple[str, str]:
        """The statements that decide a block under ``eras``: the allocated table, holding
        only the columns the decisions name (half of them are the allocation's own
        workings, lists among them: copying them into the table was work and memory for
        nothing, about 3% of a block's time), then
        the decisions, in line order, each ending its line, with whether it warns."""
        decisions = decisions_sql(eras)
        columns = [column for column, *_ in self.connection.execute(
            f"SELECT * FROM ({self.allocated_sql}) LIMIT 0").description]
        named = [column for column in columns if _named(column, decisions)]
        allocated = (f"SELECT {', '.join(_column(name) for name in named)} FROM "
                     f"({self.allocated_sql})")
        return allocated, (
            f"SELECT n, decision || chr(10) AS decision, NOT suffix(decision, "
            f"'{_NO_WARNINGS.decode()}') AS warned FROM ({decisions}) ORDER BY n")

    def _policies(self, keys: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        rows = []
        for as_of, country, region in keys:
            try:
                version = self.policy or policy_in_force(BUILT_IN_VERSIONS, as_of, country,
                                                         region)
            except PolicyError:
                continue  # the per-case path reports it as the line's error
            rows.append((as_of, country, region, version.name, version.effective_from,
                         version.levelled_up, version.handover_era,
                         *(rule in version.criteria for rule in ALLOCATION_CRITERIA)))
        return rows

    def decide(self, lines: Sequence[bytes]) -> list[str | None]:
        """The decision of each line as JSON text, or ``None`` for a line that the per-case
        path must decide (:meth:`decide_block` as one text a line)."""
        return self.decide_block(lines).texts(len(lines))

    def decide_block(self, lines: Sequence[bytes]) -> Block:
        """The decisions of the lines this path takes, as one text. Should the engine refuse
        the block whatever the line (it must not), no line is taken and every line of it
        is left to the per-case path: no line is ever lost."""
        import duckdb

        try:
            return self._decide(lines)
        except duckdb.Error:
            return Block.none()

    def _decide(self, lines: Sequence[bytes]) -> Block:
        import pyarrow as pa

        con = self.connection
        # The lines handed over as one buffer and their offsets: building the array from
        # a list of bytes objects costs ten times more. Everything else a line needs is
        # done in the engine (_FACTS).
        ready = prepared(lines)
        raw = pa.BinaryArray.from_buffers(pa.binary(), len(lines), [
            None, pa.py_buffer(ready.offsets), pa.py_buffer(ready.text)])
        incoming = pa.table({"n": pa.array(range(len(lines)), pa.int64()), "raw": raw,
                             "quotes": pa.array(ready.quotes, pa.int64())})
        con.register("incoming", incoming)
        # Each table made again: deleting a table's rows would not give its memory back.
        con.execute("CREATE OR REPLACE TEMP TABLE lines AS SELECT * FROM incoming")
        con.unregister("incoming")
        before = "lines"
        for name, sql in self.steps:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
            con.execute(f"DROP TABLE {before}")  # read once: its memory is given back now
            before = name
        con.execute("DELETE FROM policies")
        keys = con.execute("SELECT DISTINCT as_of, policy_country, region_code FROM facts"
                           ).fetchall()
        if rows := self._policies(keys):
            marks = ", ".join("?" * len(rows[0]))
            con.executemany(f"INSERT INTO policies VALUES ({marks})", rows)
        eras = frozenset(row[6] for row in rows) & frozenset(ERA_FAMILIES)  # 6: the era
        if eras not in self.statements:
            self.statements[eras] = self._statements(eras)
        allocated, decisions = self.statements[eras]
        con.execute(f"CREATE OR REPLACE TEMP TABLE allocated AS {allocated}")
        con.execute(f"DROP TABLE {before}")
        # Fetched as Arrow, in line order, each decision ending its line: the texts stay
        # one buffer, sliced by run of lines taken rather than made one object a line.
        decided = con.execute(decisions).to_arrow_table()
        con.execute("DROP TABLE allocated")
        return Block.of(decided.column("n").to_pylist(),
                        decided.column("decision").combine_chunks(),
                        decided.column("warned").combine_chunks().true_count)


@dataclass
class Block:
    """The decisions of the lines of a block the column path took: their places in the
    block (ascending), their texts one after the other (each ending in a line break), where
    each ends (``ends[0]`` is where the first starts, ``ends[i + 1]`` where ``places[i]``'s
    ends) and how many carry warnings. The texts stay in the engine's buffer: a block's
    decisions are tens of megabytes, and each copy costs the memory it is copied into."""

    places: list[int]
    text: memoryview
    ends: list[int]
    warned: int = 0

    @classmethod
    def none(cls) -> Block:
        """No line taken."""
        return cls([], memoryview(b""), [0])

    @classmethod
    def of(cls, places: list[int], texts: Any, warned: int) -> Block:
        """From the places, an Arrow string array of the texts and the count warned."""
        import pyarrow as pa

        if not places:
            return cls.none()
        _, offsets_buffer, data = texts.buffers()
        view = memoryview(offsets_buffer)
        offsets = (view.cast("q") if pa.types.is_large_string(texts.type) else view.cast("i"))[
            texts.offset:texts.offset + len(texts) + 1].tolist()
        return cls(places, memoryview(data), offsets, warned)

    def texts(self, count: int) -> list[str | None]:
        """One text a line of a block of ``count`` lines, ``None`` where not taken."""
        decided: list[str | None] = [None] * count
        for row, place in enumerate(self.places):
            decided[place] = str(self.text[self.ends[row]:self.ends[row + 1] - 1], "utf-8")
        return decided

    def merged(self, count: int, decide: Callable[[int], bytes]) -> list[bytes | memoryview]:
        """Every line's decision in line order, as pieces to write one after the other: the
        lines taken sliced from the text a run at a time, each other line decided by
        ``decide`` (its place in the block)."""
        pieces: list[bytes | memoryview] = []
        row = 0
        if len(self.places) < count:
            for place in sorted(set(range(count)).difference(self.places)):
                upto = bisect_left(self.places, place, row)
                if upto > row:
                    pieces.append(self.text[self.ends[row]:self.ends[upto]])
                pieces.append(decide(place))
                row = upto
        if row < len(self.places):
            pieces.append(self.text[self.ends[row]:self.ends[-1]])
        return pieces
