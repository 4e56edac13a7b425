"""Commands of the decisions domain: ``import``, ``export``, ``nightly``, ``what-if`` and the
``policy`` group. ``commands`` is assembled into the ``omp`` command by ``omp.cli``."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from omp import clock
from omp.commandline import (
    console,
    count_lines,
    counting_bar,
    django_setup,
    option_date,
    progress_bar,
)

#: The decisions commands and groups, as the ``omp`` command shows them.
commands = typer.Typer()
policy_app = typer.Typer(help="Effective-dated policy versions (ALLOC-7).", no_args_is_help=True)
commands.add_typer(policy_app, name="policy")


@commands.command("import")
def import_cases(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                         help="Case facts: .jsonl, .jsonl.gz, .csv or .parquet")],
    batch: Annotated[int, typer.Option(help="Lines per transaction")] = 500,
) -> None:
    """Load case facts into the database (each line an upsert of one case)."""
    django_setup()
    from omp.decisions.importer import run_import

    with progress_bar() as bar:
        task = bar.add_task("Importing", total=count_lines(path), note="")
        report = run_import(path, None, batch, progress=lambda n: bar.advance(task, n))
    console.print(f"{report.lines} lines: {report.created} created, {report.updated} updated, "
                  f"{len(report.warnings)} warnings, {len(report.errors)} rejected")
    _print_lines("Warnings (the cases are kept and decided)", report.warnings)
    if report.unknown_pdus:
        console.print("PDU codes not in the reference data, for review: "
                      + ", ".join(sorted(report.unknown_pdus)))
    if report.errors:
        _print_lines("Rejected lines", report.errors)
        raise typer.Exit(1)


def _print_lines(title: str, rows: list[Any]) -> None:
    if not rows:
        return
    table = Table("line", "case_ref", "field", "message", title=title)
    for row in rows[:200]:
        table.add_row(str(row.line), row.case_ref or "", row.field, row.message)
    console.print(table)
    if len(rows) > 200:
        console.print(f"… and {len(rows) - 200} more")


@commands.command()
def export(
    output: Annotated[Path, typer.Option("--output", "-o",
                                         help="Decisions: .jsonl, .jsonl.gz, .csv or .parquet")],
) -> None:
    """Export the current decision of every case."""
    django_setup()
    from omp.decisions.export import export_decisions

    count = export_decisions(output)
    console.print(f"{count} decisions → {output}")


@commands.command()
def nightly(
    as_of: Annotated[str | None, typer.Option(help="Decision date (default: today)")] = None,
    chunk: Annotated[int, typer.Option(help="Cases per transaction")] = 5_000,
    workers: Annotated[int, typer.Option(help="Processes deciding cases")] = os.cpu_count() or 1,
) -> None:
    """Recompute every case's decision (resumable; writes only decisions that changed)."""
    on = option_date(as_of, "--as-of") if as_of else clock.today()
    django_setup()
    run_nightly_with_progress(on, chunk, workers)


def run_nightly_with_progress(on: date, chunk: int = 5_000,
                              workers: int = os.cpu_count() or 1) -> None:
    """The nightly run for ``on`` with a progress bar: every case's allocation and, for
    each case in custody, its handover (HAND-1..3), fed the allocation decided with it."""
    from omp.decisions.nightly import cases_left, open_runs, run_nightly
    from omp.decisions.recompute import cases_with_warnings

    runs = open_runs(on)
    if runs.allocation.examined:
        console.print(f"Resuming the run for {on} after {runs.allocation.examined} cases")
    with counting_bar(f"Deciding {on}", cases_left(on)) as advance:
        runs = run_nightly(on, chunk, progress=advance, workers=workers)
    allocation, handover = runs.allocation, runs.handover
    console.print(f"Run for {on}: {allocation.examined} cases examined, {allocation.decided} "
                  f"with changed inputs decided afresh, {allocation.changed} allocation "
                  f"decisions changed, {cases_with_warnings()} cases decided with warnings "
                  f"about their data; {handover.examined} cases in custody, "
                  f"{handover.changed} handover decisions changed")


@commands.command("what-if")
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
    django_setup()
    import json

    from omp.decisions.models import CurrentHandover
    from omp.decisions.recompute import policy_versions
    from omp.decisions.what_if import project, scenario
    from omp.rules.handover import HANDOVER_ERAS
    from omp.rules.policy import PolicyError, policy_named

    first_day = option_date(start, "--from")
    try:
        base = policy_named(policy_versions(), policy)
    except PolicyError as error:
        console.print(f"[red]--policy: {error}[/red]")
        raise typer.Exit(2) from None
    if era is not None and era not in HANDOVER_ERAS:
        console.print(f"[red]--era: must be {', '.join(HANDOVER_ERAS[:-1])} or "
                      f"{HANDOVER_ERAS[-1]}[/red]")
        raise typer.Exit(2)
    projected = scenario(base, first_day, era, levelled_up, scope)
    with progress_bar() as bar:
        task = bar.add_task("Projecting", note="",
                            total=CurrentHandover.objects.filter(responsibility__in=(
                                "POM_RESPONSIBLE", "POM_RESPONSIBLE_COM_SUPPORTING")).count())
        result = project(projected, first_day, clock.today(), workers=workers,
                         progress=lambda n: bar.advance(task, n))
    if as_json:
        print(json.dumps(result.to_dict(), indent=2))
        return
    months = Table("month", "policy in force", "with the change", "difference",
                   title=f"COM take-ons: {projected.name}, era {projected.handover_era}"
                         f"{', levelled up' if projected.levelled_up else ''}"
                         f"{', ' + projected.scope if projected.scope else ''} from {start}")
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


@policy_app.command("list")
def policy_list() -> None:
    """Show every policy version and its scope."""
    django_setup()
    from omp.decisions.models import PolicyVersionRecord

    table = Table("name", "from", "scope", "levelled up", "handover era", "description")
    records = list(PolicyVersionRecord.objects.order_by("effective_from", "name"))
    first = records[0].effective_from if records else None
    for record in records:
        # The earliest version applies to every date before the next: it has no start a
        # reader needs (its stored date is only the floor of the accepted range).
        since = ("the earliest records" if record.effective_from == first
                 else record.effective_from.isoformat())
        table.add_row(record.name, since, record.scope or "national",
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
    django_setup()
    from omp.decisions.actions import PolicyInputError, schedule_policy

    try:
        record = schedule_policy(None, name, effective_from, scope, levelled_up, handover_era,
                                 description)
    except PolicyInputError as error:
        console.print(f"[red]{error.field}: {error.message}[/red]")
        raise typer.Exit(2) from None
    console.print(f"Scheduled {record}")
