"""Build :class:`~omp.rules.facts.CaseFacts` from the case record.

Three loaders feed one assembler, so the mapping from records to facts lives in one place:
- :func:`rows_in_range` / :func:`facts_in_range` — every case in an id range, one SQL query
  per table (the nightly recompute; no query per case);
- :func:`facts_for_person` — one case through the ORM (recompute on change);
- :func:`facts_known_on` — one case as the record stood at a past moment, from the history
  tables (CASE-4: "what did we know on date D").
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection

from omp.cases.models import (
    MAPPA_CODE,
    ROSH_CODES,
    Assessment,
    CustodySpell,
    Event,
    Offence,
    Person,
    Registration,
    Sentence,
)
from omp.rules.facts import CaseFacts, Custody, TierInputs
from omp.rules.facts import Offence as OffenceFact
from omp.rules.facts import Sentence as SentenceFact

CUSTODY_FIELDS = (
    "prison_code", "category", "category_active_since", "arrival_date", "remand",
    "sentence_start_date", "conditional_release_date", "automatic_release_date",
    "parole_eligibility_date", "tariff_date", "home_detention_curfew_eligibility_date",
    "home_detention_curfew_actual_date", "parole_review_date", "target_hearing_date",
    "licence_expiry_date", "recall", "immigration_case", "early_allocation",
    "parole_outcome_not_release", "additional_future_isp", "civil_sentence",
)
_CUSTODY_BOOLS = frozenset({"remand", "recall", "immigration_case", "early_allocation",
                            "parole_outcome_not_release", "additional_future_isp",
                            "civil_sentence"})


@dataclass
class CaseRows:
    """The raw rows of one case, in the shapes every loader produces."""

    person: tuple[Any, ...]
    offences: list[tuple[Any, ...]] = field(default_factory=list)
    sentence: tuple[Any, ...] | None = None
    registrations: list[tuple[Any, ...]] = field(default_factory=list)
    assessments: list[tuple[Any, ...]] = field(default_factory=list)
    custody: tuple[Any, ...] | None = None
    womens_prison: bool | None = None


def _date(value: Any) -> date | None:
    # SQLite hands raw-SQL dates back as text; PostgreSQL as dates.
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _bool(value: Any) -> bool:
    return bool(value)


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def assemble(rows: CaseRows, as_of: date) -> CaseFacts:
    """Turn one case's rows into facts as known on ``as_of``.

    Registrations count when active on ``as_of``; the latest assessment of each kind on or
    before ``as_of`` is the one in force. No MAPPA registration means MAPPA level 0 (not
    managed); a MAPPA registration without a level is "not recorded".
    """
    (_pid, case_ref, dob, sex, nationality, second, nat_on, pdu_code, provider, region,
     country, pdu_since, supplied) = rows.person
    recorded: dict[str, date] = {}
    nationalities = tuple(n for n in (nationality, second) if n) or None
    if nat_on:
        recorded["person.nationalities"] = _date(nat_on)  # type: ignore[assignment]
    if pdu_since:
        recorded["probation.pdu_code"] = _date(pdu_since)  # type: ignore[assignment]

    codes: list[str] = []
    rosh: tuple[date, str] | None = None
    mappa: list[tuple[int | None, int | None, date]] = []
    for code, level, category, start, end in rows.registrations:
        start, end = _date(start), _date(end)
        if start is None or start > as_of or (end is not None and end <= as_of):
            continue
        if code in ROSH_CODES:
            if rosh is None or start >= rosh[0]:
                rosh = (start, ROSH_CODES[code])
        elif code == MAPPA_CODE:
            mappa.append((level, category, start))
        else:
            codes.append(code)
            recorded.setdefault(f"risk.registrations.{code}", start)
    mappa_level, mappa_category = _mappa(mappa, recorded)
    if rosh is not None:
        recorded["risk.rosh"] = rosh[0]

    latest: dict[str, tuple[Any, ...]] = {}
    for kind, score, value, needs, assessed_on in rows.assessments:
        day = _date(assessed_on)
        if day is not None and day <= as_of:
            latest[kind] = (score, value, needs, day)  # rows arrive oldest first
    for kind, path in (("RSR", "risk.rsr_percent"), ("OSP", "risk.osp"), ("TIER", "risk.tier"),
                       ("OGRS", "risk.ogrs3_2yr_percent")):
        if kind in latest:
            recorded[path] = latest[kind][3]
    oasys = _json(latest["OASYS"][2]) if "OASYS" in latest else None

    sentence = None
    if rows.sentence is not None:
        kind, s_date, length, indeterminate, ipp, breach, served = rows.sentence
        sentence = SentenceFact(kind or None, _date(s_date), length or None, _bool(indeterminate),
                                _bool(ipp), _bool(breach), _bool(served))
        if s_date:
            recorded["event.sentence"] = _date(s_date)  # type: ignore[assignment]

    return CaseFacts(
        case_ref=case_ref,
        as_of=as_of,
        date_of_birth=_date(dob),
        sex=sex or None,
        nationalities=nationalities,
        pdu_code=pdu_code,
        provider_code=provider,
        country=country,
        region_code=region,
        tier=latest["TIER"][1] or None if "TIER" in latest else None,
        rosh=rosh[1] if rosh else None,  # type: ignore[arg-type]
        rsr_percent=_decimal(latest["RSR"][0]) if "RSR" in latest else None,
        osp=latest["OSP"][1] or None if "OSP" in latest else None,
        ogrs3_2yr_percent=_decimal(latest["OGRS"][0]) if "OGRS" in latest else None,
        mappa_level=mappa_level,
        mappa_category=mappa_category,
        registrations=tuple(sorted(set(codes))),
        offences=tuple(OffenceFact(code, desc or None, sched or None)
                       for code, desc, sched in rows.offences),
        sentence=sentence,
        custody=_custody(rows),
        resourcing=supplied or None,
        tier_inputs=TierInputs(needs=oasys) if oasys is not None else None,
        recorded=recorded,
    )


def _mappa(active: list[tuple[int | None, int | None, date]], recorded: dict[str, date]
           ) -> tuple[int | None, int | None]:
    """The highest active MAPPA level: 0 with no registration, ``None`` if none has a level."""
    if not active:
        return 0, None
    levelled = [entry for entry in active if entry[0] is not None]
    if not levelled:
        return None, None
    level, category, start = max(levelled, key=lambda entry: (entry[0], entry[2]))
    recorded["risk.mappa_level"] = start
    return level, category


def _text_or_none(value: Any) -> Any:
    return value or None


#: How each custody column becomes a fact, decided once rather than per case and column.
_CUSTODY_CONVERTERS = tuple(
    (name, _bool if name in _CUSTODY_BOOLS else _text_or_none
     if name in ("prison_code", "category") else _date)
    for name in CUSTODY_FIELDS)


def _custody(rows: CaseRows) -> Custody | None:
    if rows.custody is None:
        return None
    return custody_from_row(rows.custody, rows.womens_prison)


def custody_from_row(row: Sequence[Any], womens_prison: bool | None) -> Custody:
    """A custody spell's columns (in :data:`CUSTODY_FIELDS` order) as facts."""
    values: dict[str, Any] = {name: convert(value)
              for (name, convert), value in zip(_CUSTODY_CONVERTERS, row, strict=True)}
    return Custody(womens_prison=None if womens_prison is None else bool(womens_prison),
                   **values)


