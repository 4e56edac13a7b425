"""Case facts out: :class:`~omp.rules.facts.CaseFacts` as the published case object of
``INTERCHANGE.md`` — the inverse of :func:`omp.interchange.schema.parse_case`."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

from omp.rules.facts import CaseFacts, Custody, Sentence


def _plain(value: Any) -> Any:
    # Numbers stay numbers in JSON (a Decimal would be written as a string) and dates
    # are written YYYY-MM-DD, as the input format has them.
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _record(obj: Sentence | Custody | None) -> dict[str, Any] | None:
    if obj is None:
        return None
    return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}


def facts_dict(facts: CaseFacts) -> dict[str, Any]:
    """One case object in the interchange shape; ``null`` means "not recorded"."""
    return {
        "case_ref": facts.case_ref,
        "as_of": facts.as_of.isoformat(),
        "person": {"date_of_birth": _plain(facts.date_of_birth), "sex": facts.sex,
                   "nationalities": None if facts.nationalities is None
                   else list(facts.nationalities)},
        "probation": {"pdu_code": facts.pdu_code, "provider_code": facts.provider_code,
                      "country": facts.country, "region_code": facts.region_code},
        "risk": {"tier": facts.tier, "rosh": facts.rosh,
                 "rsr_percent": _plain(facts.rsr_percent), "osp": facts.osp,
                 "ogrs3_2yr_percent": _plain(facts.ogrs3_2yr_percent),
                 "mappa_level": facts.mappa_level, "mappa_category": facts.mappa_category,
                 "registrations": list(facts.registrations)},
        "event": {"offences": [{"code": o.code, "description": o.description,
                                "schedule_15": o.schedule_15} for o in facts.offences],
                  "sentence": _record(facts.sentence)},
        "custody": _record(facts.custody),
        "resourcing": facts.resourcing,
    }
