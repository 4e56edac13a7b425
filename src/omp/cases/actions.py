"""The only writers of the case record: each records who made the change (CASE-4) in the
history, and ends rows rather than deleting them.

These are the parts the public actions are built of: a change to a case is also a change to
its decisions, so the actions that pages, the API and the commands call — one transaction
each, a role check, the write here and the recompute — are in
:mod:`omp.decisions.actions`. This package imports no other domain.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Model

from omp.cases.models import (
    MAPPA_CODE,
    ROSH_CODES,
    ROSH_REGISTRATION,
    Assessment,
    CaseAccess,
    CustodySpell,
    Event,
    Offence,
    Person,
    PrisonTransfer,
    ProbationDeliveryUnit,
    Registration,
    Sentence,
)
from omp.clock import today
from omp.rules.facts import CaseFacts
from omp.rules.inputs import date_problem, iso_date, plain_decimal

OSP_LEVELS = ("LOW", "MEDIUM", "HIGH", "VERY_HIGH")


class ActionError(ValueError):
    """A change that cannot be made; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _save(obj: Model, user: Any) -> None:
    obj._history_user = user if getattr(user, "pk", None) else None
    obj.save()


def _delete(obj: Model, user: Any) -> None:
    obj._history_user = user if getattr(user, "pk", None) else None
    obj.delete()  # the history table keeps the deleted row, so nothing is lost


def parse_rsr(value: Any) -> Decimal:
    """An RSR percentage from 0 to 100 with at most two decimal places."""
    try:
        score = plain_decimal(str(value))
    except InvalidOperation:
        score = None
    if score is None:
        raise ActionError("rsr_percent", "Enter the RSR score as a number, like 6.9")
    if not score.is_finite() or not Decimal(0) <= score <= Decimal(100):
        raise ActionError("rsr_percent", "RSR score must be between 0 and 100")
    if score.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ActionError("rsr_percent", "RSR score can have at most 2 decimal places")
    return score


def log_case_access(user: Any, person: Person, channel: str, path: str = "") -> CaseAccess:
    """Record that ``user`` opened ``person``'s case through ``channel`` (``web``, ``api``,
    ``admin``).

    Case records are special-category personal data, so every read of one is logged: who,
    which case, when and through which page or route.
    """
    return CaseAccess.objects.create(user=user, person=person, case_ref=person.case_ref,
                                     channel=channel, path=path[:200])


def log_export(user: Any, count: int, path: str) -> None:
    """Record that ``user`` took ``count`` people's data in one export: one row for the
    export as a whole, saying how many people it held."""
    CaseAccess.objects.create(user=user, channel="export",
                              path=f"{path} ({count:,} people)"[:200])


def log_people_listed(user: Any, people: list[Person], channel: str, path: str = "",
                      refused: dict[int, str] | None = None) -> None:
    """Record that ``user`` was given the people of a list (an API search page, a CSV
    download) through ``channel``, one row each in one insert; ``refused`` maps the id of
    a person shown by reference only to the rule that withheld the rest (LAO-1, LAO-2)."""
    refused = refused or {}
    CaseAccess.objects.bulk_create(
        [CaseAccess(user=user, person=person, case_ref=person.case_ref, channel=channel,
                    refusal=refused.get(person.pk, ""), path=path[:200]) for person in people])


def log_refusal(user: Any, channel: str, path: str, refusal: str, case_ref: str = "",
                person: Person | None = None) -> CaseAccess:
    """Record a refused attempt: ``refusal`` is ``role``, ``LAO-1``, ``LAO-2`` or
    ``not_found``; ``case_ref`` is what was asked for, ``person`` the case when it exists."""
    return CaseAccess.objects.create(
        user=user, person=person, case_ref=(person.case_ref if person else case_ref)[:20],
        channel=channel, refusal=refusal, path=path[:200])


def write_rsr_osp(user: Any, person: Person, rsr: Any = None, osp: str | None = None,
                  assessed_on: date | None = None) -> None:
    """Record a new RSR score and/or OSP level, refusing a future date, a score outside 0 to
    100 and an unknown level. Runs in the caller's transaction."""
    assessed_on = assessed_on or today()
    if assessed_on > today():
        raise ActionError("assessed_on", "The assessment date cannot be in the future")
    if rsr in (None, "") and not osp:
        raise ActionError("rsr_percent", "Enter an RSR score or an OSP level")
    if rsr not in (None, ""):
        _save(Assessment(person=person, kind="RSR", score=parse_rsr(rsr),
                         assessed_on=assessed_on), user)
    if osp:
        if osp not in OSP_LEVELS:
            raise ActionError("osp", f"OSP level must be one of {', '.join(OSP_LEVELS)}")
        _save(Assessment(person=person, kind="OSP", value=osp, assessed_on=assessed_on), user)


