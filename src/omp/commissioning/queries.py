"""Reads of the commissioning records shared by the pages, the API and the commands: the
contracts with their stage now and filters, one contract's cycle, and its supply chain
month by month (referral counts through COM-4's disclosure control)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404

from omp.commissioning.models import (
    CommissionedContract,
    ContractPackageArea,
    StageMove,
    StagePlan,
)
from omp.config import get_settings
from omp.referrals.models import Provider
from omp.rules.commissioning_cycle import (
    STAGE_PURPOSE,
    STAGE_WORDS,
    STAGES,
    allowed_moves,
)
from omp.rules.disclosure import ProtectedTable, protect_table


def disclosure_threshold() -> int:
    """COM-4: the smallest count shown (``OMP_DISCLOSURE_THRESHOLD``)."""
    return get_settings().disclosure_threshold


@dataclass(frozen=True)
class Filters:
    """What the contracts are narrowed to: codes of a region, a contract package area and a
    provider (each blank for all)."""

    region: str = ""
    cpa: str = ""
    provider: str = ""

    def apply(self, contracts: QuerySet[Any]) -> QuerySet[Any]:
        """The contracts that match."""
        if self.region:
            contracts = contracts.filter(contract__region__code=self.region)
        if self.cpa:
            contracts = contracts.filter(cpa__code=self.cpa)
        if self.provider:
            contracts = contracts.filter(contract__prime_provider__code=self.provider)
        return contracts


def contracts(filters: Filters | None = None) -> QuerySet[Any]:
    """The commissioned contracts, each annotated with ``stage`` (its stage now, ``None``
    before the first move), with what every list shows."""
    latest = StageMove.objects.filter(contract=OuterRef("pk")).order_by("-at", "-id")
    rows = (CommissionedContract.objects
            .select_related("contract", "contract__prime_provider", "contract__region", "cpa")
            .annotate(stage=Subquery(latest.values("to_stage")[:1])))
    return (filters or Filters()).apply(rows)


def open_contract(reference: str) -> Any:
    """The commissioned contract with this reference, or 404."""
    found = contracts().filter(contract__reference=reference).first()
    if found is None:
        raise Http404("No contract with that reference")
    return found


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    """The regions, contract package areas and prime providers that have contracts, as
    (code, name), for the filters."""
    held = CommissionedContract.objects.select_related(
        "contract__region", "cpa", "contract__prime_provider")
    regions = {c.contract.region.code: c.contract.region.name for c in held
               if c.contract.region is not None}
    cpas = {c.cpa.code: c.cpa.name for c in held if c.cpa is not None}
    providers = {c.contract.prime_provider.code: c.contract.prime_provider.name for c in held}
    return {name: sorted(found.items(), key=lambda pair: pair[1])
            for name, found in (("region", regions), ("cpa", cpas), ("provider", providers))}


@dataclass(frozen=True)
class StageRow:
    """One stage of a contract's cycle as planned, and whether it is the stage now."""

    stage: str
    words: str
    purpose: str
    plan: StagePlan | None
    current: bool


def cycle(contract: Any) -> list[StageRow]:
    """The four stages of the contract's cycle, in order, with their plans."""
    plans = {plan.stage: plan for plan in contract.stage_plans.all()}
    return [StageRow(stage, STAGE_WORDS[stage], STAGE_PURPOSE[stage], plans.get(stage),
                     stage == contract.stage) for stage in STAGES]


def stage_history(contract: Any) -> list[StageMove]:
    """Every move of the contract through the cycle, the latest first."""
    return list(contract.stage_moves.select_related("by").order_by("-at", "-id"))


def moves_for(contract: Any) -> list[tuple[str, str]]:
    """The stages the contract may move to now, as (stage, words)."""
    return [(stage, STAGE_WORDS[stage]) for stage in allowed_moves(contract.stage)]


@dataclass
class MemberRow:
    """A member of the supply chain, with its shares month by month."""

    provider: Provider
    delivers: str
    prime: bool
    small: bool
    specialist: bool
    joined_on: date
    left_on: date | None
    #: Per month: (value share %, referrals shown or None, referral share % or None).
    months: list[tuple[Decimal | None, int | None, Decimal | None]] = field(
        default_factory=list)
    value: Decimal = Decimal(0)


