"""``decide``'s column path gives every line it takes exactly the decision the per-case path
gives (ALLOC-5, DESIGN.md "written once, run two ways"), whatever the line holds, and leaves
every line it cannot read strictly to the per-case path.

The rule tables (tier, allocation) are one definition compiled to Python and to SQL; these
tests feed both the same lines: generated cases with every value the rules distinguish,
written the ways other systems write JSON (spaces, nulls, members repeated, unknown members,
escapes), and hostile values.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from omp.interchange.columns import ColumnDecider
from omp.interchange.decide import decide_object
from tests.conftest import case_object

TODAY = date(2026, 11, 22)

texts = st.text(max_size=12) | st.sampled_from(["", " ", "null", ":null", "-7e-77", "é"])
dates = st.dates(date(1890, 1, 1), date(2210, 1, 1)).map(date.isoformat) | st.sampled_from(
    ["2023-02-30", "2024-02-29", "20240101", "2024-W01-1", ""])
numbers = (st.sampled_from([0, 0.0, 2.99, 3, 3.0, 6.89, 6.9, 6.99, 6.995, 7, 7.0, 7.10, 12.4,
                            99.99, 100, 100.0, 100.5, -0.0, -1, 1e1, 1e-05, 12.3456789])
           | st.floats(0, 120, allow_nan=False) | st.integers(-5, 200)
           | st.sampled_from(["6.9", "1_0", True]))
offence = st.fixed_dictionaries({
    "code": st.sampled_from(["02700", "00101", "01900", "", "X" * 11]) | st.integers(0, 9),
}, optional={
    "description": st.none() | st.sampled_from(["Assault", "x" * 201, "a\"b", "é"]),
    "schedule_15": st.none() | st.sampled_from(["violent", "sexual", "none", "VIOLENT",
                                                False, 1]),
})
sentence = st.fixed_dictionaries({}, optional={
    "kind": st.none() | st.sampled_from(["custodial", "community", "suspended", "Custodial",
                                         "fine"]),
    "date": st.none() | dates,
    "length": st.none() | st.sampled_from(["P52W", "P11M30D", "P12M", "P1Y", "P6M", "P2Y6M",
                                           "P", "p1y", "P250Y", "P99Y", "1Y", " P1Y"]),
    "indeterminate": st.none() | st.booleans() | st.just("true"),
    "ipp": st.none() | st.booleans(),
})
#: Dotted fields and the values they may take: the rules' thresholds, every enumeration,
#: near misses (case, spacing, types) and values outside the accepted ranges.
FIELDS: dict[str, Any] = {
    "case_ref": st.sampled_from(["C1", " C2", "C3 ", "C" * 20, "C" * 21, "C\u00e94", ""])
    | st.integers(0, 9),
    "as_of": st.none() | dates,
    "person.sex": st.none() | st.sampled_from(["M", "F", "X", "m", "Q", ""]),
    "person.date_of_birth": st.none() | dates,
    "person.nationalities": st.none() | st.lists(st.sampled_from(
        ["British", "Irish", " irish ", "French", "Unknown", "", "not known", "é"]), max_size=3)
    | st.just("British|French"),
    "probation.pdu_code": st.none() | st.sampled_from(["N07CAM", "N03UAT", "N50MAN", "ZZZ",
                                                       "", "N03UAT_TOO_LONG"]),
    "probation.provider_code": st.none() | st.sampled_from(["N03", "N07", "", "n03"]),
    "probation.country": st.none() | st.sampled_from(["England", "Wales", "wales", "France"]),
    "probation.region_code": st.none() | st.sampled_from(["R1", "WALES", ""]),
    "probation.com_name": st.none() | texts,
    "risk.tier": st.none() | st.sampled_from(["A1", "B", "B2", "C1", "D0", "d3", "E1", "A4",
                                              ""]),
    "risk.rosh": st.none() | st.sampled_from(["LOW", "MEDIUM", "HIGH", "VERY_HIGH", "high",
                                              "EXTREME"]),
    "risk.rsr_percent": st.none() | numbers,
    "risk.ogrs3_2yr_percent": st.none() | numbers,
    "risk.mappa_level": st.none() | st.sampled_from([0, 1, 2, 3, 4, "2", 2.0, True]),
    "risk.mappa_category": st.none() | st.sampled_from([1, 4, 5, "1"]),
    "risk.registrations": st.lists(st.sampled_from(
        ["HOI", "RPIR", "IIOM", "RMDO", "ALSH", "hoi", "X" * 11]), max_size=4),
    "event.offences": st.none() | st.lists(offence, max_size=3),
    "event.sentence": st.none() | sentence,
    "custody": st.none() | st.just({}) | st.just({"remand": False}) | st.fixed_dictionaries(
        {"sentence_start_date": st.dates(date(2015, 1, 1), date(2027, 1, 1)).map(
            date.isoformat)}, optional={
            **{name: st.none() | st.dates(date(2014, 1, 1), date(2032, 1, 1)).map(
                date.isoformat) | st.sampled_from(["2024-02-30", "", "2200-01-01"])
               for name in ("conditional_release_date", "automatic_release_date",
                            "parole_eligibility_date", "tariff_date", "parole_review_date",
                            "target_hearing_date", "home_detention_curfew_eligibility_date",
                            "home_detention_curfew_actual_date", "licence_expiry_date",
                            "arrival_date", "category_active_since")},
            **{name: st.none() | st.booleans() | st.just("true") for name in (
                "womens_prison", "remand", "recall", "immigration_case", "early_allocation",
                "parole_outcome_not_release", "additional_future_isp", "civil_sentence")},
            "prison_code": st.none() | st.sampled_from(["DNI", "UPI", "HDI", "IWI", "NHI", "",
                                                        "TOOLONG"]),
            "category": st.none() | st.sampled_from(["T", "C", "", "TTT"]),
        }),
    "resourcing": st.none() | st.sampled_from(["ENHANCED", "NORMAL", "enhanced", "OTHER"]),
}
cases = st.fixed_dictionaries({}, optional=FIELDS)


def community(**changes: Any) -> dict[str, Any]:
    """A case on a community order: no custody, so the column path may take it."""
    return case_object(**{"custody": None, "event.sentence.kind": "community", **changes})


def _write(obj: dict[str, Any], how: str) -> bytes:
    """One line as another system might write it."""
    if how == "compact":
        return orjson.dumps(obj)
    if how == "spaced":
        return json.dumps(obj).encode()
    if how == "escaped":
        return json.dumps(obj, ensure_ascii=True, separators=(",", ":")).encode()
    if how == "repeated":  # a member written twice: JSON readers keep the last one
        text = orjson.dumps(obj).decode()
        return (text[:-1] + ',"risk":{"tier":"A1","rosh":null}}').encode()
    if how == "unknown":
        return orjson.dumps({**obj, "extra": {"risk": 1}})
    raise ValueError(how)


def _per_case(line: bytes) -> dict[str, Any]:
    return decide_object(orjson.loads(line), TODAY, None)


@pytest.fixture(scope="module")
def decider() -> ColumnDecider:
    return ColumnDecider(TODAY, None)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(cases, st.sampled_from(
    ["compact", "compact", "spaced", "escaped", "repeated", "unknown"])), min_size=1,
    max_size=8))
@example([({"risk.rsr_percent": 6.9, "risk.tier": "B2"}, "compact")])
def test_the_column_path_decides_every_line_it_takes_as_the_per_case_path_does(
        decider: ColumnDecider, lines: list[tuple[dict[str, Any], str]]) -> None:
    raw = [_write(community(**changes), how) for changes, how in lines]
    # The engine must not refuse a block, whatever it holds.
    decided = decider._decide(raw).texts(len(raw))
    assert len(decided) == len(raw)
    for line, text in zip(raw, decided, strict=True):
        if text is not None:
            assert orjson.loads(text) == _per_case(line), line


custody_cases = st.fixed_dictionaries({
    "custody": FIELDS["custody"],
    # From era B (to 2022-10-18) through C and D to E (from 2024-10-16).
    "as_of": st.dates(date(2019, 1, 1), date(2027, 6, 1)).map(date.isoformat),
}, optional={
    "risk.rosh": st.sampled_from(["LOW", "MEDIUM", "HIGH", "VERY_HIGH"]),
    "risk.tier": st.sampled_from(["A1", "B2", "C1", "D0"]),
    "risk.mappa_level": st.sampled_from([0, 1, 2, 3]),
    "person.date_of_birth": st.dates(date(1950, 1, 1), date(2012, 1, 1)).map(date.isoformat),
    "event.sentence.length": st.sampled_from(["P6M", "P11M30D", "P12M", "P4Y"]),
    "event.sentence.indeterminate": st.booleans(),
    "event.sentence.ipp": st.booleans(),
    "probation.country": st.sampled_from(["England", "Wales"]),
    "resourcing": st.sampled_from(["ENHANCED", "NORMAL"]),
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(custody_cases, min_size=1, max_size=12))
def test_a_case_in_custody_is_decided_as_the_per_case_path_does(
        decider: ColumnDecider, lines: list[dict[str, Any]]) -> None:
    """The handover of every era, the POM type, the pathway and the date warnings in
    columns: strict lines in custody, every custody field varied."""
    raw = [orjson.dumps(case_object(**changes)) for changes in lines]
    for line, text in zip(raw, decider._decide(raw).texts(len(raw)), strict=True):
        if text is not None:
            assert orjson.loads(text) == _per_case(line), line


def test_the_column_path_takes_plain_lines_and_leaves_the_others(
        decider: ColumnDecider) -> None:
    plain = orjson.dumps(community(case_ref="P1"))
    in_custody = orjson.dumps(case_object(case_ref="P2"))
    era_b = orjson.dumps(case_object(case_ref="P9", as_of="2021-06-01"))
    others = {
        "a member twice": plain[:-1] + b',"case_ref":"P3"}',
        "an unknown member": orjson.dumps({**community(case_ref="P4"), "x": "y"}),
        "spaces": json.dumps(community(case_ref="P5")).encode(),
        "not JSON": b'{"case_ref": ',
        "not UTF-8": b'{"case_ref":"\xff"}',
        "a string for a number": orjson.dumps(community(**{"risk.rsr_percent": "7"})),
        "a lower-case enumeration": orjson.dumps(community(**{"risk.rosh": "high"})),
        "a date out of range": orjson.dumps(community(as_of="2200-01-01")),
    }
    decided = decider.decide([plain, in_custody, era_b, *others.values()])
    assert decided[0] is not None and decided[1] is not None and decided[2] is not None
    assert orjson.loads(decided[0]) == _per_case(plain)
    assert orjson.loads(decided[1]) == _per_case(in_custody)
    assert orjson.loads(decided[1])["handover"]["reason"] == "determinate"
    assert orjson.loads(decided[2]) == _per_case(era_b)
    assert orjson.loads(decided[2])["handover"]["era"] == "B"
    assert {name: text for name, text in zip(others, decided[3:], strict=True)
            if text is not None} == {}


def test_a_null_is_read_as_not_recorded_and_a_section_written_twice_as_the_last(
        decider: ColumnDecider) -> None:
    with_nulls = orjson.dumps(community(case_ref="N1", **{"risk.rosh": None,
                                                            "resourcing": None}))
    twice = orjson.dumps(community(case_ref="N2", **{"risk.tier": "D0"}))[:-1] + \
        b',"risk":{"tier":null}}'
    first, second = decider.decide([with_nulls, twice])
    assert first is not None
    assert orjson.loads(first) == _per_case(with_nulls)
    # The engine would keep the first of the pair; the per-case reader keeps the last.
    assert second is None


def test_a_block_the_engine_refuses_is_left_whole_to_the_per_case_path(
        decider: ColumnDecider, monkeypatch: pytest.MonkeyPatch) -> None:
    """Should DuckDB ever refuse a block, no line of it is lost: each goes one by one."""
    import duckdb

    def refuse(lines: Any) -> Any:
        raise duckdb.InvalidInputException("refused")

    monkeypatch.setattr(decider, "_decide", refuse)
    plain = orjson.dumps(community(case_ref="R1"))
    assert decider.decide([plain, plain]) == [None, None]


def test_a_forked_worker_makes_its_own_connection(tmp_path: Any) -> None:
    """``decide`` in this process, then with two workers: the workers, forked from a
    process that already holds a DuckDB connection, decide with their own."""
    from omp.interchange.decide import run_decide

    source = tmp_path / "in.jsonl"
    source.write_bytes(b"".join(orjson.dumps(community(case_ref=f"F{i}")) + b"\n"
                                for i in range(50)))
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    run_decide(source, one, TODAY, workers=1)
    summary = run_decide(source, two, TODAY, workers=2)
    assert summary.decided == 50
    assert one.read_bytes() == two.read_bytes()


def test_a_null_inside_a_text_is_the_text_own_and_an_empty_section_reads_as_absent(
        decider: ColumnDecider) -> None:
    """Only a member's ``null`` stands for not recorded: a case reference holding the
    letters ``:null`` keeps them. An empty ``person``, ``probation``, ``risk`` or ``event``
    reads as absent in both paths, so this path takes it; an empty ``custody`` (a case in
    custody with nothing known) or ``event.sentence`` is decided as the per-case path
    does."""
    lines = [
        orjson.dumps(community(case_ref="A:null")),
        *(orjson.dumps({**community(case_ref=f"E{n}"), section: {}})
          for n, section in enumerate(("person", "probation", "risk", "event"))),
        orjson.dumps(community(case_ref="S1", **{"event.sentence": {}})),
        orjson.dumps(case_object(case_ref="C1", custody={})),
    ]
    decided = decider.decide(lines)
    assert decided[0] is not None and orjson.loads(decided[0])["case_ref"] == "A:null"
    assert all(text is not None for text in decided[:5])
    for line, text in zip(lines, decided, strict=True):
        if text is not None:
            assert orjson.loads(text) == _per_case(line), line


def test_decide_writes_the_lines_taken_and_the_others_in_input_order(tmp_path: Any) -> None:
    """A file mixing lines the column path takes with lines it leaves (first, last, in
    runs and alone) comes out in input order, each line's decision as the per-case path
    gives it, with the errors and warnings counted."""
    from omp.interchange.decide import run_decide

    taken = [orjson.dumps(community(case_ref=f"T{i}")) for i in range(7)]
    warned = orjson.dumps(case_object(case_ref="W1", **{
        "custody.home_detention_curfew_eligibility_date": "2027-03-01",
        "custody.home_detention_curfew_actual_date": "2027-01-01"}))
    left = [json.dumps(community(case_ref="L1")).encode(), b'{"case_ref": ',
            json.dumps(community(case_ref="L2")).encode()]
    lines = [left[0], *taken[:3], left[1], left[2], *taken[3:5], warned, taken[5], left[0],
             taken[6], left[1]]
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n")
    summary = run_decide(source, out, TODAY, workers=1)
    written = out.read_bytes().splitlines()
    assert len(written) == len(lines)
    for number, (line, text) in enumerate(zip(lines, written, strict=True), start=1):
        expected = (_per_case(line) if line != left[1] else
                    {"case_ref": None, "error": {"field": "line", "message": orjson.loads(
                        text)["error"]["message"]}})
        assert orjson.loads(text) == expected, number
    assert (summary.lines, summary.errors) == (len(lines), 2)
    assert summary.warned == sum(bool(orjson.loads(text).get("warnings")) for text in written)
    assert summary.warned >= 1
    per_case = tmp_path / "per-case.jsonl"
    run_decide(source, per_case, TODAY, workers=1, columns=False)
    assert per_case.read_bytes() == out.read_bytes()


def test_the_allocated_table_keeps_the_columns_the_decisions_name(
        decider: ColumnDecider) -> None:
    """Only columns named in the decisions' statement are kept (a name inside a longer one
    does not count), and every line the column path took before is still taken."""
    from omp.interchange.columns import _named

    assert _named("sex", 'SELECT "sex" FROM x') and _named("sex", "coalesce(sex, 'M')")
    assert not _named("sex", "SELECT sexual_codes FROM x")
    decider.decide([orjson.dumps(case_object(case_ref="K1"))])
    allocated, decisions = next(iter(decider.statements.values()))
    kept = allocated.split(" FROM (")[0]
    assert '"handover_era"' in kept and '"offences"' not in kept
    assert "ORDER BY n" in decisions