def apply_case_facts(user: Any, facts: CaseFacts) -> tuple[Person, bool, list[tuple[str, str]]]:
    """Make the record of one case say what ``facts`` say (one line of an import); returns
    the person, whether the case is new, and warnings ``(field, message)`` about what could
    not be recorded (a PDU code not in the reference data: the case is kept without a PDU).

    Values that changed are recorded as new registrations or assessments dated ``as_of``;
    values that stopped are ended, never deleted. Runs in the caller's transaction.
    """
    pdu = None
    warnings: list[tuple[str, str]] = []
    if facts.pdu_code:
        pdu = ProbationDeliveryUnit.objects.filter(code=facts.pdu_code).first()
        if pdu is None:
            warnings.append(("probation.pdu_code",
                             f"Unknown PDU {facts.pdu_code!r}: the case is kept without a PDU "
                             "until the code is added to the reference data"))
    nationalities = list(facts.nationalities or ())
    person, created = Person.objects.get_or_create(case_ref=facts.case_ref)
    updates = {
        "date_of_birth": facts.date_of_birth, "sex": facts.sex or "",
        "nationality": nationalities[0] if nationalities else "",
        "second_nationality": nationalities[1] if len(nationalities) > 1 else "",
        "pdu": pdu, "supplied_resourcing": facts.resourcing or "",
    }
    if facts.com_name is not None or facts.com_email is not None:
        # An extract that says nothing of the COM leaves the recorded one alone.
        updates.update(com_name=facts.com_name or "", com_email=facts.com_email or "")
    changed = created
    if person.nationality != updates["nationality"] or \
            person.second_nationality != updates["second_nationality"]:
        person.nationality_recorded_on = facts.as_of
    if person.pdu_id != (pdu.pk if pdu else None):
        person.pdu_since = facts.as_of
    for name, value in updates.items():
        if getattr(person, name) != value:
            setattr(person, name, value)
            changed = True
    if changed:
        _save(person, user)
    _upsert_event(user, person, facts)
    _upsert_registrations(user, person, facts)
    _upsert_assessments(user, person, facts)
    _upsert_custody(user, person, facts)
    return person, created, warnings


