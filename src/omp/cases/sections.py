"""The case page is put together from parts that the domains contribute.

``cases/`` owns the page (who the person is, the facts as recorded, "what was known on a
past day") but imports no other domain: each domain above it registers the part it shows
(the allocation decision, responsibility and handover, and later the pathway and referrals)
from its ``AppConfig.ready``. Each part is a template and a function that builds the
template's context; the parts are shown in the order of their ``order`` numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

from django.http import HttpRequest

from omp.cases.models import Person
from omp.rules.facts import CaseFacts


@dataclass(frozen=True)
class CasePage:
    """What every part is built from: the reader's request, the case, the moment it is seen
    at (``None`` for now), today, the facts shown, and the context the parts before it
    built (a later part may read an earlier one's, such as the tier the decision used)."""

    request: HttpRequest
    person: Person
    at: datetime | None
    today: date
    facts: CaseFacts
    context: dict[str, Any]

    @cached_property
    def has_custody_record(self) -> bool:
        """Whether the person has ever been recorded in custody (asked once per page, by
        whichever parts need it)."""
        return bool(self.person.custody_spells.exists())


@dataclass(frozen=True)
class CasePagePart:
    """One part of the case page: its template and the context it needs."""

    name: str
    order: int
    template: str
    build: Callable[[CasePage], dict[str, Any]]


_PARTS: dict[str, CasePagePart] = {}


def register(part: CasePagePart) -> None:
    """Add ``part`` to the case page (registering a name again replaces the part)."""
    _PARTS[part.name] = part


def parts() -> list[CasePagePart]:
    """The registered parts in the order the page shows them."""
    return sorted(_PARTS.values(), key=lambda part: part.order)
