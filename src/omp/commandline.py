"""What every domain's commands share: the error console, Django set-up, progress bars.

Each domain defines its commands in its own ``cli.py`` as a Typer app named ``commands``;
``omp.cli`` assembles them into the one ``omp`` command. None of them imports ``omp.cli``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

console = Console(stderr=True)


def option_date(text: str, option: str) -> date:
    """A date given on the command line (``YYYY-MM-DD``, in the accepted range), or a usage
    error naming the option."""
    import typer

    from omp.rules.inputs import date_problem, iso_date

    day = iso_date(text.strip())
    if day is None:
        raise typer.BadParameter(f"enter a real date as YYYY-MM-DD, not {text!r}",
                                 param_hint=option)
    problem = date_problem(day)
    if problem is not None:
        raise typer.BadParameter(f"the date {problem}", param_hint=option)
    return day


def django_setup() -> None:
    """Set Django up for a command that reads or writes the database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omp.web.settings")
    import django

    django.setup()


def progress_bar() -> Progress:
    """A progress bar on the error console: description, bar, count, a note and time."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[note]}"), TimeElapsedColumn(), console=console)


@contextmanager
def counting_bar(description: str, total: int) -> Iterator[Callable[[int, int], None]]:
    """A progress bar over ``total`` cases that also counts the decisions changed; yields
    the ``progress(examined, changed)`` callback the recompute runs take."""
    with progress_bar() as bar:
        task = bar.add_task(description, total=total, note="0 changed")
        changed = 0

        def advance(examined: int, changed_now: int) -> None:
            nonlocal changed
            changed += changed_now
            bar.update(task, advance=examined, note=f"{changed} changed")

        yield advance


def count_lines(path: Path) -> int | None:
    """The number of lines of a JSON Lines file (for a progress bar's total), else None."""
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
