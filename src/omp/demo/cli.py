"""``omp demo``: a seeded synthetic caseload and one user per role, decided at once."""

from __future__ import annotations

import os
from datetime import date, timedelta
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
    settled = settle_old_tasks(clock.today())
    console.print(f"{settled} tasks due more than {SETTLED_WEEKS} weeks ago marked done, as "
                  "a caseload kept up to date would have them")


#: Demo tasks due longer ago than this are shown as done: a real caseload has done them.
SETTLED_WEEKS = 3


def settle_old_tasks(today: date) -> int:
    """Mark the demo's tasks due more than :data:`SETTLED_WEEKS` weeks before ``today`` as
    done on their due date (demo data only: real tasks are done through the case page)."""
    from django.db.models import F

    from omp.custody.models import DONE, OPEN, Task

    return Task.objects.filter(status=OPEN, due__lt=today - timedelta(weeks=SETTLED_WEEKS)
                               ).update(status=DONE, completed_at=F("due"))
