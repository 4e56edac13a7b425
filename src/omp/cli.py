"""The ``omp`` command line: the same actions and analytics as the web, with progress bars."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from omp.outcomes.payment_cli import app as payment_app

app = typer.Typer(help="Offender management: allocation decisions, case record, interchange.",
                  no_args_is_help=True, add_completion=False)
policy_app = typer.Typer(help="Effective-dated policy versions (ALLOC-7).", no_args_is_help=True)
app.add_typer(policy_app, name="policy")
app.add_typer(payment_app, name="payment")
console = Console(stderr=True)


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omp.web.settings")
    import django

    django.setup()


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[note]}"), TimeElapsedColumn(), console=console)


@contextmanager
def _counting_bar(description: str, total: int) -> Iterator[Callable[[int, int], None]]:
    """A progress bar over ``total`` cases that also counts the decisions changed; yields
    the ``progress(examined, changed)`` callback the recompute runs take."""
    with _progress() as bar:
        task = bar.add_task(description, total=total, note="0 changed")
        changed = 0

        def advance(examined: int, changed_now: int) -> None:
            nonlocal changed
            changed += changed_now
            bar.update(task, advance=examined, note=f"{changed} changed")

        yield advance


def _count_lines(path: Path) -> int | None:
    if path.suffix in (".jsonl", ".ndjson"):
        # Counted by blocks, not lines: a million-line file in a fraction of a second. Blank
        # lines count too, so the bar's total is an upper bound.
        lines, last = 0, b"\n"
        with open(path, "rb") as handle:
            while block := handle.read(1 << 20):
                lines += block.count(b"\n")
                last = block[-1:]
        return lines + (last != b"\n")
    return None


@app.command()
def decide(
    input: Annotated[Path, typer.Option("--input", "-i", exists=True, dir_okay=False,
                                        help="Case facts: .jsonl, .jsonl.gz, .csv or .parquet")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Decisions, same formats")],
    policy: Annotated[str | None, typer.Option(help="Policy version (B, C, D, E) to use "
                                                    "instead of the one in force on as_of")] = None,
    today: Annotated[str | None, typer.Option(help="Date used when a line has no as_of "
                                                   "(default: today)")] = None,
) -> None:
    """Decide every case of INPUT into OUTPUT without touching the database."""
    from omp.interchange.decide import run_decide
    from omp.rules.policy import PolicyError

    on = date.fromisoformat(today) if today else date.today()
    total = _count_lines(input)
    with _progress() as bar:
        task = bar.add_task("Deciding", total=total, note="")
        try:
            summary = run_decide(input, output, on, policy,
                                 progress=lambda n: bar.advance(task, n))
        except PolicyError as error:
            console.print(f"[red]--policy: {error}[/red]")
            raise typer.Exit(2) from None
    console.print(f"{summary.lines} lines: {summary.decided} decided, {summary.errors} invalid "
                  f"→ {output}")
    raise typer.Exit(0 if summary.errors == 0 else 1)


@app.command("import")
def import_cases(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                         help="Case facts: .jsonl, .jsonl.gz, .csv or .parquet")],
    batch: Annotated[int, typer.Option(help="Lines per transaction")] = 500,
) -> None:
    """Load case facts into the database (each line an upsert of one case)."""
    _django()
    from omp.cases.importer import run_import

    with _progress() as bar:
        task = bar.add_task("Importing", total=_count_lines(path), note="")
        report = run_import(path, None, batch, progress=lambda n: bar.advance(task, n))
    console.print(f"{report.lines} lines: {report.created} created, {report.updated} updated, "
                  f"{len(report.errors)} rejected")
    if report.errors:
        table = Table("line", "case_ref", "field", "message", title="Rejected lines")
        for error in report.errors[:200]:
            table.add_row(str(error.line), error.case_ref or "", error.field, error.message)
        console.print(table)
        if len(report.errors) > 200:
            console.print(f"… and {len(report.errors) - 200} more")
        raise typer.Exit(1)


@app.command()
def export(
    output: Annotated[Path, typer.Option("--output", "-o",
                                         help="Decisions: .jsonl, .jsonl.gz, .csv or .parquet")],
) -> None:
    """Export the current decision of every case."""
    _django()
    from omp.decisions.export import export_decisions

    count = export_decisions(output)
    console.print(f"{count} decisions → {output}")


@app.command()
def nightly(
    as_of: Annotated[str | None, typer.Option(help="Decision date (default: today)")] = None,
    chunk: Annotated[int, typer.Option(help="Cases per transaction")] = 5_000,
    workers: Annotated[int, typer.Option(help="Processes deciding cases")] = os.cpu_count() or 1,
) -> None:
    """Recompute every case's decision (resumable; writes only decisions that changed)."""
    _django()
    from omp.cases.models import Person
    from omp.decisions.recompute import open_run, run_nightly

    on = date.fromisoformat(as_of) if as_of else date.today()
    run = open_run(on)
    remaining = Person.objects.filter(pk__gt=run.last_person_id).count()
    if run.examined:
        console.print(f"Resuming the run for {on} after {run.examined} cases")
    with _counting_bar(f"Recomputing {on}", remaining) as advance:
        run = run_nightly(on, chunk, progress=advance, workers=workers)
    console.print(f"Run {run.pk} for {on}: {run.examined} cases examined, {run.decided} "
                  f"with changed inputs decided afresh, {run.changed} decisions changed")
    _nightly_handover(on, workers)


