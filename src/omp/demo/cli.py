"""``omp demo``: a seeded synthetic caseload and one user per role, decided at once."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from omp import clock
from omp.commandline import console, django_setup, progress_bar

#: The demo command, as the ``omp`` command shows it.
commands = typer.Typer()


@commands.command()
def demo(
    cases: Annotated[int, typer.Option(help="Number of synthetic cases")] = 2_000,
    seed: Annotated[int, typer.Option(help="Random seed")] = 2026,
) -> None:
    """Fill an empty database with synthetic demo cases and users, then decide them all."""
    django_setup()
    from omp.cases.models import Person
    from omp.custody.cli import refresh_all_tasks
    from omp.decisions.cli import run_nightly_with_progress
    from omp.demo.load import load_demo

    if Person.objects.exists():
        console.print("The database already holds cases: demo data not loaded")
        return
    with progress_bar() as bar:
        task = bar.add_task("Generating cases", total=cases, note="")
        load_demo(cases, seed, progress=lambda n: bar.advance(task, n))
    run_nightly_with_progress(clock.today(), 5_000, os.cpu_count() or 1)
    refresh_all_tasks()
