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
    areas = demo_local_areas()
    recorded = demo_release_areas(seed)
    console.print(f"{areas} local areas of prisons, {recorded} release address areas recorded")
    refresh_all_tasks()
    settled = settle_old_tasks(clock.today())
    console.print(f"{settled} tasks due more than {SETTLED_WEEKS} weeks ago marked done, as "
                  "a caseload kept up to date would have them")
    held, assessed = demo_caseloads(seed)
    console.print(f"{held} people allocated to {len(DEMO_CASE_MANAGERS)} case managers, "
                  f"{assessed} with a needs assessment")
    from omp.demo.referrals import demo_referrals

    made = demo_referrals(seed)
    console.print(f"{made} referrals sent to commissioned services over the contracts' year "
                  "so far, some concluded with an end-of-service report and the person's "
                  "feedback")
    if made:
        # The commissioners' pages start from figures, as after a night's KPI run.
        from omp.commissioning.cli import compute_kpi_figures

        compute_kpi_figures(engine="duckdb", as_of="", segments=True)


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


_SOUTH_YORKSHIRE = (("Barnsley", None), ("Doncaster", None), ("Rotherham", None),
                   ("Sheffield", "N52SHE"))
#: PATH-5: the areas the demo's local prisons serve (name, PDU code); the others have none
#: recorded, so that the demo shows what is said when it is not known.
DEMO_LOCAL_AREAS: dict[str, tuple[tuple[str, str | None], ...]] = {
    "DNI": _SOUTH_YORKSHIRE, "MDI": _SOUTH_YORKSHIRE, "HDI": _SOUTH_YORKSHIRE,
    "LEI": (("Leeds", "N52LEE"), ("Wakefield", None), ("Bradford", None)),
    "HMI": (("Hull and East Riding", "N52HUL"),),
    "NHI": (("Leeds", "N52LEE"), ("Sheffield", "N52SHE"), ("Hull and East Riding", "N52HUL")),
    "PVI": (("Camden and Islington", "N07CAM"), ("Hackney and City", "N07HAC")),
    "WWI": (("Croydon", "N07CRO"),),
    "BMI": (("Birmingham Central and South", "N55BIR"), ("Coventry", "N55COV"),
            ("Wolverhampton", "N55WOL")),
    "MRI": (("Manchester", "N50MAN"), ("Bolton", "N50BOL"),
            ("Stockport and Trafford", "N50STO")),
    "STI": (("Manchester", "N50MAN"), ("Liverpool", "N51LIV")),
    "LPI": (("Liverpool", "N51LIV"),),
    "EXI": (("Devon and Torbay", "N58DEV"), ("Cornwall and Isles of Scilly", "N58CON")),
    "CFI": (("Cardiff and the Vale", "N03UAT"), ("Gwent", "N03GWE")),
    "SWI": (("Swansea, Neath Port Talbot", "N03SWA"), ("Dyfed-Powys", "N03DYP")),
}


def demo_local_areas() -> int:
    """Record the local areas of the demo's prisons (idempotent; demo data only: a real
    service keeps them in the admin). Returns how many there are."""
    from omp.cases.models import Prison, ProbationDeliveryUnit
    from omp.custody.models import LocalArea

    prisons = {p.code: p for p in Prison.objects.filter(code__in=DEMO_LOCAL_AREAS)}
    pdus = {p.code: p for p in ProbationDeliveryUnit.objects.all()}
    for code, areas in DEMO_LOCAL_AREAS.items():
        if code not in prisons:
            continue
        for name, pdu in areas:
            LocalArea.objects.get_or_create(prison=prisons[code], name=name,
                                            defaults={"pdu": pdus.get(pdu or "")})
    return LocalArea.objects.count()


def demo_release_areas(seed: int) -> int:
    """Record a release address area for most people in custody (demo data only): half in
    their prison's local area where it has one, some near their COM's PDU, and about one in
    seven not recorded yet. Returns how many were recorded."""
    import random

    from omp.cases.models import CustodySpell

    rng = random.Random(seed + 3)
    chosen: dict[str, list[int]] = {}
    for pk, prison, pdu in (CustodySpell.objects.filter(is_current=True).order_by("pk")
                            .values_list("pk", "prison_code", "person__pdu__name")):
        draw, local = rng.random(), DEMO_LOCAL_AREAS.get(prison)
        area = (rng.choice(local)[0] if local and draw < 0.5 else
                (pdu or "") if draw < 0.86 else "")
        if area:
            chosen.setdefault(area, []).append(pk)
    for area, pks in chosen.items():
        CustodySpell.objects.filter(pk__in=pks).update(release_address_area=area)
    return sum(len(pks) for pks in chosen.values())


#: Demo tasks due longer ago than this are shown as done: a real caseload has done them.
SETTLED_WEEKS = 3


def settle_old_tasks(today: date) -> int:
    """Mark the demo's tasks due more than :data:`SETTLED_WEEKS` weeks before ``today`` as
    done on their due date (demo data only: real tasks are done through the case page)."""
    from django.db.models import F

    from omp.custody.models import DONE, OPEN, Task

    return Task.objects.filter(status=OPEN, due__lt=today - timedelta(weeks=SETTLED_WEEKS)
                               ).update(status=DONE, completed_at=F("due"))
