"""COM-2's figures kept in the database: computed ahead of the day by the KPI run (and
``omp commissioning segmentation``) for the usual filters, read by the page with the time
they were computed, computed once on demand for any other filter, and never reused on a
later day."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from typer.testing import CliRunner

from omp.clock import frozen_at
from omp.commissioning import segmentation as figures
from omp.commissioning.models import ContractPackageArea, SegmentationFigures
from omp.commissioning.segmentation import (
    WHERE,
    SegmentFilters,
    figures_from_json,
    figures_json,
    precompute,
    segmentation,
    usual_filters,
)
from omp.referrals.models import Provider
from tests.commissioning.test_commissioning_kpis import activity  # noqa: F401 - fixture
from tests.commissioning.test_commissioning_segmentation import (  # noqa: F401 - fixtures
    commissioner,
    population,
)
from tests.commissioning.test_commissioning_spend import scored  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

SEGMENTATION = "/commissioning/segmentation/"


def _counting_computes(monkeypatch: Any) -> list[SegmentFilters]:
    computed: list[SegmentFilters] = []
    original = figures._compute

    def compute(filters: SegmentFilters) -> Any:
        computed.append(filters)
        return original(filters)

    monkeypatch.setattr(figures, "_compute", compute)
    return computed


def test_the_usual_filters_are_every_area_each_area_and_each_provider(db: Any) -> None:
    usual = usual_filters()
    areas = ContractPackageArea.objects.count()
    providers = Provider.objects.count()
    assert areas and providers
    assert len(usual) == len(WHERE) * (1 + areas + providers)
    assert SegmentFilters("", "", "community") in usual
    assert len(set(usual)) == len(usual)


def test_precomputed_figures_are_read_by_the_page_without_computing(
        population: Any, commissioner: Any, monkeypatch: Any) -> None:  # noqa: F811
    with frozen_at(date(2026, 12, 3)):
        done = precompute()
        assert done == SegmentationFigures.objects.filter(computed_on=date(2026, 12, 3)).count()
        computed = _counting_computes(monkeypatch)
        with CaptureQueriesContext(connection) as queries:
            page = commissioner.get(SEGMENTATION, {"cpa": population["cpa"].code})
        assert page.status_code == 200 and computed == []
        # The page read one row of figures, not the case store's scores.
        assert not any("assessment" in q["sql"].lower() for q in queries.captured_queries)
        stored = SegmentationFigures.objects.get(where="community",
                                                 cpa=population["cpa"].code, provider="")
        shown = stored.computed_at.astimezone().strftime("%H:%M")
        assert f"Figures computed at {shown}" in page.content.decode()


def test_another_filter_is_computed_once_and_then_read(
        population: Any, commissioner: Any, monkeypatch: Any) -> None:  # noqa: F811
    computed = _counting_computes(monkeypatch)
    with frozen_at(date(2026, 12, 3)):
        query = {"cpa": population["cpa"].code, "where": "custody"}
        first = commissioner.get(SEGMENTATION, query).content.decode()
        second = commissioner.get(SEGMENTATION, query).content.decode()
    assert computed == [SegmentFilters(population["cpa"].code, "", "custody")]
    assert _main(first) == _main(second) and "people with both scores" in _main(first)


def _main(page: str) -> str:
    """The page's main content (the layout around it carries a nonce per response)."""
    return page[page.index("<main"):page.index("</main>")]


def test_yesterdays_figures_are_not_shown_today(  # noqa: F811 - fixtures by name
        population: Any, commissioner: Any, monkeypatch: Any) -> None:  # noqa: F811
    with frozen_at(date(2026, 12, 2)):
        segmentation(SegmentFilters())
    computed = _counting_computes(monkeypatch)
    with frozen_at(date(2026, 12, 3)):
        segmentation(SegmentFilters())
    assert computed == [SegmentFilters()]
    # One row per filter: today's replaced yesterday's.
    assert SegmentationFigures.objects.filter(where="community", cpa="",
                                              provider="").count() == 1


def test_stored_figures_give_back_what_was_computed(scored: Any) -> None:  # noqa: F811
    with frozen_at(date(2026, 5, 31)):
        found = figures._compute(SegmentFilters(where="all"))
    assert found.spending is not None and found.spending.by_segment
    assert found.bins and found.people
    again = figures_from_json(figures_json(found), found.computed_at)
    assert again == found


def test_the_command_computes_the_usual_filters(population: Any) -> None:  # noqa: F811
    from omp.cli import app

    result = CliRunner().invoke(app, ["commissioning", "segmentation"])
    assert result.exit_code == 0, result.output
    assert f"Segmentation figures for {len(usual_filters())} filters" in result.output
    assert SegmentationFigures.objects.count() == len(usual_filters())


def test_the_figures_counted_from_one_read_equal_each_filter_read_alone(
        population: Any, scored: Any) -> None:  # noqa: F811 - fixtures by name
    """``precompute`` reads the whole population once and counts every usual filter from
    it; each filter's stored figures equal those of that filter read on its own."""
    from omp.cases.models import Person
    from omp.custody.models import Need, NeedsAssessment

    # Needs for a few people: an older assessment superseded by a newer one, and a person
    # assessed with no need, so the latest assessment and the "assessed" count both matter.
    people = list(Person.objects.filter(assessments__kind="OVP").distinct()
                  .order_by("pk")[:4])
    for index, person in enumerate(people):
        old = NeedsAssessment.objects.create(person=person, assessed_on=date(2026, 1, 5))
        Need.objects.create(assessment=old, area="finance", level="high")
        new = NeedsAssessment.objects.create(person=person, assessed_on=date(2026, 3, 1))
        if index:
            Need.objects.create(assessment=new, area="accommodation", level="medium")
            Need.objects.create(assessment=new, area="ete", level="none")
    with frozen_at(date(2026, 5, 31)):
        assert precompute() == len(usual_filters())
        checked = 0
        for one in usual_filters():
            stored = SegmentationFigures.objects.get(where=one.where, cpa=one.cpa,
                                                     provider=one.provider)
            alone = figures_json(figures._compute(one))
            assert stored.figures == json_round_trip(alone), one
            checked += bool(alone["people"])
    # The fixtures give most filters people, and at least one filter spending and needs.
    assert checked >= 3
    everyone = SegmentationFigures.objects.get(where="all", cpa="", provider="").figures
    assert everyone["needs"] and everyone["assessed"] and everyone["spending"]["by_segment"]


def json_round_trip(data: dict[str, Any]) -> Any:
    """``data`` as the JSON field gives it back (tuples become lists)."""
    import json

    return json.loads(json.dumps(data))