def parse_db_date(value: Any) -> date | None:
    """A date as either database hands it back from raw SQL (SQLite: text)."""
    return _date(value)


# --- one case, through the ORM ----------------------------------------------------------


def _person_row(person: Person) -> tuple[Any, ...]:
    pdu = person.pdu
    region = pdu.region if pdu else None
    return (person.pk, person.case_ref, person.date_of_birth, person.sex, person.nationality,
            person.second_nationality, person.nationality_recorded_on,
            pdu.code if pdu else None, pdu.provider_code if pdu else None,
            region.code if region else None, region.country if region else None,
            person.pdu_since, person.supplied_resourcing)


def _rows_from_objects(person: Person, events: Iterable[Event], offences: Iterable[Offence],
                       sentences: Iterable[Sentence], registrations: Iterable[Registration],
                       assessments: Iterable[Assessment],
                       spells: Iterable[CustodySpell]) -> CaseRows:
    current = {e.pk for e in events if e.is_current}
    rows = CaseRows(_person_row(person))
    rows.offences = [(o.code, o.description, o.schedule_15)
                     for o in sorted(offences, key=lambda o: o.pk) if o.event_id in current]
    for s in sorted(sentences, key=lambda s: s.pk):
        if s.event_id in current:
            rows.sentence = (s.kind, s.date, s.length, s.indeterminate, s.ipp,
                             s.breach_of_court_order, s.time_served)
    rows.registrations = [(r.code, r.level, r.category, r.start_date, r.end_date)
                          for r in sorted(registrations, key=lambda r: r.pk)]
    rows.assessments = [(a.kind, a.score, a.value, a.needs, a.assessed_on)
                        for a in sorted(assessments, key=lambda a: (a.assessed_on, a.pk))]
    for spell in sorted(spells, key=lambda s: s.pk):
        if spell.is_current:
            rows.custody = tuple(getattr(spell, name) for name in CUSTODY_FIELDS)
            rows.womens_prison = _womens_prison(spell.prison_code)
    return rows


