"""Command line for the outcomes analytics: cohorts, measures, snapshot, court outcomes, the
synthetic history, payment by results and the gaming checks. ``commands`` is assembled into
the ``omp`` command by ``omp.cli``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from omp.commandline import console, django_setup, progress_bar
from omp.outcomes.gaming_cli import gaming_command
from omp.outcomes.payment_cli import app as payment_app

cohort_app = typer.Typer(help="Cohort definitions (OUT-1).", no_args_is_help=True)
court_app = typer.Typer(help="Court outcome records (OUT-2).", no_args_is_help=True)
outcomes_app = typer.Typer(help="Outcomes data: the synthetic national history.",
                           no_args_is_help=True)

DataOption = Annotated[Path, typer.Option("--data", help="Directory of Parquet tables")]


@cohort_app.command("list")
def cohort_list() -> None:
    """Show the built-in cohort names and what each means."""
    from omp.outcomes.cohorts import PATTERNS

    table = Table("name", "meaning", title="Built-in cohorts (OUT-1)")
    for pattern, meaning in PATTERNS:
        table.add_row(pattern, meaning)
    Console().print(table)
    Console().print("A JSON file with a cohort definition works wherever a name does; "
                    "`omp cohort show NAME --json` prints one to start from.")


@cohort_app.command("show")
def cohort_show(
    name: Annotated[str, typer.Argument(help="A built-in name or a cohort JSON file")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the definition as JSON")]
    = False,
) -> None:
    """Show a cohort's definition and its exclusions in plain words."""
    from omp.outcomes.cohorts import CohortError, resolve

    try:
        cohort = resolve(name)
    except CohortError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    if as_json:
        print(json.dumps(cohort.to_dict(), indent=2))
    else:
        Console().print(cohort.explain())


def measure_command(
    cohort: Annotated[str, typer.Option("--cohort", help="Built-in name or JSON file")],
    data: DataOption,
    by: Annotated[str | None, typer.Option(help="Group by prison, cpa or provider")] = None,
    kind: Annotated[str, typer.Option(help="binary_court (court convictions only) or "
                                           "proven (with cautions)")] = "binary_court",
    engine: Annotated[str, typer.Option(help="duckdb or spark")] = "duckdb",
    as_json: Annotated[bool, typer.Option("--json", help="Print results as JSON lines")]
    = False,
) -> None:
    """Measure reoffending for a cohort (OUT-2), with 95% intervals and exclusions."""
    from omp.outcomes.cohorts import CohortError
    from omp.outcomes.engine import EngineError, MissingTableError
    from omp.outcomes.measures import measure

    try:
        with console.status(f"Measuring {cohort} on {engine}"):
            results = measure(data, cohort, kind, by, engine)
    except (CohortError, ValueError, MissingTableError) as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    except EngineError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    if as_json:
        for result in results:
            print(json.dumps(result.to_dict()))
        return
    table = Table(by or "cohort", "size", "reoffenders", "rate %", "95% interval",
                  "reoffences", "per offender", "per reoffender", "mean OGRS3",
                  "excluded", title=f"{results[0].cohort if results else cohort}: {kind}")
    for r in results:
        table.add_row(r.group or r.cohort, str(r.size), str(r.reoffenders), f"{r.rate:.1f}",
                      f"{r.ci_low:.1f}–{r.ci_high:.1f}", str(r.reoffences),
                      f"{r.frequency_per_offender:.2f}", f"{r.frequency_per_reoffender:.2f}",
                      "" if r.mean_predicted_risk is None else f"{r.mean_predicted_risk:.1f}",
                      ", ".join(f"{k} {v}" for k, v in r.excluded.items()))
    Console().print(table)
    if len(results) == 1:
        Console().print(results[0].explanation)


def snapshot_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory for the tables")],
) -> None:
    """Write the case store's tables and index events to Parquet for the analytics."""
    django_setup()
    from omp.outcomes.snapshot import SCHEMAS, write_snapshot

    with progress_bar() as bar:
        task = bar.add_task("Snapshot", total=len(SCHEMAS), note="")
        counts = write_snapshot(output, progress=lambda name: bar.update(task, advance=1,
                                                                          note=name))
    for name, rows in counts.items():
        console.print(f"{name}: {rows} rows → {output / (name + '.parquet')}")
    compute_results_after_writing(output)


