"""The contract manager's dashboard (their contracts, one in depth) and the OMiC lead's
dashboard (handovers, caseloads and custody pathways per prison and PDU). Both are
aggregates only: no case reference is shown, and counts of people go through COM-4 for a
reader without case access. Filters are GET forms; every chart has a legend and its table
beside it; each table is downloadable as CSV."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from omp import csv_safe
from omp.access import (
    CONTRACT_MANAGER_DASHBOARD_READERS,
    OMIC_DASHBOARD_READERS,
    role_required,
)
from omp.clock import today
from omp.commissioning.dashboard import RAG_LABELS, RAG_ORDER
from omp.commissioning.forms import ChoiceFilterForm
from omp.commissioning.kpi_report import contract_kpis
from omp.commissioning.manager_dashboards import (
    STATEMENT_FIGURES,
    CountTable,
    StatementLine,
    aggregates_only,
    caseload_summary,
    contract_outcomes,
    contract_statement,
    handover_volumes,
    kpi_trends,
    managed_contracts,
    overdue_actions,
    pathway_counts,
    ratings_by_month,
    referral_standing,
    referral_states,
)
from omp.commissioning.queries import disclosure_threshold, supply_chain
from omp.config import get_settings
from omp.outcomes.web.views.results import data_dir
from omp.rules.commissioning_cycle import STAGE_WORDS
from omp.rules.payment import pounds


def _csv(name: str, table: CountTable, first: str) -> HttpResponse:
    """A table of counts as CSV, as the page shows it (withheld counts left blank)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv_safe.writer(response)
    writer.writerow([first, *table.columns, "total"])
    for row in table.rows:
        writer.writerow([row.label, *("" if n is None else n for n in row.counts),
                         "" if row.total is None else row.total])
    return response


def _statement_csv(name: str, lines: list[StatementLine]) -> HttpResponse:
    """The contract's area's payment statements as CSV (a withheld cohort's figures
    blank, with why)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv_safe.writer(response)
    writer.writerow(["cohort", "adjusted_for_case_mix", *(k for k, _ in STATEMENT_FIGURES),
                     "withheld"])
    for line in lines:
        writer.writerow([line.cohort, "yes" if line.adjusted else "no",
                         *("" if line.figures[k] in (None, "") else line.figures[k]
                           for k, _ in STATEMENT_FIGURES), line.withheld or ""])
    return response


def _statement_cells(line: StatementLine) -> list[str]:
    """A statement's figures as the page writes them: rates as percentages, money in
    pounds, "[c]" where the cohort is withheld."""
    cells = []
    for key, _ in STATEMENT_FIGURES:
        value = line.figures.get(key)
        if value in (None, ""):
            cells.append("[c]" if line.withheld else "–")
        elif key in ("binary_rate", "binary_target"):
            cells.append(f"{value}%")
        else:
            cells.append(pounds(Decimal(str(value))))
    return cells


@require_GET
@role_required(CONTRACT_MANAGER_DASHBOARD_READERS)
def contract_manager_dashboard(request: HttpRequest) -> HttpResponse:
    """The contracts the user manages; the one chosen (else the first) in depth."""
    mine = list(managed_contracts(request.user).prefetch_related("stage_plans"))
    form = ChoiceFilterForm(request.GET, [
        ("contract", "Contract", "", [(c.contract.reference, c.contract.name)
                                      for c in mine])])
    chosen = form.chosen("contract")
    contract = next((c for c in mine if c.contract.reference == chosen),
                    mine[0] if mine else None)
    context: dict[str, Any] = {"form": form, "mine": mine, "cc": contract,
                               "stage_words": STAGE_WORDS, "nav_section": "commissioning",
                               "threshold": disclosure_threshold()}
    if contract is not None:
        hidden = aggregates_only(request.user)
        kpis = contract_kpis(contract, request.user)
        months, ratings_chart = ratings_by_month(kpis)
        on = today()
        standing = referral_standing(contract, on)  # one read: states and what is overdue
        states = referral_states(standing, hidden)
        outcomes = contract_outcomes(standing.outcomes, hidden)
        statement, statement_computed, no_statement = contract_statement(contract,
                                                                         data_dir())
        reference = contract.contract.reference.lower()
        wanted = request.GET.get("format")
        if wanted == "referrals.csv":
            return _csv(f"referrals-by-state-{reference}", states, "state")
        if wanted == "outcomes.csv":
            return _csv(f"outcomes-{reference}", outcomes, "achievement")
        if wanted == "payments.csv":
            return _statement_csv(f"payment-statement-{reference}", statement)
        context.update({
            "contract": contract.contract, "trends": kpi_trends(kpis),
            "rating_months": months, "ratings_chart": ratings_chart,
            "rag_order": RAG_ORDER, "rag_labels": RAG_LABELS, "states": states,
            "chain": supply_chain(contract), "outcomes": outcomes,
            "statement": [{"line": line, "cells": _statement_cells(line)}
                          for line in statement],
            "statement_withheld": any(line.withheld for line in statement),
            "statement_headings": [words for _, words in STATEMENT_FIGURES],
            "statement_computed": statement_computed, "no_statement": no_statement,
            "overdue": overdue_actions(contract, standing, on, hidden),
            "standing_computed": standing.computed_at,
            "query": request.GET.urlencode()})
    return render(request, "commissioning/contract_manager_dashboard.html", context,
                  status=400 if form.errors else 200)


@require_GET
@role_required(OMIC_DASHBOARD_READERS)
def omic_dashboard(request: HttpRequest) -> HttpResponse:
    """Handover volumes and overdue handovers per prison and PDU, caseloads and the
    people in custody on each pathway."""
    from omp.cases.models import Prison, ProbationDeliveryUnit

    form = ChoiceFilterForm(request.GET, [
        ("prison", "Prison", "All prisons",
         list(Prison.objects.order_by("name").values_list("code", "name"))),
        ("pdu", "Probation delivery unit", "All probation delivery units",
         list(ProbationDeliveryUnit.objects.order_by("name").values_list("code", "name")))])
    prison, pdu = form.chosen("prison"), form.chosen("pdu")
    hidden = aggregates_only(request.user)
    on = today()
    by_prison = handover_volumes(on, prison, pdu, "prison", hidden)
    by_pdu = handover_volumes(on, prison, pdu, "pdu", hidden)
    pathways = pathway_counts(prison, pdu, hidden)
    wanted = request.GET.get("format")
    downloads = {"handovers-by-prison.csv": (by_prison, "prison"),
                 "handovers-by-pdu.csv": (by_pdu, "probation_delivery_unit"),
                 "pathways.csv": (pathways, "pathway")}
    if wanted in downloads:
        table, first = downloads[wanted]
        return _csv(wanted.removesuffix(".csv"), table, first)
    settings = get_settings()
    return render(request, "commissioning/omic_dashboard.html", {
        "form": form, "by_prison": by_prison, "by_pdu": by_pdu, "pathways": pathways,
        "caseloads": caseload_summary(settings.caseload_cap), "cap": settings.caseload_cap,
        "show_managers": not hidden, "today": on, "query": request.GET.urlencode(),
        "threshold": disclosure_threshold(), "nav_section": "omic"},
        status=400 if form.errors else 200)