def _womens_prison(prison_code: str) -> bool | None:
    from omp.cases.models import Prison

    if not prison_code:
        return None
    return Prison.objects.filter(code=prison_code).values_list("womens", flat=True).first()


def facts_for_person(person: Person, as_of: date, *, fresh: bool = True) -> CaseFacts:
    """Facts for one case from the current record (the recompute-on-change path).

    ``fresh`` reads the person again (a writer's copy may be stale); a reader that has just
    read it with its PDU and region (``open_case``) passes ``fresh=False``."""
    if fresh:
        person = Person.objects.select_related("pdu__region").get(pk=person.pk)
    return assemble(_rows_from_objects(
        person, person.events.all(), Offence.objects.filter(event__person=person),
        Sentence.objects.filter(event__person=person), person.registrations.all(),
        person.assessments.all(), person.custody_spells.all()), as_of)


def facts_known_on(person: Person, moment: datetime) -> CaseFacts:
    """Facts for one case as the record stood at ``moment`` (CASE-4), from history."""
    then = Person.history.as_of(moment).filter(pk=person.pk).first()
    if then is None:
        raise LookupError(f"{person.case_ref} was not yet recorded at {moment.isoformat()}")
    events = list(Event.history.as_of(moment).filter(person_id=person.pk))
    event_ids = [e.pk for e in events]
    return assemble(_rows_from_objects(
        then, events, Offence.history.as_of(moment).filter(event_id__in=event_ids),
        Sentence.history.as_of(moment).filter(event_id__in=event_ids),
        Registration.history.as_of(moment).filter(person_id=person.pk),
        Assessment.history.as_of(moment).filter(person_id=person.pk),
        CustodySpell.history.as_of(moment).filter(person_id=person.pk)), moment.date())


# --- every case, in bulk ------------------------------------------------------------------

_PERSON_SQL = """
SELECT p.id, p.case_ref, p.date_of_birth, p.sex, p.nationality, p.second_nationality,
       p.nationality_recorded_on, u.code, u.provider_code, r.code, r.country, p.pdu_since,
       p.supplied_resourcing
FROM cases_person p
LEFT JOIN cases_probationdeliveryunit u ON u.id = p.pdu_id
LEFT JOIN cases_region r ON r.id = u.region_id
WHERE p.id BETWEEN %s AND %s {only} ORDER BY p.id"""
_EVENT_SQL = """
SELECT id, person_id FROM cases_event
WHERE is_current AND person_id BETWEEN %s AND %s {only}"""
# Offences and sentences are read by event id, not joined to events by person: a join lets
# PostgreSQL's planner choose a scan of the whole table for every chunk.
_OFFENCE_SQL = """
SELECT event_id, code, description, schedule_15 FROM cases_offence
WHERE {events} ORDER BY id"""
_SENTENCE_SQL = """
SELECT event_id, kind, date, length, indeterminate, ipp, breach_of_court_order, time_served
FROM cases_sentence WHERE {events} ORDER BY id"""
_REGISTRATION_SQL = """
SELECT person_id, code, level, category, start_date, end_date FROM cases_registration
WHERE person_id BETWEEN %s AND %s {only} AND start_date <= %s
  AND (end_date IS NULL OR end_date > %s)
ORDER BY id"""
_ASSESSMENT_SQL = """
SELECT person_id, kind, score, value, needs, assessed_on FROM cases_assessment
WHERE person_id BETWEEN %s AND %s {only} AND assessed_on <= %s ORDER BY assessed_on, id"""
_CUSTODY_SQL = f"""
SELECT c.person_id, {", ".join("c." + name for name in CUSTODY_FIELDS)}, pr.womens
FROM cases_custodyspell c LEFT JOIN cases_prison pr ON pr.code = c.prison_code
WHERE c.is_current AND c.person_id BETWEEN %s AND %s {{only}} ORDER BY c.id"""