@dataclass
class SupplyChain:
    """A contract's supply chain over the months recorded: each member's share of the value
    and of the referrals, and the share that went to small or specialist organisations
    against the contract's obligation."""

    months: list[date]
    members: list[MemberRow]
    totals: list[tuple[Decimal, int | None]]
    specialist_share: list[Decimal | None]
    target: int | None
    referrals: ProtectedTable | None
    #: Why some referral counts are not shown (COM-4), or empty.
    withheld_note: str = ""

    @property
    def by_month(self) -> list[tuple[date, list[tuple[Decimal | None, int | None,
                                                       Decimal | None]],
                                     int | None, Decimal | None]]:
        """Per month: each member's (value share, referrals, referral share), the referrals
        in all and the small or specialist share of value."""
        return [(month, [member.months[k] for member in self.members], self.totals[k][1],
                 self.specialist_share[k]) for k, month in enumerate(self.months)]

    @property
    def latest_specialist_share(self) -> Decimal | None:
        """The small or specialist share in the latest month recorded."""
        return self.specialist_share[-1] if self.specialist_share else None

    @property
    def meets_target(self) -> bool | None:
        """Whether the latest month meets the obligation (``None`` without one)."""
        share = self.latest_specialist_share
        if self.target is None or share is None:
            return None
        return share >= self.target


def _percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def supply_chain(contract: Any) -> SupplyChain:
    """COM-1, seed 001 §3: the contract's supply chain month by month. Referral counts are
    counts of people, so the members × months table of them goes through COM-4's
    disclosure control (with its totals) before any count or share is shown."""
    members = list(contract.supply_chain.select_related(
        "provider", "provider__commissioning_profile").prefetch_related("months"))
    months = sorted({row.month for member in members for row in member.months.all()})
    index = {month: k for k, month in enumerate(months)}
    values = [[Decimal(0)] * len(months) for _ in members]
    counts = [[0] * len(months) for _ in members]
    for m, member in enumerate(members):
        for row in member.months.all():
            values[m][index[row.month]] = row.value
            counts[m][index[row.month]] = row.referrals
    protected = protect_table(counts, disclosure_threshold()) if members and months else None
    prime = contract.contract.prime_provider_id
    value_totals = [sum((values[m][k] for m in range(len(members))), Decimal(0))
                    for k in range(len(months))]
    rows = []
    specialist_value = [Decimal(0)] * len(months)
    for m, member in enumerate(members):
        profile = getattr(member.provider, "commissioning_profile", None)
        small = bool(profile and profile.small_organisation)
        specialist = bool(profile and profile.specialist)
        is_prime = member.provider_id == prime
        row = MemberRow(member.provider, member.delivers, is_prime, small, specialist,
                        member.joined_on, member.left_on,
                        value=sum(values[m], Decimal(0)))
        for k in range(len(months)):
            if (small or specialist) and not is_prime:
                specialist_value[k] += values[m][k]
            shown = protected.cell(m, k) if protected else None
            total = protected.column_total(k) if protected else None
            row.months.append((_percent(values[m][k], value_totals[k]), shown,
                               _percent(shown, total) if shown is not None and total
                               else None))
        rows.append(row)
    totals = [(value_totals[k], protected.column_total(k) if protected else None)
              for k in range(len(months))]
    note = ""
    if protected is not None and protected.withheld:
        note = (f"Referral counts below {protected.threshold}, and the counts that would let "
                f"them be worked out from the totals, are not shown (COM-4).")
    return SupplyChain(months, rows, totals,
                       [_percent(specialist_value[k], value_totals[k])
                        for k in range(len(months))],
                       contract.specialist_share_target, protected, note)


def organisation() -> dict[str, Any]:
    """COM-1: the organisation a commissioner works across: regions with their PDUs and
    contract package areas, the prisons, and the providers with their contracts."""
    from omp.cases.models import Prison, Region

    return {
        "regions": Region.objects.prefetch_related("pdus", "cpas").order_by("name"),
        "cpas": ContractPackageArea.objects.select_related("region")
                                            .prefetch_related("pdus"),
        "prisons": Prison.objects.order_by("name"),
        "providers": Provider.objects.select_related("commissioning_profile")
                                     .prefetch_related("prime_contracts", "subcontracts")
                                     .order_by("name"),
    }
