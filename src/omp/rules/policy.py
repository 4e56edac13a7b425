"""Effective-dated policy versions (ALLOC-7).

A policy version names the allocation criteria in force, whether the distinction between
enhanced and normal resourcing has been "levelled up" away, and the handover era whose rules
apply (``HANDOVER.md``). Versions are data: the database holds them and staff schedule new
ones from a date; the built-in ones below seed it and serve ``decide``, which never touches
the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

ALLOCATION_CRITERIA = (
    "ALLOC-2a", "ALLOC-2b", "ALLOC-2c", "ALLOC-2d", "ALLOC-2e", "ALLOC-2f", "ALLOC-2g",
)
COUNTRIES = ("England", "Wales")


class PolicyError(LookupError):
    """Raised when no policy version applies or a named version does not exist."""


@dataclass(frozen=True, slots=True)
class PolicyVersion:
    """One version of the allocation policy.

    ``scope`` is ``None`` for a national version, a country (``England``/``Wales``), or a
    region code. ``criteria`` lists the ALLOC-2 criteria in force; ``levelled_up`` removes
    the distinction, so every case in scope is resourced as enhanced.
    """

    name: str
    effective_from: date
    scope: str | None = None
    criteria: frozenset[str] = field(default_factory=lambda: frozenset(ALLOCATION_CRITERIA))
    levelled_up: bool = False
    handover_era: str = "B"
    description: str = ""

    def applies_to(self, country: str | None, region_code: str | None) -> bool:
        """True when this version's scope covers a case in ``country`` and ``region_code``."""
        return self.scope is None or self.scope in (country, region_code)

    @property
    def specificity(self) -> int:
        """National 0, country 1, region 2: on the same date the narrower scope wins."""
        if self.scope is None:
            return 0
        return 1 if self.scope in COUNTRIES else 2


#: The handover eras of HANDOVER.md as national versions. Era B applies to every date
#: before era C, so replaying an old case never finds no policy.
BUILT_IN_VERSIONS: tuple[PolicyVersion, ...] = (
    PolicyVersion("B", date(1900, 1, 1), handover_era="B",
                  description="NPS/CRC OMiC rules: 7.5 months enhanced, 12 weeks normal; "
                              "Welsh cases all enhanced"),
    PolicyVersion("C", date(2022, 10, 19), handover_era="C",
                  description="October 2022 change: enhanced determinate cases hand over "
                              "at 7.5 months"),
    PolicyVersion("D", date(2023, 4, 1), handover_era="D",
                  description="April 2023 policy: resourcing no longer moves handover dates"),
    PolicyVersion("E", date(2024, 10, 16), handover_era="E",
                  description="Current rules (October 2024)"),
)


def policy_in_force(
    versions: Iterable[PolicyVersion], as_of: date, country: str | None,
    region_code: str | None = None,
) -> PolicyVersion:
    """The version in force on ``as_of`` for a case: the latest effective date wins, and on
    the same date the narrowest scope wins. Raises :class:`PolicyError` when none applies.
    """
    if isinstance(versions, tuple):  # the usual case: answer from the cache
        return _in_force(versions, as_of, country, region_code)
    return _in_force.__wrapped__(tuple(versions), as_of, country, region_code)


@lru_cache(maxsize=4_096)  # a million cases share a handful of (date, country, region) keys
def _in_force(versions: tuple[PolicyVersion, ...], as_of: date, country: str | None,
              region_code: str | None) -> PolicyVersion:
    candidates = [
        v for v in versions if v.effective_from <= as_of and v.applies_to(country, region_code)
    ]
    if not candidates:
        raise PolicyError(f"no policy version is in force on {as_of.isoformat()}")
    return max(candidates, key=lambda v: (v.effective_from, v.specificity))


def policy_named(versions: Iterable[PolicyVersion], name: str) -> PolicyVersion:
    """The version called ``name``; raises :class:`PolicyError` naming the known versions."""
    known = {v.name: v for v in versions}
    try:
        return known[name]
    except KeyError:
        raise PolicyError(
            f"unknown policy version {name!r}; known versions: {', '.join(sorted(known))}"
        ) from None
