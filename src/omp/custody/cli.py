"""``omp custody``: custody case management from the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from omp.commandline import console, django_setup, progress_bar

#: The custody commands, as the ``omp`` command shows them.
commands = typer.Typer()
custody_app = typer.Typer(help="Custody case management (PATH-1..7).", no_args_is_help=True)
commands.add_typer(custody_app, name="custody")


@custody_app.command("tasks")
def refresh_all_tasks(
    chunk: Annotated[int, typer.Option(help="People per transaction")] = 5_000,
) -> None:
    """Set every person in custody's pathway tasks from their current decisions (after a
    bulk load; a change to a case does this itself)."""
    django_setup()
    from omp.custody.actions import refresh_everyone

    with progress_bar() as bar:
        task = bar.add_task("Tasks", total=None, note="")
        people, open_tasks = refresh_everyone(chunk, progress=lambda n: bar.advance(task, n))
    console.print(f"{people} people in custody: {open_tasks} tasks to do")
