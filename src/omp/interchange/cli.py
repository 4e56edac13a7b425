"""``omp decide``: case facts in, decisions out, without a database (docs/interchange.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from omp.commandline import console, count_lines, option_date, progress_bar

#: The interchange commands, as the ``omp`` command shows them.
commands = typer.Typer()


@commands.command()
def decide(
    input: Annotated[Path, typer.Option("--input", "-i", exists=True, dir_okay=False,
                                        help="Case facts: .jsonl, .jsonl.gz, .csv or .parquet")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Decisions, same formats")],
    policy: Annotated[str | None, typer.Option(help="Policy version (B, C, D, E) to use "
                                                    "instead of the one in force on as_of")] = None,
    today: Annotated[str | None, typer.Option(help="Date used when a line has no as_of "
                                                   "(default: today)")] = None,
    per_case: Annotated[bool, typer.Option(
        "--per-case", help="Decide every line one by one, without the column path (slower; "
                           "the decisions are the same)")] = False,
) -> None:
    """Decide every case of INPUT into OUTPUT without touching the database."""
    from omp import clock
    from omp.interchange.decide import run_decide
    from omp.rules.policy import PolicyError

    on = option_date(today, "--today") if today else clock.today()
    total = count_lines(input)
    with progress_bar() as bar:
        task = bar.add_task("Deciding", total=total, note="")
        try:
            summary = run_decide(input, output, on, policy,
                                 progress=lambda n: bar.advance(task, n), columns=not per_case)
        except PolicyError as error:
            console.print(f"[red]--policy: {error}[/red]")
            raise typer.Exit(2) from None
    console.print(f"{summary.lines} lines: {summary.decided} decided ({summary.warned} with "
                  f"warnings), {summary.errors} invalid → {output}")
    raise typer.Exit(0 if summary.errors == 0 else 1)


@commands.command()
def ogrs3(
    input: Annotated[Path, typer.Option("--input", "-i", exists=True, dir_okay=False,
                                        help="People: .jsonl, .jsonl.gz, .csv or .parquet")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Scores, same formats")],
) -> None:
    """Score every person of INPUT with OGRS3 (NEED-2) into OUTPUT, in input order."""
    from omp.interchange.ogrs3 import run_ogrs3

    with progress_bar() as bar:
        task = bar.add_task("Scoring", total=count_lines(input), note="")
        summary = run_ogrs3(input, output, progress=lambda n: bar.advance(task, n))
    console.print(f"{summary.lines} lines: {summary.scored} scored, {summary.errors} invalid "
                  f"→ {output}")
    raise typer.Exit(0 if summary.errors == 0 else 1)
