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
    held, assessed = demo_caseloads(seed)
    console.print(f"{held} people allocated to {len(DEMO_CASE_MANAGERS)} case managers, "
                  f"{assessed} with a needs assessment")
    from omp.demo.referrals import demo_referrals

    made = demo_referrals(seed)
    console.print(f"{made} referrals sent to commissioned services, some concluded with an "
                  "end-of-service report and the person's feedback")


#: The demo's custody case managers at HMP Doncaster (username, first and last name) and
#: how many people each holds: one near the cap, one within, one below the floor.
DEMO_CASE_MANAGERS = (("case_manager", "Priya", "Sharma", 57),
                      ("case_manager_2", "Tom", "Walsh", 48),
                      ("case_manager_3", "Aisha", "Okafor", 35))


def demo_caseloads(seed: int) -> tuple[int, int]:
    """Allocate the demo's case managers to people in custody, through the same action as
    the allocation page, and record needs assessments for most of them (demo data only)."""
    import random

    from django.contrib.auth.models import Group, User

    from omp.access import ADMIN, CASE_MANAGER
    from omp.cases.models import Person
    from omp.custody.actions import allocate_case_manager, record_needs_assessment
    from omp.custody.models import NEED_AREAS
    from omp.demo.load import DEMO_PASSWORD

    rng = random.Random(seed)
    admin = User.objects.get(username=ADMIN)
    people = list(Person.objects.filter(custody_spells__is_current=True).distinct()
                  .order_by("pk")[:sum(n for *_, n in DEMO_CASE_MANAGERS)])
    held = assessed = 0
    for username, first, last, count in DEMO_CASE_MANAGERS:
        manager, made = User.objects.get_or_create(username=username, defaults={
            "first_name": first, "last_name": last})
        if made:
            manager.set_password(DEMO_PASSWORD)
            manager.save()
            manager.groups.add(Group.objects.get(name=CASE_MANAGER))
        else:
            User.objects.filter(pk=manager.pk).update(first_name=first, last_name=last)
        for person in people[held:held + count]:
            allocate_case_manager(admin, person, manager, "custody")
            if rng.random() < 0.7:
                levels = {area: rng.choices(("none", "low", "medium", "high"),
                                            (3, 4, 3, 1))[0] for area, _ in NEED_AREAS}
                record_needs_assessment(admin, person, levels, {})
                assessed += 1
        held += min(count, max(len(people) - held, 0))
    return held, assessed


#: Demo tasks due longer ago than this are shown as done: a real caseload has done them.
SETTLED_WEEKS = 3


def settle_old_tasks(today: date) -> int:
    """Mark the demo's tasks due more than :data:`SETTLED_WEEKS` weeks before ``today`` as
    done on their due date (demo data only: real tasks are done through the case page)."""
    from django.db.models import F

    from omp.custody.models import DONE, OPEN, Task

    return Task.objects.filter(status=OPEN, due__lt=today - timedelta(weeks=SETTLED_WEEKS)
                               ).update(status=DONE, completed_at=F("due"))