@court_app.command("import")
def court_import(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                         help="Court outcomes: .jsonl, .csv or .parquet")],
    data: DataOption,
    rejects: Annotated[Path | None, typer.Option(help="Where bad records go (JSON Lines)")]
    = None,
) -> None:
    """Check court outcome records and append the good ones to the data directory."""
    from omp.outcomes.court_outcomes import (
        PROBLEMS,
        CourtOutcomesFileError,
        import_court_outcomes,
    )

    with progress_bar() as bar:
        task = bar.add_task("Importing", total=None, note="")
        try:
            report = import_court_outcomes(path, data, rejects,
                                           progress=lambda n: bar.advance(task, n))
        except CourtOutcomesFileError as error:
            console.print(f"[red]{error}[/red]")
            raise typer.Exit(2) from None
    console.print(f"{report.read} records: {report.accepted} added, "
                  f"{report.rejected_total} rejected → {report.rejects_file}")
    if report.accepted:
        compute_results_after_writing(data)
    if report.rejected_total:
        table = Table("problem", "records", "example (line: field, message)",
                      title="Rejected records")
        for problem, count in sorted(report.rejected.items()):
            example = report.examples[problem][0]
            table.add_row(f"{problem}\n({PROBLEMS[problem]})", str(count),
                          f"{example.line}: {example.field}, {example.message}")
        console.print(table)
        raise typer.Exit(1)


@outcomes_app.command("generate")
def outcomes_generate(
    data: DataOption,
    index_events: Annotated[int, typer.Option("--index-events")] = 100_000,
    outcomes: Annotated[int, typer.Option("--outcomes")] = 1_000_000,
    seed: Annotated[int, typer.Option()] = 2026,
) -> None:
    """Write a seeded synthetic national history (index events, court outcomes and the
    monitoring tables) as Parquet."""
    from omp.outcomes.history import STEPS, generate

    with progress_bar() as bar:
        task = bar.add_task("Generating", total=len(STEPS), note="")
        summary = generate(data, index_events, outcomes, seed,
                           progress=lambda name: bar.update(task, advance=1, note=name))
    for name, rows in summary.tables.items():
        console.print(f"{name}: {rows} rows")
    compute_results_after_writing(data)


def compute_results_after_writing(data: Path, engine: str = "duckdb") -> None:
    """Compute the results pages' figures from the data just written (OUT-2..OUT-5), so no
    page waits for them; says so, or why not."""
    from omp.outcomes.results import has_data
    from omp.outcomes.stored_results import compute_and_store

    if not has_data(data):
        console.print("Results pages not computed: the data has no index events and court "
                      f"outcomes yet (then run `omp outcomes compute --data {data}`).")
        return
    with console.status(f"Computing the results pages' figures on {engine}"):
        result_set = compute_and_store(data, engine)
    console.print(f"Results pages: {result_set.places} places computed in "
                  f"{result_set.seconds:.1f} s → {result_set.folder}")


@outcomes_app.command("compute")
def outcomes_compute(
    data: DataOption = Path("var/analytics"),
    engine: Annotated[str, typer.Option(help="duckdb or spark")] = "duckdb",
) -> None:
    """Compute the outcomes results pages' figures from the analytics data and keep them
    with the time they were computed (done after generate, snapshot and court-outcomes
    import; run it after changing the data any other way, or from cron)."""
    from omp.outcomes.engine import ENGINES
    from omp.outcomes.results import has_data

    if engine not in ENGINES:
        console.print(f"[red]engine: must be one of {', '.join(ENGINES)}, not {engine!r}[/red]")
        raise typer.Exit(2)
    if not has_data(data):
        console.print(f"[red]{data}: no index_events.parquet and court_outcomes.parquet; "
                      f"write them with `omp outcomes generate --data {data}` or `omp "
                      "snapshot` and `omp court-outcomes import`[/red]")
        raise typer.Exit(2)
    compute_results_after_writing(data, engine)


#: The outcomes commands and groups, as the ``omp`` command shows them.
commands = typer.Typer()
commands.command("gaming")(gaming_command)
commands.command("measure")(measure_command)
commands.command("snapshot")(snapshot_command)
commands.add_typer(payment_app, name="payment")
commands.add_typer(cohort_app, name="cohort")
commands.add_typer(court_app, name="court-outcomes")
commands.add_typer(outcomes_app, name="outcomes")
