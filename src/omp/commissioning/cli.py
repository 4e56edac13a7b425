"""``omp commissioning``: the contracts and their stage in the commissioning cycle, and
moving a contract through it (COM-1), from the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from omp.commandline import console, django_setup

#: The commissioning commands, as the ``omp`` command shows them.
commands = typer.Typer()
commissioning_app = typer.Typer(help="Commissioning: contracts, the commissioning cycle and "
                                     "KPIs (COM-1..4).", no_args_is_help=True)
commands.add_typer(commissioning_app, name="commissioning")


@commissioning_app.command("contracts")
def list_contracts(
    region: Annotated[str, typer.Option(help="Only this region's contracts (code)")] = "",
    cpa: Annotated[str, typer.Option(help="Only this contract package area's (code)")] = "",
) -> None:
    """Every commissioned contract with its prime provider and stage."""
    django_setup()
    from rich.table import Table

    from omp.commissioning.queries import Filters, contracts
    from omp.rules.commissioning_cycle import STAGE_WORDS

    table = Table("Reference", "Contract", "Prime provider", "Stage")
    for cc in contracts(Filters(region=region, cpa=cpa)):
        table.add_row(cc.contract.reference, cc.contract.name, cc.contract.prime_provider.name,
                      STAGE_WORDS.get(cc.stage or "", "Not started"))
    console.print(table)


@commissioning_app.command("move")
def move(
    reference: Annotated[str, typer.Argument(help="The contract's reference")],
    to_stage: Annotated[str, typer.Argument(help="plan, buy, do or review")],
    user: Annotated[str, typer.Option(help="The commissioner making the move (username)")],
    evidence: Annotated[str, typer.Option(help="The evidence seen for the stage left")] = "",
    reason: Annotated[str, typer.Option(help="Why, when it goes back a stage")] = "",
) -> None:
    """COM-1: move a contract to the next stage of the cycle (or back one, with a reason)."""
    django_setup()
    from django.contrib.auth import get_user_model
    from django.http import Http404

    from omp.commissioning.actions import CommissioningError, move_stage
    from omp.commissioning.queries import open_contract
    from omp.rules.commissioning_cycle import STAGE_WORDS

    acting = get_user_model().objects.filter(username=user).first()
    if acting is None:
        console.print(f"[red]No user named {user}[/red]")
        raise typer.Exit(2)
    try:
        contract = open_contract(reference)
    except Http404:
        console.print(f"[red]No contract with the reference {reference}[/red]")
        raise typer.Exit(2) from None
    try:
        done = move_stage(acting, contract, to_stage, evidence, reason)
    except CommissioningError as error:
        for field, message in error.problems:
            console.print(f"[red]{field}: {message}[/red]")
        raise typer.Exit(1) from None
    console.print(f"{contract.contract.name}: moved to {STAGE_WORDS[done.to_stage]}")


@commissioning_app.command("kpis")
def compute_kpi_figures(
    engine: Annotated[str, typer.Option(help="duckdb (embedded) or spark")] = "duckdb",
    as_of: Annotated[str, typer.Option("--as-of", help="The last month computed is this "
                                                      "day's (YYYY-MM-DD; today if not "
                                                      "given)")] = "",
    segments: Annotated[bool, typer.Option(
        "--segmentation/--no-segmentation",
        help="Then compute today's segmentation figures (COM-2)")] = True,
) -> None:
    """COM-3: compute every contract's KPIs month by month and keep the figures, with the
    time they were computed (the contract pages show them); then today's segmentation
    figures (COM-2) for the usual filters."""
    django_setup()
    from omp.clock import today
    from omp.commandline import option_date, progress_bar
    from omp.commissioning.kpis import compute_kpis, kpis_in_use
    from omp.outcomes.engine import ENGINES

    if engine not in ENGINES:
        raise typer.BadParameter(f"choose one of {', '.join(ENGINES)}, not {engine!r}",
                                 param_hint="--engine")
    day = option_date(as_of, "--as-of") if as_of else today()
    in_use = kpis_in_use()
    steps = len({kpi.definition.code for kpi in in_use}) + len(in_use)
    with progress_bar() as bar:
        task = bar.add_task(f"KPIs on {engine}", total=steps, note="")
        stored = compute_kpis(day, engine, progress=lambda note: bar.update(
            task, advance=1, note=note))
    console.print(f"{stored} KPI figures for {len(in_use)} contract KPIs up to "
                  f"{day:%B %Y}, on {engine}")
    if segments:
        _precompute_segmentation()


def _precompute_segmentation() -> None:
    from omp.commandline import progress_bar
    from omp.commissioning.segmentation import WHERE, precompute, usual_filters

    with progress_bar() as bar:
        task = bar.add_task("Segmentation", total=len(usual_filters()), note="")
        done = precompute(progress=lambda one: bar.update(
            task, advance=1, note=f"{WHERE[one.where]} {one.cpa or one.provider}".strip()))
    console.print(f"Segmentation figures for {done} filters, kept for today")


@commissioning_app.command("segmentation")
def compute_segmentation() -> None:
    """COM-2: compute today's segmentation figures for every area, each contract package
    area and each provider, and keep them with the time they were computed (the
    segmentation page reads them; the KPI run does this too)."""
    django_setup()
    _precompute_segmentation()
