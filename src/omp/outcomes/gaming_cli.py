"""``omp gaming``: the OUT-6 gaming checks from the command line, as on the monitoring page.

``omp.outcomes.cli`` adds the command to the outcomes commands.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from omp.config import get_settings
from omp.rules.gaming_thresholds import INTENSITY_THRESHOLD, TRANSFER_WEEKS


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _date(value: str | None, field: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"not a date (YYYY-MM-DD): {value!r}", param_hint=field) from None


def gaming_command(
    data: Annotated[Path | None, typer.Option("--data", help="Directory of the analytics "
                                              "Parquet tables (default: <var_dir>/analytics)")]
    = None,
    engine: Annotated[str, typer.Option(help="duckdb (embedded) or spark (local)")] = "duckdb",
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures and readings as "
                                          "JSON")] = False,
    weeks: Annotated[int, typer.Option(help="Transfers out within this many weeks before "
                                       "release")] = TRANSFER_WEEKS,
    threshold: Annotated[float, typer.Option(help="Parking threshold: a band's minutes per "
                                             "person over its pathway's")]
    = INTENSITY_THRESHOLD,
    baseline_from: Annotated[str | None, typer.Option(help="Baseline period start (with "
                                                      "--baseline-to, --from, --to)")] = None,
    baseline_to: Annotated[str | None, typer.Option(help="Baseline period end")] = None,
    current_from: Annotated[str | None, typer.Option("--from", help="Current period start")]
    = None,
    current_to: Annotated[str | None, typer.Option("--to", help="Current period end")] = None,
    prison: Annotated[str | None, typer.Option(help="Show this prison's transfers only "
                                               "(e.g. DNI)")] = None,
    examples: Annotated[bool, typer.Option(help="Include example case references for the "
                                           "duplication check")] = False,
) -> None:
    """Monitoring for gaming (OUT-6): parking and cherry-picking, transfers out before
    release, the same need worked on by two agencies. Figures about fewer than 10 people are
    suppressed (COM-4)."""
    # Loaded here: the checks bring the analytics engines, which every other command of
    # ``omp`` would otherwise load at start (about a third of a second).
    from omp.outcomes import gaming

    console = Console(stderr=True)
    if engine not in ("duckdb", "spark"):
        raise typer.BadParameter("must be duckdb or spark", param_hint="--engine")
    if weeks < 1:
        raise typer.BadParameter("must be 1 or more", param_hint="--weeks")
    if not 0 < threshold < 1:
        raise typer.BadParameter("must be between 0 and 1", param_hint="--threshold")
    try:
        baseline = gaming.Baseline(_date(baseline_from, "--baseline-from"),
                                   _date(baseline_to, "--baseline-to"),
                                   _date(current_from, "--from"), _date(current_to, "--to"))
        checks = gaming.load_checks(data or get_settings().var_dir / "analytics", engine,
                                    weeks=weeks, threshold=threshold, baseline=baseline,
                                    with_examples=examples, prison=prison)
    except (gaming.GamingInputError, gaming.MissingAnalyticsData) as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps([{
            "check": check.key, "title": check.title, "rule": check.rule,
            "readings": check.readings,
            "rows": [{key: _plain(value) for key, value in row.items()} for row in check.rows],
            "examples": [{key: _plain(value) for key, value in row.items()}
                         for row in check.examples],
        } for check in checks], indent=2))
        return
    out = Console()
    for check in checks:
        table = Table(title=check.title)
        for column in check.columns:  # figures right-aligned, as on the page
            table.add_column(column.label, justify="left" if column.kind in gaming.WORD_KINDS
                             else "right")
        for row in check.rows:
            # escaped: Rich would read "[c]" as markup and print nothing
            table.add_row(*(escape(gaming.figure_in_words(row.get(column.key), column.kind,
                                                          column.key in row["suppressed"]))
                            for column in check.columns))
        out.print(table)
        for reading in check.readings:
            out.print(f"  {escape(reading)}")
        for example in check.examples:
            need = gaming.NEEDS.get(example["need"], example["need"])
            out.print(f"  e.g. {example['case_ref']}: {need}, {example['agency_a']} "
                      f"and {example['agency_b']}, {example['overlap_days']} days")
        out.print()
