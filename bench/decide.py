"""Benchmark: ``omp decide`` against a plain per-row script over the same file (not a test).

    .venv/bin/python bench/decide.py [--cases 1000000] [--file cases.jsonl]
    .venv/bin/python bench/decide.py --profile [--profile-cases 20000]

Generates the seeded synthetic bench file with the project's generator when it is missing
(kept under the temporary directory, so a second run reuses it), then times in one run

- (a) ``bench/baseline_decide.py``: a single-process, per-row script written from the
  shared documents with the standard library's ``json`` (allocation, era E handover, POM
  type), and
- (b) ``.venv/bin/omp decide --input … --output …`` over the same file,
- (c) the same ``decide`` with the custody pathway (PATH-1) switched off, so that (b) − (c)
  is the pathway's share, against its target (≤ 10% of (c)),
- (d) the same ``decide`` with ``--per-case``: every line decided one by one, without the
  column path, so that (b) / (d) is what the column path buys,

printing for each the wall time, cases per second and the peak resident memory of its
process tree ((b), (c) and (d) in turn, ``--repeat`` times, the fastest of each kept), then the
ratio decide / baseline against the target (≤ 0.3×, aim 0.15×), decide's peak against 2 GB
and the pathway's share. Last, it compares the two outputs line by line and prints the share
of lines on which they agree (allocation outcome; responsibility and dates; POM type).

``--profile`` instead runs ``omp decide`` under cProfile on a smaller file, twice: as the
command runs (the main process only: reading, waiting for its workers, writing) and with
its process pool replaced by an in-process one, so that the workers' parse, rules and write
are in the profile. It prints the top 30 functions by cumulative time and the time split.

It reuses the process-tree measurement of ``bench/recompute.py``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import Future
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
_SPEC = importlib.util.spec_from_file_location("bench_recompute", ROOT / "bench" / "recompute.py")
assert _SPEC and _SPEC.loader
recompute = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(recompute)

AS_OF = recompute.AS_OF
SEED = 2026
TARGET_RATIO = 0.3
AIM_RATIO = 0.15
TARGET_RSS_MB = 2048.0
#: The pathway may add at most this share to ``decide``'s time (PATH-1's bar).
PATHWAY_SHARE_TARGET = 0.10
BASELINE = ROOT / "bench" / "baseline_decide.py"

#: Where the time of ``omp decide`` goes, by the functions that do each part (the names in
#: ``omp.interchange`` today; a part whose functions are gone is reported as not found).
SPLIT = {
    "parse (JSON to objects)": ("decode",),
    "parse (objects to case facts)": ("parse_case",),
    "rules (policy, allocation, handover, POM type)": ("decide_everything",),
    "write (decision object, JSON)": ("decision_dict", "jsonl_text"),
}


# --- the bench file ----------------------------------------------------------------------


def bench_file(cases: int, path: Path | None) -> Path:
    """The seeded bench file of ``cases`` lines, generated with the project's generator when
    it is missing (written aside and renamed, so a stopped run leaves no half file)."""
    if path is None:
        folder = Path(tempfile.gettempdir()) / "omp-bench"
        path = folder / f"cases-{cases}-seed{SEED}-{AS_OF.isoformat()}.jsonl"
    if path.exists():
        print(f"(bench file {path}: {path.stat().st_size / 1e6:,.0f} MB, reused)", flush=True)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT / "src"))
    from omp.demo.generator import export_cases_jsonl

    started = time.perf_counter()
    partial = path.with_name(path.name + ".part")
    export_cases_jsonl(partial, cases, seed=SEED, as_of=AS_OF)
    partial.rename(path)
    print(f"(generated {path}: {path.stat().st_size / 1e6:,.0f} MB in "
          f"{time.perf_counter() - started:.1f} s)", flush=True)
    return path


def _omp() -> list[str]:
    script = ROOT / ".venv" / "bin" / "omp"
    return [str(script)] if script.exists() else [sys.executable, "-m", "omp"]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src"), "TERM": "dumb"}


# --- agreement ---------------------------------------------------------------------------


def agreement(baseline: Path, decided: Path) -> dict[str, Any]:
    """Compare the two decision files line by line (they are both in input order)."""
    lines = 0
    same: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    gaps: Counter[tuple[str, ...]] = Counter()
    examples: dict[tuple[str, ...], str] = {}
    with open(baseline, encoding="utf-8") as left, open(decided, encoding="utf-8") as right:
        for one, other in zip(left, right, strict=True):
            ours, theirs = json.loads(one), json.loads(other)
            lines += 1
            if "error" in ours or "error" in theirs:
                key: tuple[str, ...] = ("error", str("error" in ours), str("error" in theirs))
                gaps[key] += 1
                examples.setdefault(key, str(ours.get("case_ref")))
                continue
            pairs = [("allocation outcome", ours["allocation"]["outcome"],
                      theirs["allocation"]["outcome"])]
            here, there = ours["handover"], theirs["handover"]
            if here is not None or there is not None:
                pairs.append(("handover responsibility and dates",
                              _handover_key(here), _handover_key(there)))
                pairs.append(("POM type", ours["pom_type"], theirs["pom_type"]))
            for name, mine, yours in pairs:
                seen[name] += 1
                if mine == yours:
                    same[name] += 1
                else:
                    key = (name, json.dumps(mine), json.dumps(yours))
                    gaps[key] += 1
                    examples.setdefault(key, ours["case_ref"])
    return {"lines": lines,
            "share": {name: same[name] / seen[name] for name in seen},
            "compared": dict(seen),
            "gaps": [{"what": key[0], "baseline": key[1], "decide": key[2], "lines": count,
                      "example": examples[key]} for key, count in gaps.most_common(8)]}


def _handover_key(handover: dict[str, Any] | None) -> Any:
    if handover is None:
        return None
    return [handover.get("responsibility"), handover.get("start_date"),
            handover.get("handover_date")]


# --- the timed run -----------------------------------------------------------------------


def _row(name: str, cases: int, seconds: float, rss: float) -> dict[str, Any]:
    return {"measure": name, "cases": cases, "seconds": round(seconds, 2),
            "cases_per_s": round(cases / seconds) if seconds else None,
            "peak_rss_mb": round(rss)}


def _print(row: dict[str, Any]) -> None:
    print(f"{row['measure']:<34} {row['seconds']:>8.2f} s  {row['cases_per_s'] or 0:>9,} "
          f"cases/s  peak RSS {row['peak_rss_mb']:>6,} MB", flush=True)


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """``recompute.measure`` (wall seconds, peak tree RSS) and the CPU seconds, user and
    system, of the command and the workers it waited for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds, rss, _ = recompute.measure(command, env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, rss, cpu


def run(cases: int, path: Path | None, output: Path | None, repeat: int = 2) -> None:
    """Time the baseline and ``omp decide`` over the same file; print ratios and agreement."""
    source = bench_file(cases, path)
    env = _env()
    print(f"{cases:,} cases, {os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory(prefix="omp-bench-") as folder:
        scratch = Path(folder)
        ours, theirs = scratch / "baseline.jsonl", scratch / "decisions.jsonl"
        seconds, rss, _ = recompute.measure(
            [sys.executable, str(BASELINE), "--input", str(source), "--output", str(ours),
             "--today", AS_OF.isoformat()], env)
        baseline = _row("(a) baseline script, one process", cases, seconds, rss)
        _print(baseline)
        # (b) and (c) run in turn, ``repeat`` times each, and the fastest of each is kept:
        # the pathway's share is a few per cent, less than the spread of one run to the next
        # on a shared machine.
        runs: dict[str, list[tuple[float, float, float]]] = {"b": [], "c": [], "d": []}
        for _ in range(repeat):
            runs["b"].append(_timed(
                [*_omp(), "decide", "--input", str(source), "--output", str(theirs),
                 "--today", AS_OF.isoformat()], env))
            # (d) every line one by one, without the column path: what that path buys.
            runs["d"].append(_timed(
                [*_omp(), "decide", "--input", str(source), "--output",
                 str(scratch / "per-case.jsonl"), "--today", AS_OF.isoformat(), "--per-case"],
                env))
            runs["c"].append(_timed(
                [sys.executable, str(Path(__file__).resolve()), "--step", "without-pathway",
                 "--input", str(source), "--output", str(scratch / "no-pathway.jsonl")],
                env))
        for key in ("b", "c", "d"):
            print(f"({key}) runs: " + ", ".join(f"{wall:.2f} s ({cpu:.2f} s of CPU)"
                                                for wall, _, cpu in runs[key]), flush=True)
        decided = _row("(b) omp decide (fastest)", cases, *min(runs["b"])[:2])
        _print(decided)
        without = _row("(c) omp decide, no pathway (fastest)", cases, *min(runs["c"])[:2])
        _print(without)
        one_by_one = _row("(d) omp decide --per-case (fastest)", cases, *min(runs["d"])[:2])
        _print(one_by_one)
        print(f"the column path: (b) takes {decided['seconds'] / one_by_one['seconds']:.2f}× "
              "the time of (d)", flush=True)
        # CPU seconds (the process and its workers) move less than wall time when other
        # work shares the cores: the share on them is printed beside the wall-time one.
        cpu_b, cpu_c = min(r[2] for r in runs["b"]), min(r[2] for r in runs["c"])
        cpu_share = (cpu_b - cpu_c) / cpu_c
        print(f"the pathway's share of CPU time: {cpu_b - cpu_c:+.2f} s, {cpu_share:+.1%} "
              f"(least CPU of each: {cpu_b:.2f} s against {cpu_c:.2f} s)", flush=True)
        share = (decided["seconds"] - without["seconds"]) / without["seconds"]
        print(f"the pathway's share: {decided['seconds'] - without['seconds']:+.2f} s, "
              f"{share:+.1%} of (c) (target ≤ {PATHWAY_SHARE_TARGET:.0%}: "
              f"{'met' if share <= PATHWAY_SHARE_TARGET else 'over'})", flush=True)
        ratio = decided["seconds"] / baseline["seconds"]
        memory = decided["peak_rss_mb"] / TARGET_RSS_MB
        verdict = "met" if ratio <= TARGET_RATIO else f"{ratio / TARGET_RATIO:.1f}× over"
        print(f"decide / baseline: {ratio:.2f}× (target ≤ {TARGET_RATIO}×, aim "
              f"{AIM_RATIO}×: {verdict}); decide's peak RSS {decided['peak_rss_mb']:,} MB = "
              f"{memory:.2f}× the {TARGET_RSS_MB / 1024:.0f} GB target", flush=True)
        agreed = agreement(ours, theirs)
        for name, share in agreed["share"].items():
            print(f"agreement on {name}: {share:.2%} of {agreed['compared'][name]:,} lines",
                  flush=True)
        for gap in agreed["gaps"]:
            print(f"  {gap['lines']:>8,} × {gap['what']}: baseline {gap['baseline']}, decide "
                  f"{gap['decide']} (e.g. {gap['example']})", flush=True)
    if output:
        output.write_text(json.dumps(
            {"cases": cases, "baseline": baseline, "decide": decided,
             "decide_per_case": one_by_one,
             "decide_without_pathway": without, "pathway_share": round(share, 3),
             "pathway_cpu_share": round(cpu_share, 3),
             "ratio": round(ratio, 3), "target_ratio": TARGET_RATIO, "aim_ratio": AIM_RATIO,
             "rss_vs_target": round(memory, 3), "agreement": agreed}, indent=2) + "\n")


# --- the profile -------------------------------------------------------------------------


class _InProcess:
    """Stands in for ``ProcessPoolExecutor``: runs each job at once in this process, so
    cProfile sees the work the workers would do."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __enter__(self) -> _InProcess:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def submit(self, task: Any, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_result(task(*args, **kwargs))
        return future

    def map(self, task: Any, *iterables: Any, **kwargs: Any) -> Any:
        return map(task, *iterables)

    def shutdown(self, *args: Any, **kwargs: Any) -> None:
        return None


def _decide_in_this_process(source: str, output: str) -> None:
    """Run ``omp decide`` as the command line would, in this (patched) process."""
    from omp.cli import app

    try:
        app(["decide", "--input", source, "--output", output, "--today", AS_OF.isoformat()],
            prog_name="omp")
    except SystemExit as done:
        if done.code not in (0, None):
            raise


def step_in_process(source: str, output: str) -> None:
    """``omp decide`` with every process pool of the ``omp`` modules run in this process."""
    sys.path.insert(0, str(ROOT / "src"))
    from concurrent.futures import ProcessPoolExecutor

    import omp.cli  # noqa: F401  (the command's modules, loaded before their pools are replaced)
    import omp.interchange.decide  # noqa: F401  (loads the modules whose pools are replaced)

    patched = []
    for name, module in list(sys.modules.items()):
        if name.startswith("omp") and getattr(module, "ProcessPoolExecutor", None) \
                is ProcessPoolExecutor:
            module.ProcessPoolExecutor = _InProcess  # type: ignore[attr-defined]
            patched.append(name)
    print(f"(process pools run in-process in: {', '.join(patched) or 'none found'})",
          file=sys.stderr, flush=True)
    _decide_in_this_process(source, output)


def step_without_pathway(source: str, output: str) -> None:
    """``omp decide`` with the pathway rule answering "not decided" for every case, on both
    paths; the workers are forked, so they inherit the replacements."""
    sys.path.insert(0, str(ROOT / "src"))
    from types import SimpleNamespace

    from omp.interchange import columns
    from omp.rules import pipeline

    pipeline.decide_pathway = lambda facts: None  # type: ignore[assignment,return-value]
    # The column path: the pathway tree replaced by a row that never holds.
    columns.PATHWAY_FAMILY = SimpleNamespace(  # type: ignore[assignment]
        sql_first=lambda: "CAST(NULL AS STRUCT(rule VARCHAR, kind VARCHAR, field VARCHAR, "
        "value JSON, date DATE, explanation VARCHAR, outcome JSON))")
    _decide_in_this_process(source, output)


def _split(stats: pstats.Stats) -> None:
    """Cumulative seconds of the project's functions named in ``SPLIT`` (``stats`` with its
    full paths, so that only ``omp`` modules count)."""
    by_name: dict[str, float] = {}
    for (path, _, function), row in stats.stats.items():  # type: ignore[attr-defined]
        if f"{os.sep}omp{os.sep}" in path:
            by_name[function] = by_name.get(function, 0.0) + row[3]
    total = stats.total_tt  # type: ignore[attr-defined]
    run = by_name.get("run_decide", 0.0)
    print(f"time split, cumulative seconds under the profiler (its overhead weighs most on "
          f"code that makes many small calls), of {total:.2f} s:")
    rows = [("start-up: imports, the command around run_decide", total - run, "")]
    parts = 0.0
    for part, functions in SPLIT.items():
        found = [name for name in functions if name in by_name]
        seconds = sum(by_name[name] for name in found)
        parts += seconds
        rows.append((part, seconds if found else None, f"[{', '.join(functions)}]"))
    rows.append(("rest of run_decide: spans, the pool, writing the file", run - parts, ""))
    for part, seconds, names in rows:
        figure = "    (not found)" if seconds is None else \
            f"{seconds:7.2f} s {seconds / total:6.1%}"
        print(f"  {part:<54} {figure}  {names}")


def profile(cases: int, path: Path | None, keep: Path | None) -> None:
    """Profile ``omp decide`` on a ``cases``-line file; print the top 30 and the split."""
    source = bench_file(cases, path)
    env = _env()
    folder = keep or Path(tempfile.mkdtemp(prefix="omp-profile-"))
    folder.mkdir(parents=True, exist_ok=True)
    out = str(folder / "decisions.jsonl")
    parent, worker = folder / "decide-main.prof", folder / "decide-in-process.prof"
    subprocess.run([sys.executable, "-m", "cProfile", "-o", str(parent), "-m", "omp", "decide",
                    "--input", str(source), "--output", out, "--today", AS_OF.isoformat()],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, "-m", "cProfile", "-o", str(worker),
                    str(Path(__file__).resolve()), "--step", "in-process", "--input",
                    str(source), "--output", out], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    print(f"\n=== omp decide as it runs: the main process only, by own time ({parent}) ===",
          flush=True)
    pstats.Stats(str(parent)).strip_dirs().sort_stats("tottime").print_stats(12)
    print(f"\n=== omp decide with its workers' work in-process ({worker}) ===", flush=True)
    stats = pstats.Stats(str(worker))
    _split(stats)
    stats.strip_dirs().sort_stats("cumulative").print_stats(30)
    print("=== the same, top 20 by own time ===", flush=True)
    stats.sort_stats("tottime").print_stats(20)
    print(f"\nprofiles kept in {folder} (python -m pstats {worker})", flush=True)


def main() -> None:
    """Run the benchmark or the profile; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--file", type=Path, help="The bench file (default: generated)")
    parser.add_argument("--json", type=Path, help="Also write the figures to this file")
    parser.add_argument("--repeat", type=int, default=2,
                        help="Runs of (b) and (c) each, in turn; the fastest counts")
    parser.add_argument("--profile", action="store_true",
                        help="Profile omp decide on --profile-cases cases instead")
    parser.add_argument("--profile-cases", type=int, default=20_000)
    parser.add_argument("--profile-dir", type=Path, help="Keep the profiles here")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step == "in-process":
        return step_in_process(args.input, args.output)
    if args.step == "without-pathway":
        return step_without_pathway(args.input, args.output)
    if args.profile:
        return profile(args.profile_cases, args.file, args.profile_dir)
    run(args.cases, args.file, args.json, args.repeat)


if __name__ == "__main__":
    main()