def _grouped(sql: str, params: Sequence[Any]) -> dict[int, list[tuple[Any, ...]]]:
    grouped: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            grouped[row[0]].append(row[1:])
    return grouped


def rows_in_range(low: int, high: int, as_of: date,
                  only: Collection[int] | None = None) -> list[CaseRows]:
    """The rows of every case with id from ``low`` to ``high``: one query per table. With
    ``only``, just the cases of those ids in the range (the same rows, for fewer people)."""
    ids: list[int] = []
    if only is not None:
        ids = sorted(pid for pid in only if low <= pid <= high)
        if not ids:
            return []
    with connection.cursor() as cursor:
        cursor.execute(_PERSON_SQL.format(only=_only("p.id", ids)), [low, high, *ids])
        people = cursor.fetchall()
    return _rows_for(people, low, high, as_of, ids) if people else []


def _only(column: str, ids: list[int]) -> str:
    """The condition keeping only ``ids`` (none when empty: the whole range)."""
    return f"AND {column} IN ({', '.join(['%s'] * len(ids))})" if ids else ""


def _by_event(sql: str, events: dict[int, int]) -> dict[int, list[tuple[Any, ...]]]:
    """Rows of a table keyed by event, regrouped by person, for the current ``events``."""
    if not events:
        return {}
    low, high = min(events), max(events)
    if high - low < 4 * len(events) + 1_000:  # events of a chunk are usually close together
        where, params = "event_id BETWEEN %s AND %s", [low, high]
    else:
        ids = sorted(events)
        where, params = f"event_id IN ({', '.join(['%s'] * len(ids))})", ids
    grouped: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for event_id, rows in _grouped(sql.format(events=where), params).items():
        if event_id in events:
            grouped[events[event_id]].extend(rows)
    return grouped


def _rows_for(people: list[tuple[Any, ...]], low: int, high: int, as_of: date,
              ids: list[int]) -> list[CaseRows]:
    with connection.cursor() as cursor:
        cursor.execute(_EVENT_SQL.format(only=_only("person_id", ids)), [low, high, *ids])
        events = dict(cursor.fetchall())
    offences = _by_event(_OFFENCE_SQL, events)
    sentences = _by_event(_SENTENCE_SQL, events)
    registrations = _grouped(_REGISTRATION_SQL.format(only=_only("person_id", ids)),
                             [low, high, *ids, as_of, as_of])
    assessments = _grouped(_ASSESSMENT_SQL.format(only=_only("person_id", ids)),
                           [low, high, *ids, as_of])
    custody = _grouped(_CUSTODY_SQL.format(only=_only("c.person_id", ids)), [low, high, *ids])
    result = []
    for person in people:
        pid = person[0]
        rows = CaseRows(person, offences.get(pid, []))
        if pid in sentences:
            rows.sentence = sentences[pid][-1]
        rows.registrations = registrations.get(pid, [])
        rows.assessments = assessments.get(pid, [])
        if pid in custody:
            spell = custody[pid][-1]
            rows.custody, womens = spell[:-1], spell[-1]
            rows.womens_prison = None if womens is None else bool(womens)
        result.append(rows)
    return result


def facts_in_range(as_of: date, low: int, high: int) -> list[tuple[int, CaseFacts]]:
    """Every case with id from ``low`` to ``high`` as (person id, facts), in id order."""
    return [(rows.person[0], assemble(rows, as_of)) for rows in rows_in_range(low, high, as_of)]
