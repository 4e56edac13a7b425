"""HAND-4's what-if over a loaded case base: a levelled-up scenario resources every decided
case alike (ALLOC-7), so it does not read the allocation outcomes — and projects exactly what
it projects when it reads them, a case with no allocation decision included."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from omp.decisions import what_if
from omp.decisions.handover import inputs_in_range

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 11, 22)


def _projections(monkeypatch: Any, policy: Any) -> tuple[Any, Any, list[bool]]:
    asked: list[bool] = []

    def reading(*args: Any, **kwargs: Any) -> Any:
        asked.append(kwargs.get("outcomes", True))
        return inputs_in_range(*args, **kwargs)

    monkeypatch.setattr(what_if, "inputs_in_range", reading)
    quick = what_if.project(policy, policy.effective_from, AS_OF, chunk=100)
    monkeypatch.setattr(what_if, "inputs_in_range",
                        lambda *args, **kwargs: inputs_in_range(*args, **{**kwargs,
                                                                          "outcomes": True}))
    full = what_if.project(policy, policy.effective_from, AS_OF, chunk=100)
    return quick, full, asked


def test_a_levelled_up_what_if_projects_as_if_it_read_every_outcome(monkeypatch: Any) -> None:
    from omp.decisions.models import CurrentDecision, CurrentHandover
    from omp.decisions.nightly import run_nightly
    from omp.demo.load import load_demo
    from omp.rules.policy import BUILT_IN_VERSIONS

    load_demo(400, seed=21, as_of=AS_OF, users=False)
    run_nightly(AS_OF)
    held = CurrentHandover.objects.filter(
        responsibility__in=("POM_RESPONSIBLE", "POM_RESPONSIBLE_COM_SUPPORTING"))
    assert held.count() > 10
    # A case the POM holds whose allocation decision is missing: no resourcing, either way.
    CurrentDecision.objects.filter(person_id=held.order_by("person_id")[0].person_id).delete()

    base = BUILT_IN_VERSIONS[-1]
    levelled = what_if.scenario(base, date(2027, 4, 1), era="B", levelled_up=True,
                                scope="England")
    quick, full, asked = _projections(monkeypatch, levelled)
    assert asked and not any(asked)  # the outcomes were not read
    assert quick.moved > 0 and quick.examined == held.count()
    assert (quick.examined, quick.moved) == (full.examined, full.moved)
    assert quick.baseline == full.baseline and quick.scenario == full.scenario

    # A scenario that does not level up reads them: resourcing follows each outcome.
    plain = what_if.scenario(base, date(2027, 4, 1), era="B")
    quick, full, asked = _projections(monkeypatch, plain)
    assert asked and all(asked)
    assert quick.scenario == full.scenario