def _nightly_handover(on: date, workers: int) -> None:
    """The handover part of the nightly run (HAND-1..3), after the allocation it reads."""
    from omp.cases.models import CustodySpell
    from omp.decisions.handover import run_nightly_handover
    from omp.decisions.recompute import open_run, policy_versions

    run = open_run(on, "handover")
    remaining = CustodySpell.objects.filter(is_current=True,
                                            person_id__gt=run.last_person_id).count()
    with _counting_bar(f"Handover {on}", remaining) as advance:
        run = run_nightly_handover(on, policy_versions(), progress=advance, workers=workers)
    console.print(f"Handover run {run.pk} for {on}: {run.examined} cases in custody, "
                  f"decisions changed: {run.changed}")


@app.command("what-if")
def what_if(
    policy: Annotated[str, typer.Option(help="Policy version to start from, e.g. E or "
                                             "LU-ENG-2027")],
    start: Annotated[str, typer.Option("--from", help="First day of the change, YYYY-MM-DD")],
    era: Annotated[str | None, typer.Option(help="Handover rules instead of the version's: "
                                                 "B, C, D or E")] = None,
    levelled_up: Annotated[bool, typer.Option(help="Every case in scope resourced as "
                                                   "enhanced")] = False,
    scope: Annotated[str | None, typer.Option(help="England, Wales or a region code")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the projection as JSON")]
    = False,
    workers: Annotated[int, typer.Option(help="Processes deciding cases")] = os.cpu_count() or 1,
) -> None:
    """HAND-4: month by month for 24 months, how many cases each PDU's COMs would take on
    if a policy change came into force on a date, against the policy in force."""
    _django()
    import json
    from dataclasses import replace

    from omp.decisions.models import CurrentHandover
    from omp.decisions.recompute import policy_versions
    from omp.decisions.what_if import project
    from omp.rules.policy import PolicyError, policy_named

    try:
        base = policy_named(policy_versions(), policy)
        first_day = date.fromisoformat(start)
    except PolicyError as error:
        console.print(f"[red]--policy: {error}[/red]")
        raise typer.Exit(2) from None
    except ValueError:
        console.print("[red]--from: enter a date as YYYY-MM-DD[/red]")
        raise typer.Exit(2) from None
    if era is not None and era not in ("B", "C", "D", "E"):
        console.print("[red]--era: must be B, C, D or E[/red]")
        raise typer.Exit(2)
    changed = era is not None or levelled_up or scope is not None
    scenario = replace(base, name=f"{base.name} (what-if)" if changed else base.name,
                       handover_era=era or base.handover_era,
                       levelled_up=levelled_up or base.levelled_up,
                       scope=scope or base.scope, effective_from=first_day)
    with _progress() as bar:
        task = bar.add_task("Projecting", note="",
                            total=CurrentHandover.objects.filter(responsibility__in=(
                                "POM_RESPONSIBLE", "POM_RESPONSIBLE_COM_SUPPORTING")).count())
        result = project(scenario, first_day, date.today(), workers=workers,
                         progress=lambda n: bar.advance(task, n))
    if as_json:
        print(json.dumps(result.to_dict(), indent=2))
        return
    months = Table("month", "policy in force", "with the change", "difference",
                   title=f"COM take-ons: {scenario.name}, era {scenario.handover_era}"
                         f"{', levelled up' if scenario.levelled_up else ''}"
                         f"{', ' + scenario.scope if scenario.scope else ''} from {start}")
    for month, base_n, new_n in result.monthly():
        months.add_row(month.strftime("%b %Y"), str(base_n), str(new_n), f"{new_n - base_n:+d}")
    pdus = Table("PDU", "policy in force", "with the change", "difference", "from")
    for code, name, base_n, new_n, first in result.by_pdu():
        pdus.add_row(f"{name} ({code})", str(base_n), str(new_n), f"{new_n - base_n:+d}",
                     first.strftime("%b %Y") if first else "no change")
    out = Console()
    out.print(months)
    out.print(pdus)
    out.print(f"{result.examined} people in custody with the POM responsible; the change "
              f"moves the take-on date for {result.moved} of them.")


@app.command()
def demo(
    cases: Annotated[int, typer.Option(help="Number of synthetic cases")] = 2_000,
    seed: Annotated[int, typer.Option(help="Random seed")] = 2026,
) -> None:
    """Fill an empty database with synthetic demo cases and users, then decide them all."""
    _django()
    from omp.cases.models import Person
    from omp.demo.load import load_demo

    if Person.objects.exists():
        console.print("The database already holds cases: demo data not loaded")
        return
    with _progress() as bar:
        task = bar.add_task("Generating cases", total=cases, note="")
        load_demo(cases, seed, progress=lambda n: bar.advance(task, n))
    nightly(as_of=None, chunk=5_000, workers=os.cpu_count() or 1)


@policy_app.command("list")
def policy_list() -> None:
    """Show every policy version and its scope."""
    _django()
    from omp.decisions.models import PolicyVersionRecord

    table = Table("name", "from", "scope", "levelled up", "handover era", "description")
    for record in PolicyVersionRecord.objects.all():
        table.add_row(record.name, record.effective_from.isoformat(), record.scope or "national",
                      "yes" if record.levelled_up else "no", record.handover_era,
                      record.description)
    Console().print(table)


@policy_app.command("schedule")
def policy_schedule(
    name: Annotated[str, typer.Argument(help="Version name, e.g. LU-ENG-2027")],
    effective_from: Annotated[str, typer.Option("--from", help="First day in force")],
    scope: Annotated[str | None, typer.Option(help="England, Wales or a region code; "
                                                   "omit for national")] = None,
    levelled_up: Annotated[bool, typer.Option(help="Remove the enhanced/normal distinction")]
    = False,
    handover_era: Annotated[str, typer.Option(help="Handover rules: B, C, D or E")] = "E",
    description: Annotated[str, typer.Option()] = "",
) -> None:
    """Schedule a policy version from a date, e.g. levelling up England."""
    _django()
    from omp.decisions.actions import PolicyInputError, schedule_policy

    try:
        record = schedule_policy(None, name, effective_from, scope, levelled_up, handover_era,
                                 description)
    except PolicyInputError as error:
        console.print(f"[red]{error.field}: {error.message}[/red]")
        raise typer.Exit(2) from None
    console.print(f"Scheduled {record}")


import omp.outcomes.gaming_cli  # noqa: E402, F401 - adds `omp gaming` (OUT-6)


def main() -> Any:
    """Entry point for ``python -m omp``."""
    return app()


from omp.outcomes.cli import register as register_outcomes  # noqa: E402 - added after the core

register_outcomes(app)