def _upsert_event(user: Any, person: Person, facts: CaseFacts) -> None:
    event = person.events.filter(is_current=True).order_by("-number").first()
    if event is None:
        if not facts.offences and facts.sentence is None:
            return
        event = Event(person=person, number=1, is_current=True)
        _save(event, user)
    wanted = [(o.code, o.description or "", o.schedule_15 or "") for o in facts.offences]
    have = list(event.offences.order_by("id"))
    if [(o.code, o.description, o.schedule_15) for o in have] != wanted:
        for offence in have:
            _delete(offence, user)
        for index, (code, description, flag) in enumerate(wanted):
            _save(Offence(event=event, code=code, description=description, schedule_15=flag,
                          main=index == 0), user)
    if facts.sentence is not None and facts.sentence.kind is not None:
        s = facts.sentence
        sentence = Sentence.objects.filter(event=event).first() or Sentence(event=event)
        values = {"kind": s.kind, "date": s.date, "length": s.length or "",
                  "indeterminate": bool(s.indeterminate), "ipp": bool(s.ipp),
                  "breach_of_court_order": bool(s.breach_of_court_order),
                  "time_served": bool(s.time_served)}
        if sentence.pk is None or any(getattr(sentence, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(sentence, name, value)
            _save(sentence, user)


def _active(person: Person, on: date) -> list[Registration]:
    return [r for r in person.registrations.order_by("id")
            if r.start_date <= on and (r.end_date is None or r.end_date > on)]


def _upsert_registrations(user: Any, person: Person, facts: CaseFacts) -> None:
    on = facts.as_of
    active = _active(person, on)
    wanted: dict[str, tuple[int | None, int | None]] = {c: (None, None)
                                                         for c in facts.registrations}
    if facts.rosh:
        wanted[ROSH_REGISTRATION[facts.rosh]] = (None, None)
    if facts.mappa_level:
        wanted[MAPPA_CODE] = (facts.mappa_level, facts.mappa_category)
    for registration in active:
        key = (registration.level, registration.category)
        keep = registration.code in wanted and (
            registration.code != MAPPA_CODE or wanted[registration.code] == key)
        # Only register types the extract speaks for are ended: RoSH when a level is
        # given, MAPPA when a level is given, other codes always.
        speaks = (registration.code not in ROSH_CODES or facts.rosh is not None) and (
            registration.code != MAPPA_CODE or facts.mappa_level is not None)
        if keep:
            wanted.pop(registration.code)
        elif speaks:
            registration.end_date = on
            _save(registration, user)
    for code, (level, category) in wanted.items():
        _save(Registration(person=person, code=code, level=level, category=category,
                           start_date=on), user)


def _upsert_assessments(user: Any, person: Person, facts: CaseFacts) -> None:
    for kind, score, value in (("RSR", facts.rsr_percent, ""), ("OGRS", facts.ogrs3_2yr_percent,
                                                                 ""),
                               ("OSP", None, facts.osp or ""), ("TIER", None, facts.tier or "")):
        if score is None and not value:
            continue
        latest = person.assessments.filter(kind=kind).order_by("-assessed_on", "-id").first()
        if latest is not None and latest.score == score and latest.value == value:
            continue
        _save(Assessment(person=person, kind=kind, score=score, value=value,
                         assessed_on=facts.as_of), user)


def _upsert_custody(user: Any, person: Person, facts: CaseFacts) -> None:
    custody = facts.custody
    spell = person.custody_spells.filter(is_current=True).order_by("-id").first()
    if custody is None:
        return
    spell = spell or CustodySpell(person=person)
    changed = spell.pk is None
    moved_from = spell.prison_code if spell.pk is not None else ""
    for name in CustodySpell._meta.get_fields():
        attr = getattr(name, "attname", None)
        if attr is None or not hasattr(custody, attr):
            continue
        value = getattr(custody, attr)
        if isinstance(getattr(spell, attr), str):
            value = value or ""
        elif isinstance(getattr(spell, attr), bool):
            value = bool(value)
        if getattr(spell, attr) != value:
            setattr(spell, attr, value)
            changed = True
    if changed:
        _save(spell, user)
    if moved_from and spell.prison_code and moved_from != spell.prison_code:
        _save(PrisonTransfer(spell=spell, from_prison=moved_from, to_prison=spell.prison_code,
                             transferred_on=facts.as_of), user)


#: The custody dates staff may correct on the case page (HAND-2 inputs).
EDITABLE_CUSTODY_DATES = (
    "sentence_start_date", "conditional_release_date", "automatic_release_date",
    "parole_eligibility_date", "home_detention_curfew_eligibility_date",
    "home_detention_curfew_actual_date", "tariff_date", "target_hearing_date",
    "licence_expiry_date",
)


def _custody_date(name: str, value: Any) -> date:
    """A date typed for a custody field: a real date as YYYY-MM-DD in the accepted range."""
    day = value if isinstance(value, date) else iso_date(str(value).strip())
    if day is None:
        raise ActionError(f"custody.{name}", "Enter a real date as YYYY-MM-DD, like "
                                             "2027-04-01")
    problem = date_problem(day)
    if problem is not None:
        raise ActionError(f"custody.{name}", f"The date {problem}")
    return day


def write_custody_dates(user: Any, person: Person, changes: dict[str, Any]) -> CustodySpell:
    """Correct the dates of the current custody spell. Contradictory dates (a release before
    the sentence start, a tariff date on a determinate sentence) are refused with the field
    named, and nothing is saved. Runs in the caller's transaction."""
    from omp.cases.facts import facts_for_person
    from omp.rules.handover import check_custody_dates

    spell = person.custody_spells.filter(is_current=True).order_by("-id").first()
    if spell is None:
        raise ActionError("custody", "The person has no current custody spell")
    parsed: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in EDITABLE_CUSTODY_DATES:
            raise ActionError(f"custody.{name}", "This date cannot be changed here")
        if value in (None, ""):
            parsed[name] = None
            continue
        parsed[name] = _custody_date(name, value)
    facts = facts_for_person(person, today())
    assert facts.custody is not None
    proposed = replace(facts, custody=replace(facts.custody, **parsed))
    for field_name, message in check_custody_dates(proposed):
        raise ActionError(field_name, message)
    for name, value in parsed.items():
        setattr(spell, name, value)
    _save(spell, user)
    return spell
