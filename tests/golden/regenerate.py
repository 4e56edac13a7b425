"""Regenerate the golden files deliberately (not a test):

    .venv/bin/python tests/golden/regenerate.py

1. ``cases.jsonl.gz``: 10,000 seeded synthetic cases from the project's generator (seed
   :data:`SEED`, as of :data:`AS_OF`), of which one line in 40 is altered the way real
   extracts and attackers alter them — contradictory custody dates that are decided with a
   warning, and values that are refused (an impossible date, a date out of range, an
   unknown enumeration value, a number written ``1_0``, broken JSON, …) — so the file holds
   decisions, warnings and errors alike.
2. ``decide.jsonl.gz``: what ``omp decide`` writes for it, line by line.
3. ``record.jsonl.gz``: what the record holds once every line is imported (the per-case
   recompute): each case's allocation, warnings, pathway, handover and POM type as stored.
   It is written by the golden test itself, run with ``OMP_GOLDEN_WRITE=1`` (it needs the
   test database), which this script does last.

Run it only when a change to the rules is meant to change decisions, and review the
difference (``zdiff``) before committing the new files.
"""

from __future__ import annotations

import gzip
import os
import random
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import orjson

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SEED = 1111
AS_OF = date(2026, 11, 22)
CASES = 10_000
INPUT = HERE / "cases.jsonl.gz"
DECIDED = HERE / "decide.jsonl.gz"
RECORD = HERE / "record.jsonl.gz"


def _set(obj: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for part in parents:
        if not isinstance(obj.get(part), dict):
            obj[part] = {}
        obj = obj[part]
    obj[leaf] = value


def _alter(obj: dict[str, Any], rnd: random.Random) -> bytes:
    """One line altered in one of the ways extracts carry (warnings) or attackers try
    (errors)."""
    custody = obj.get("custody") or {}
    start = custody.get("sentence_start_date")
    kind = rnd.randrange(14)
    if kind == 0 and custody:  # a tariff date on a determinate sentence: a warning
        _set(obj, "event.sentence.indeterminate", False)
        _set(obj, "custody.tariff_date", "2030-01-01")
    elif kind == 1 and custody:  # HDC approved before eligibility: a warning
        _set(obj, "custody.home_detention_curfew_eligibility_date", "2027-06-01")
        _set(obj, "custody.home_detention_curfew_actual_date", "2027-05-01")
    elif kind == 2 and start:  # a release date before the sentence start: no handover
        _set(obj, "custody.conditional_release_date", "2001-01-01")
    elif kind == 3:
        _set(obj, "risk.rsr_percent", "1_0")
    elif kind == 4:
        _set(obj, "person.sex", "Q")
    elif kind == 5:
        _set(obj, "custody.conditional_release_date", "9999-12-31")
    elif kind == 6:
        return orjson.dumps(obj)[:-7]  # cut short: not valid JSON
    elif kind == 7:
        _set(obj, "event.sentence.length", "P99999999Y")
    elif kind == 8:
        _set(obj, "risk.tier", "E9")
    elif kind == 9:
        obj["case_ref"] = 12345
    elif kind == 10:
        _set(obj, "risk.rsr_percent", "\uff16.\uff19")  # full-width digits
    elif kind == 11:
        _set(obj, "event.sentence.date", "2026-02-30")
    elif kind == 12:  # text where numbers are expected, written as extracts write them
        _set(obj, "risk.rsr_percent", "7.5")
        _set(obj, "risk.mappa_level", "2")
    else:
        obj["resourcing"] = "enhanced"
    return orjson.dumps(obj)


def write_input() -> None:
    """The seeded cases, one line in 40 altered, gzipped."""
    sys.path.insert(0, str(ROOT / "src"))
    from omp.demo.generator import CaseGenerator

    rnd = random.Random(SEED)
    lines = []
    for case in CaseGenerator(SEED, AS_OF).cases(CASES):
        obj = case.facts
        lines.append(_alter(obj, rnd) if rnd.random() < 1 / 40 else orjson.dumps(obj))
    INPUT.write_bytes(gzip.compress(b"\n".join(lines) + b"\n", 9, mtime=0))


def write_decided() -> None:
    """``omp decide``'s output for the input, gzipped."""
    sys.path.insert(0, str(ROOT / "src"))
    from omp.interchange.decide import run_decide

    with tempfile.TemporaryDirectory() as folder:
        plain = Path(folder) / "cases.jsonl"
        plain.write_bytes(gzip.decompress(INPUT.read_bytes()))
        out = Path(folder) / "decided.jsonl"
        run_decide(plain, out, AS_OF, workers=1)
        DECIDED.write_bytes(gzip.compress(out.read_bytes(), 9, mtime=0))


def main() -> None:
    """Write the three golden files."""
    write_input()
    write_decided()
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", str(HERE)], cwd=ROOT,
                   check=True, env={**os.environ, "OMP_GOLDEN_WRITE": "1"})
    for path in (INPUT, DECIDED, RECORD):
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size / 1e3:,.0f} kB")


if __name__ == "__main__":
    main()
