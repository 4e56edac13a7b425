"""Write synthetic cases into the case record, fast enough for a million.

Rows go in with ``bulk_create`` a chunk at a time, each chunk in one transaction, so a
load that is stopped keeps whole cases only. Each row also gets its first history row
(CASE-4), dated when the fact was recorded, so "what did we know on date D" works on demo
data too. This path is for synthetic data only: real extracts go through the import action.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models import Model

from omp.cases.models import (
    MAPPA_CODE,
    ROSH_REGISTRATION,
    Assessment,
    CustodySpell,
    Event,
    ManualCasRecord,
    Offence,
    Person,
    ProbationDeliveryUnit,
    Registration,
    Sentence,
)
from omp.demo.generator import CaseGenerator, DemoCase
from omp.web.roles import ADMIN, ROLE_NAMES

DEMO_PASSWORD = "demo-password-1"
UK = ZoneInfo("Europe/London")
REASON = "synthetic demo data"


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), UK)


def _stamp(obj: Model, day: date) -> Model:
    obj._history_date = _at(day)  # type: ignore[attr-defined]
    return obj


def _insert(model: type[Model], objs: list[Any], history: bool) -> None:
    model._default_manager.bulk_create(objs, batch_size=2_000)
    if history:
        model.history.bulk_history_create(  # type: ignore[attr-defined]
            objs, batch_size=2_000, default_change_reason=REASON)


def load_demo(n: int, seed: int = 2026, progress: Callable[[int], None] | None = None,
              as_of: date | None = None, chunk: int = 5_000, history: bool = True,
              users: bool = True) -> int:
    """Generate ``n`` cases with ``seed`` and write them; returns how many were written.

    Case numbers continue after the cases already present. ``history=False`` skips the
    history rows (benchmarks that only read current facts).
    """
    if users:
        create_demo_users()
    generator = CaseGenerator(seed, as_of)
    pdus = dict(ProbationDeliveryUnit.objects.values_list("code", "id"))
    start = Person.objects.count() + 1
    written = 0
    batch: list[DemoCase] = []
    for case in generator.cases(n, start):
        batch.append(case)
        if len(batch) == chunk:
            written += _write_chunk(batch, pdus, history)
            if progress:
                progress(len(batch))
            batch = []
    if batch:
        written += _write_chunk(batch, pdus, history)
        if progress:
            progress(len(batch))
    return written


@transaction.atomic
def _write_chunk(cases: list[DemoCase], pdus: dict[str, int], history: bool) -> int:
    people = [_person(case, pdus) for case in cases]
    _insert(Person, people, history)
    events, sentences, offences, registrations, assessments, spells, manual = (
        [], [], [], [], [], [], [])
    for person, case in zip(people, cases, strict=True):
        facts = case.facts
        sentence = facts["event"]["sentence"]
        sentenced = date.fromisoformat(sentence["date"])
        events.append(_stamp(Event(person=person, number=1, is_current=True,
                                   conviction_date=sentenced), sentenced))
        registrations.extend(_registrations(person, case))
        assessments.extend(_assessments(person, case))
        if facts.get("custody"):
            spells.append(_custody(person, facts["custody"]))
        if case.manual_cas:
            day, outcome, assessor = case.manual_cas
            manual.append(ManualCasRecord(person=person, assessed_on=day, outcome=outcome,
                                          assessor=assessor,
                                          notes="Recorded on the paper CAS form"))
    _insert(Event, events, history)
    for event, case in zip(events, cases, strict=True):
        s = case.facts["event"]["sentence"]
        sentenced = date.fromisoformat(s["date"])
        sentences.append(_stamp(Sentence(
            event=event, kind=s["kind"], date=sentenced, length=s.get("length") or "",
            indeterminate=bool(s.get("indeterminate")), ipp=bool(s.get("ipp"))), sentenced))
        for index, o in enumerate(case.facts["event"]["offences"]):
            offences.append(_stamp(Offence(event=event, code=o["code"],
                                           description=o.get("description") or "",
                                           schedule_15=o.get("schedule_15") or "",
                                           main=index == 0), sentenced))
    _insert(Sentence, sentences, history)
    _insert(Offence, offences, history)
    _insert(Registration, registrations, history)
    _insert(Assessment, assessments, history)
    _insert(CustodySpell, spells, history)
    ManualCasRecord.objects.bulk_create(manual, batch_size=2_000)
    return len(people)


def _person(case: DemoCase, pdus: dict[str, int]) -> Person:
    facts = case.facts
    nationalities = facts["person"].get("nationalities") or []
    pdu_code = facts["probation"].get("pdu_code")
    sentenced = date.fromisoformat(facts["event"]["sentence"]["date"])
    return _stamp(Person(  # type: ignore[return-value]
        case_ref=facts["case_ref"], first_name=case.first_name, last_name=case.last_name,
        date_of_birth=date.fromisoformat(facts["person"]["date_of_birth"]),
        sex=facts["person"]["sex"],
        nationality=nationalities[0] if nationalities else "",
        second_nationality=nationalities[1] if len(nationalities) > 1 else "",
        nationality_recorded_on=case.recorded.get("person.nationalities"),
        pdu_id=pdus[pdu_code] if pdu_code else None,
        pdu_since=case.recorded.get("probation.pdu_code")), sentenced)


def _registrations(person: Person, case: DemoCase) -> Iterable[Registration]:
    risk, recorded = case.facts["risk"], case.recorded
    if risk.get("rosh"):
        day = recorded["risk.rosh"]
        yield _stamp(Registration(person=person, code=ROSH_REGISTRATION[risk["rosh"]],
                                  start_date=day), day)  # type: ignore[misc]
    level = risk.get("mappa_level")
    if level != 0:  # level 0 is "not managed": no register entry
        day = recorded.get("risk.mappa_level") or recorded.get("risk.rosh") or case_as_of(case)
        yield _stamp(Registration(person=person, code=MAPPA_CODE, level=level,
                                  category=risk.get("mappa_category"),
                                  start_date=day), day)  # type: ignore[misc]
    for code in risk.get("registrations") or ():
        day = recorded[f"risk.registrations.{code}"]
        yield _stamp(Registration(person=person, code=code, start_date=day),
                     day)  # type: ignore[misc]


def case_as_of(case: DemoCase) -> date:
    """The date the case was generated for."""
    return date.fromisoformat(case.facts["as_of"])


def _assessments(person: Person, case: DemoCase) -> Iterable[Assessment]:
    risk, recorded = case.facts["risk"], case.recorded
    fallback = recorded.get("risk.rsr_percent") or case_as_of(case)
    for kind, key, is_score in (("RSR", "rsr_percent", True), ("OSP", "osp", False),
                                ("OGRS", "ogrs3_2yr_percent", True), ("TIER", "tier", False)):
        value = risk.get(key)
        if value is None:
            continue
        day = recorded.get(f"risk.{key}") or fallback
        yield _stamp(Assessment(  # type: ignore[misc]
            person=person, kind=kind, assessed_on=day,
            score=Decimal(str(value)) if is_score else None,
            value="" if is_score else value), day)


def _custody(person: Person, custody: dict[str, Any]) -> CustodySpell:
    values: dict[str, Any] = {}
    for name, value in custody.items():
        if name.endswith("_date") and value:
            values[name] = date.fromisoformat(value)
        elif name != "womens_prison":
            values[name] = value
    arrived = values.get("arrival_date") or values["sentence_start_date"]
    return _stamp(CustodySpell(person=person, is_current=True, **values),  # type: ignore[return-value]
                  arrived)


def create_demo_users() -> list[str]:
    """One user per role, named after it (``court_staff``, ``pom`` …), with the demo
    password; ``admin`` is also a Django superuser. Existing users are left alone."""
    made = []
    for role in ROLE_NAMES:
        if User.objects.filter(username=role).exists():
            continue
        user = User.objects.create_user(role, password=DEMO_PASSWORD,
                                        first_name=ROLE_NAMES[role].split()[0],
                                        is_staff=role == ADMIN, is_superuser=role == ADMIN)
        user.groups.add(Group.objects.get(name=role))
        made.append(role)
    return made
