"""The only writers of commissioning records: moving a contract through the commissioning
cycle (COM-1). Each runs in one transaction, takes the acting user and checks the role."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from omp.access import CYCLE_MOVERS, require_role
from omp.commissioning.models import CommissionedContract, StageMove
from omp.rules.commissioning_cycle import Move, move_problems


class CommissioningError(ValueError):
    """Inputs that cannot be accepted: ``problems`` names each field at fault with what to
    do about it."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems))
        self.problems = problems


def move_stage(user: Any, contract: CommissionedContract, to_stage: str, evidence: str,
               reason: str = "") -> StageMove:
    """COM-1: move the contract to ``to_stage`` of the commissioning cycle (the next stage,
    or back one with a reason), recording the evidence seen for the stage it leaves. The
    contract's row is locked, so two commissioners moving it at once cannot both move it
    from the same stage."""
    require_role(user, CYCLE_MOVERS)
    with transaction.atomic():
        CommissionedContract.objects.select_for_update().get(pk=contract.pk)
        latest = contract.stage_moves.order_by("-at", "-id").first()
        current = latest.to_stage if latest else None
        problems = move_problems(Move(current, to_stage, evidence, reason))
        if problems:
            raise CommissioningError(problems)
        return StageMove.objects.create(
            contract=contract, from_stage=current or "", to_stage=to_stage,
            at=timezone.now(), by=user, evidence=evidence.strip(), reason=reason.strip())
