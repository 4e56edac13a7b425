"""OUT-6: every gaming check gives the same rows on DuckDB and on Spark, row for row, on a
seeded random history with every kind of edge in it."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from typing import Any

import pytest

from omp.outcomes.gaming import (
    NEEDS,
    Baseline,
    duplicate_work,
    duplicate_work_examples,
    run_checks,
    support_intensity,
    transfers_before_release,
)

PRISONS = ("DNI", "LEI", "MDI", "HMP")
BANDS = ("low", "medium", "high")
AGENCIES = ("Probation", "Catch22", "Turning Point")
START = date(2024, 1, 1)


def history(seed: int = 6) -> dict[str, list[dict[str, Any]]]:
    """Contacts, releases, transfers and need work for 400 people, skewed so that some
    checks flag: high-risk people on pathway 2 are parked, and Doncaster moves its high-risk
    people out before release."""
    rng = random.Random(seed)
    contacts, releases, transfers, work = [], [], [], []
    for n in range(400):
        case_ref, prison = f"X{n:05d}", rng.choice(PRISONS)
        band, pathway = rng.choice(BANDS), rng.randint(1, 4)
        release = START + timedelta(days=rng.randint(0, 700))
        ogrs = {"low": rng.uniform(0, 19.9), "medium": rng.uniform(20, 59.9),
                "high": rng.uniform(60, 99)}[band]
        parked, moved_out = band == "high" and pathway == 2, prison == "DNI" and band == "high"
        for _ in range(rng.randint(0 if parked else 1, 3 if parked else 8)):
            contacts.append({"case_ref": case_ref, "prison_code": prison, "pathway": pathway,
                             "risk_band": band, "minutes": rng.randint(5, 20 if parked else 90),
                             "contact_date": release - timedelta(days=rng.randint(0, 300))})
        if rng.random() < (0.6 if moved_out else 0.15):
            days_before = rng.choice([0, 1, 83, 84, 85, 200, -3, rng.randint(0, 120)])
            transfers.append({"case_ref": case_ref, "from_prison": prison,
                              "to_prison": rng.choice([p for p in PRISONS if p != prison]),
                              "transfer_date": release - timedelta(days=days_before),
                              "release_date": release, "risk_band": band})
            prison = transfers[-1]["to_prison"]
        releases.append({"case_ref": case_ref, "prison_code": prison, "index_date": release,
                         "ogrs3": round(ogrs, 1)})
        for need in rng.sample(sorted(NEEDS), rng.randint(0, 3)):
            for agency in rng.sample(AGENCIES, rng.randint(1, 2)):
                begin = release - timedelta(days=rng.randint(-60, 120))
                end = (None if rng.random() < 0.1
                       else begin + timedelta(days=rng.choice([0, 1, rng.randint(2, 90)])))
                work.append({"case_ref": case_ref, "need": need, "agency": agency,
                             "start_date": begin, "end_date": end})
    return {"support_contacts": contacts, "index_events": releases, "transfers": transfers,
            "need_work": work}


def same_rows(left: list[dict[str, Any]], right: list[dict[str, Any]]) -> None:
    """Row for row, in order; floats equal to 1e-9 relative."""
    assert len(left) == len(right)
    for a, b in zip(left, right, strict=True):
        assert a.keys() == b.keys()
        for key in a:
            if isinstance(a[key], float) or isinstance(b[key], float):
                assert a[key] is not None and b[key] is not None, key
                assert math.isclose(a[key], b[key], rel_tol=1e-9, abs_tol=1e-12), (key, a, b)
            else:
                assert a[key] == b[key], (key, a, b)


@pytest.fixture(scope="module")
def loaded(both, schemas):
    data = history()
    return [(engine, {name: engine.load(rows, schemas[name]) for name, rows in data.items()})
            for engine in both]


@pytest.mark.parametrize("check", ["intensity", "transfers", "transfers_period",
                                   "duplication", "examples"])
def test_both_engines_give_the_same_rows(loaded, check):
    def expression(tables):
        if check == "intensity":
            return support_intensity(tables["support_contacts"])
        if check == "transfers":
            return transfers_before_release(tables["transfers"], tables["index_events"])
        if check == "transfers_period":
            return transfers_before_release(
                tables["transfers"], tables["index_events"], weeks=8,
                baseline=Baseline(date(2024, 1, 1), date(2024, 12, 31), date(2025, 1, 1),
                                  date(2025, 12, 31)))
        if check == "duplication":
            return duplicate_work(tables["need_work"])
        return duplicate_work_examples(tables["need_work"], per_pair=2)

    (duck, duck_tables), (spark, spark_tables) = loaded
    duck_rows, spark_rows = duck.rows(expression(duck_tables)), spark.rows(expression(spark_tables))
    assert duck_rows, "the history should give every check something to say"
    same_rows(duck_rows, spark_rows)


def test_the_history_flags_what_it_was_built_to(loaded):
    """The skew in the history shows up: parking and transfer gaming at Doncaster, and
    duplicate work; the readings are the same words on both engines."""
    results = []
    for engine, tables in loaded:
        results.append(run_checks(tables.__getitem__, engine.rows, with_examples=True))
    duck, spark = results
    for a, b in zip(duck, spark, strict=True):
        assert a.readings == b.readings
        same_rows(a.rows, b.rows)
    intensity, moves, duplicates = duck
    assert any(row["flag"] == "possible parking" and row["risk_band"] == "high"
               for row in intensity.rows)
    assert [(row["prison"], row["risk_band"]) for row in moves.rows if row["flagged"]] == [
        ("DNI", "high")]
    assert duplicates.rows and duplicates.examples
