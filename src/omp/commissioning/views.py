"""Commissioning pages (COM-1): the contracts with their stage in the commissioning cycle,
filterable by region, contract package area and provider; one contract in depth (its
specification, KPIs, unit costs, cycle and history, windows and supply chain); moving a
contract through the cycle; and the organisation. For commissioners, contract managers,
analysts and admins: aggregates only, never a person's record (COM-4)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from omp import csv_safe
from omp.access import (
    COMMISSIONING_READERS,
    CONTRACT_MANAGER,
    CYCLE_MOVERS,
    has_role,
    role_required,
)
from omp.commissioning.actions import CommissioningError, move_stage
from omp.commissioning.forms import FilterForm, MoveForm
from omp.commissioning.kpi_report import CSV_COLUMNS, contract_kpis, csv_rows
from omp.commissioning.queries import (
    Filters,
    contracts,
    cycle,
    disclosure_threshold,
    filter_choices,
    moves_for,
    open_contract,
    organisation,
    stage_history,
    supply_chain,
)
from omp.rules.commissioning_cycle import STAGE_WORDS


def read_filters(request: HttpRequest, choices: dict[str, list[tuple[str, str]]] | None = None
                 ) -> tuple[FilterForm, Filters]:
    """The filters typed in the query string, checked against the choices (``filter_choices``
    unless given); a choice not in the list is an error on its field, and the list is shown
    unfiltered by it."""
    form = FilterForm(request.GET, choices if choices is not None else filter_choices())
    form.is_valid()
    return form, Filters(**{name: form.cleaned_data.get(name) or ""
                            for name in ("region", "cpa", "provider")})


@require_GET
@role_required(COMMISSIONING_READERS)
def contract_list(request: HttpRequest) -> HttpResponse:
    """Every commissioned contract with its prime provider, area and stage now; a contract
    manager sees the contracts they manage first."""
    form, filters = read_filters(request)
    rows = list(contracts(filters))
    mine = ([c for c in rows if c.contract_manager_id == request.user.pk]
            if has_role(request.user, frozenset({CONTRACT_MANAGER})) else [])
    return render(request, "commissioning/list.html", {
        "form": form, "contracts": rows, "mine": mine, "stage_words": STAGE_WORDS,
        "nav_section": "commissioning"}, status=400 if form.errors else 200)


def _contract_context(request: HttpRequest, contract: Any) -> dict[str, Any]:
    return {
        "cc": contract, "contract": contract.contract, "cycle": cycle(contract),
        "history": stage_history(contract), "stage_words": STAGE_WORDS,
        "specification": list(contract.specification.all()),
        "unit_costs": list(contract.unit_costs.all()),
        "kpis": contract_kpis(contract, request.user),
        "threshold": disclosure_threshold(),
        "windows": list(contract.windows.all()),
        "chain": supply_chain(contract),
        "can_move": has_role(request.user, CYCLE_MOVERS),
        "nav_section": "commissioning",
    }


@require_GET
@role_required(COMMISSIONING_READERS)
def contract_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """One contract in depth."""
    contract = open_contract(reference)
    return render(request, "commissioning/detail.html", _contract_context(request, contract))


@require_GET
@role_required(COMMISSIONING_READERS)
def contract_kpi_csv(request: HttpRequest, reference: str) -> HttpResponse:
    """COM-3: the contract's KPI figures month by month as CSV, the same figures as its
    page (COM-4 applied alike)."""
    contract = open_contract(reference)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kpis-{reference.lower()}.csv"'
    writer = csv_safe.writer(response)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(reference, contract_kpis(contract, request.user)))
    return response


@require_http_methods(["GET", "POST"])
@role_required(CYCLE_MOVERS)
def contract_move(request: HttpRequest, reference: str) -> HttpResponse:
    """COM-1: the commissioner moves the contract to the next stage of the cycle (or back
    one, with a reason), noting the evidence seen for the stage it leaves."""
    contract = open_contract(reference)
    form = MoveForm(request.POST if request.method == "POST" else None, moves_for(contract))
    if request.method == "POST" and form.is_valid():
        try:
            move = move_stage(request.user, contract, form.cleaned_data["to_stage"],
                              form.cleaned_data["evidence"], form.cleaned_data["reason"])
        except CommissioningError as error:
            form.show_problems(error.problems)
        else:
            messages.success(request, f"{contract.contract.name} moved to "
                                      f"{STAGE_WORDS[move.to_stage]}")
            return redirect("commissioning-contract", reference=reference)
    return render(request, "commissioning/move.html", {
        "cc": contract, "contract": contract.contract, "form": form,
        "stage_words": STAGE_WORDS, "cycle": cycle(contract),
        "nav_section": "commissioning"}, status=400 if form.errors else 200)


@require_GET
@role_required(COMMISSIONING_READERS)
def organisation_page(request: HttpRequest) -> HttpResponse:
    """COM-1: regions, PDUs, contract package areas, prisons and providers."""
    return render(request, "commissioning/organisation.html",
                  {**organisation(), "nav_section": "commissioning"})
