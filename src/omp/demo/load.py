"""Write synthetic cases into the case record, fast enough for a million.

Rows go in with ``bulk_create`` a chunk at a time, each chunk in one transaction, so a
load that is stopped keeps whole cases only. Each row also gets its first history row
(CASE-4), dated when the fact was recorded, so "what did we know on date D" works on demo
data too. This path is for synthetic data only: real extracts go through the import action.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group, User
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Model

from omp.access import ADMIN, ROLE_NAMES
from omp.bulk_sql import insert_rows
from omp.cases.models import (
    MAPPA_CODE,
    ROSH_REGISTRATION,
    Assessment,
    CustodySpell,
    Event,
    ManualCasRecord,
    Offence,
    Person,
    PrisonTransfer,
    ProbationDeliveryUnit,
    Registration,
    Sentence,
)
from omp.demo.generator import CaseGenerator, DemoCase
from omp.rules.offences import ogrs3_category

DEMO_PASSWORD = "demo-password-1"
UK = ZoneInfo("Europe/London")
REASON = "synthetic demo data"


@lru_cache(maxsize=8_192)
def _at(day: date) -> Any:
    """9am on ``day`` as the database stores a moment (UTC text on SQLite)."""
    return connection.ops.adapt_datetimefield_value(datetime.combine(day, time(9, 0), UK))


def _plain(value: Any) -> Any:
    # SQLite takes dates as ISO text (Python's implicit date adapter is deprecated).
    return value.isoformat() if type(value) is date else value


class _Table:
    """Plain ``INSERT`` of rows (dicts keyed by attribute name) into one model's table and
    its history table, with ids handed out here so children can point at parents without
    reading anything back — model instances cost ten times more per row."""

    def __init__(self, model: type[Model]) -> None:
        self.model = model
        self.sqlite = connection.vendor == "sqlite"
        self.fields = [f for f in model._meta.concrete_fields]
        self.defaults = {f.attname: f.get_default() for f in self.fields}
        names = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        marks = ", ".join(["%s"] * len(self.fields))
        self.sql = f"INSERT INTO {model._meta.db_table} ({names}) VALUES ({marks})"
        history = getattr(model, "history", None)
        self.history_sql = None
        if history is not None:
            table = history.model._meta.db_table
            extra = ", ".join(connection.ops.quote_name(c) for c in (
                "history_date", "history_change_reason", "history_type", "history_user_id"))
            self.history_sql = (f"INSERT INTO {table} ({names}, {extra}) "
                                f"VALUES ({marks}, %s, %s, %s, %s)")
        top = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
        self.next_id = (top or 0) + 1
        self.rows: list[tuple[tuple[Any, ...], date, str]] = []
        #: History rows of earlier versions: (row, the day it was recorded).
        self.earlier: list[tuple[tuple[Any, ...], date]] = []

    def _row(self, values: dict[str, Any]) -> tuple[Any, ...]:
        row = tuple(values.get(f.attname, self.defaults[f.attname]) for f in self.fields)
        return tuple(_plain(value) for value in row) if self.sqlite else row

    def add(self, recorded: date, *, first: tuple[date, dict[str, Any]] | None = None,
            **values: Any) -> int:
        """Queue one row recorded on ``recorded``; returns its id. ``first`` is an earlier
        version, (the day it was recorded, the values that differed then), for a row that
        was recorded once and changed later (a custody spell ended by a release)."""
        values["id"] = self.next_id
        self.next_id += 1
        if first is not None:
            day, then = first
            self.earlier.append((self._row({**values, **then}), day))
        self.rows.append((self._row(values), recorded, "~" if first else "+"))
        return values["id"]

    def flush(self, history: bool) -> None:
        """Write the queued rows (and their history rows)."""
        rows = [row for row, _, _ in self.rows]
        past = [(*row, _at(day), REASON, "+", None) for row, day in self.earlier]
        past += [(*row, _at(day), REASON, kind, None) for row, day, kind in self.rows]
        with connection.cursor() as cursor:
            insert_rows(cursor, self.sql, rows)
            if history and self.history_sql and past:
                insert_rows(cursor, self.history_sql, past)
        self.rows, self.earlier = [], []

    def reset_sequence(self) -> None:
        """Let the database hand out ids after ours (PostgreSQL keeps a sequence)."""
        statements = connection.ops.sequence_reset_sql(no_style(), [self.model])
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def load_demo(n: int, seed: int = 2026, progress: Callable[[int], None] | None = None,
              as_of: date | None = None, chunk: int = 5_000, history: bool = True,
              users: bool = True) -> int:
    """Generate ``n`` cases with ``seed`` and write them; returns how many were written.

    Case numbers continue after the cases already present. ``history=False`` skips the
    history rows (benchmarks that only read current facts). Run it alone: ids are handed
    out here, so no other writer may insert cases meanwhile.
    """
    if users:
        create_demo_users()
    generator = CaseGenerator(seed, as_of)
    pdus = dict(ProbationDeliveryUnit.objects.values_list("code", "id"))
    tables = {model: _Table(model) for model in (Person, Event, Sentence, Offence,
                                                  Registration, Assessment, CustodySpell,
                                                  PrisonTransfer, ManualCasRecord)}
    start = Person.objects.count() + 1
    written = 0
    batch: list[DemoCase] = []
    for case in generator.cases(n, start):
        batch.append(case)
        if len(batch) == chunk:
            written += _write_chunk(batch, pdus, tables, history)
            if progress:
                progress(len(batch))
            batch = []
    if batch:
        written += _write_chunk(batch, pdus, tables, history)
        if progress:
            progress(len(batch))
    for table in tables.values():
        table.reset_sequence()
    if connection.vendor == "postgresql":
        # Fresh statistics, as autovacuum would gather soon after: without them the planner
        # may scan whole tables for one case's rows.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return written


@transaction.atomic
def _write_chunk(cases: list[DemoCase], pdus: dict[str, int], tables: dict[Any, _Table],
                 history: bool) -> int:
    people, events, sentences, offences = (tables[Person], tables[Event], tables[Sentence],
                                           tables[Offence])
    for case in cases:
        facts, recorded = case.facts, case.recorded
        s = facts["event"]["sentence"]
        # Someone held on remand has no sentence yet: the record starts with the arrival.
        sentenced = date.fromisoformat(s["date"]) if s else \
            date.fromisoformat(facts["custody"]["arrival_date"])
        nationalities = facts["person"].get("nationalities") or []
        pdu_code = facts["probation"].get("pdu_code")
        person_id = people.add(
            sentenced, case_ref=facts["case_ref"], first_name=case.first_name,
            last_name=case.last_name, prison_number=case.prison_number,
            date_of_birth=date.fromisoformat(facts["person"]["date_of_birth"]),
            sex=facts["person"]["sex"],
            nationality=nationalities[0] if nationalities else "",
            second_nationality=nationalities[1] if len(nationalities) > 1 else "",
            nationality_recorded_on=recorded.get("person.nationalities"),
            pdu_id=pdus[pdu_code] if pdu_code else None,
            pdu_since=recorded.get("probation.pdu_code"),
            com_name=facts["probation"].get("com_name") or "",
            com_email=facts["probation"].get("com_email") or "")
        event_id = events.add(sentenced, person_id=person_id, number=1, is_current=True,
                              conviction_date=sentenced if s else None)
        if s:
            sentences.add(sentenced, event_id=event_id, kind=s["kind"], date=sentenced,
                          length=s.get("length") or "",
                          indeterminate=bool(s.get("indeterminate")), ipp=bool(s.get("ipp")))
        for index, o in enumerate(facts["event"]["offences"]):
            offences.add(sentenced, event_id=event_id, code=o["code"],
                         description=o.get("description") or "",
                         schedule_15=o.get("schedule_15") or "", main=index == 0)
        _registrations(tables[Registration], person_id, case)
        _assessments(tables[Assessment], person_id, case)
        for spell in case.past_spells:  # released, or released before a recall
            _custody(tables[CustodySpell], person_id, spell, current=False)
        if facts.get("custody"):
            spell_id = _custody(tables[CustodySpell], person_id, facts["custody"])
            if case.transfer:
                moved_from, moved_to, day = case.transfer
                tables[PrisonTransfer].add(day, spell_id=spell_id, from_prison=moved_from,
                                           to_prison=moved_to, transferred_on=day)
        if case.manual_cas:
            day, outcome, assessor = case.manual_cas
            tables[ManualCasRecord].add(day, person_id=person_id, assessed_on=day,
                                        outcome=outcome, assessor=assessor,
                                        notes="Recorded on the paper CAS form")
    for table in tables.values():
        table.flush(history)
    return len(cases)


def case_as_of(case: DemoCase) -> date:
    """The date the case was generated for."""
    return date.fromisoformat(case.facts["as_of"])


def _registrations(table: _Table, person_id: int, case: DemoCase) -> None:
    risk, recorded = case.facts["risk"], case.recorded
    if risk.get("rosh"):
        day = recorded["risk.rosh"]
        table.add(day, person_id=person_id, code=ROSH_REGISTRATION[risk["rosh"]],
                  start_date=day)
    level = risk.get("mappa_level")
    if level != 0:  # level 0 is "not managed": no register entry
        day = recorded.get("risk.mappa_level") or recorded.get("risk.rosh") or case_as_of(case)
        table.add(day, person_id=person_id, code=MAPPA_CODE, level=level,
                  category=risk.get("mappa_category"), start_date=day)
    for code in risk.get("registrations") or ():
        day = recorded[f"risk.registrations.{code}"]
        table.add(day, person_id=person_id, code=code, start_date=day)


def _assessments(table: _Table, person_id: int, case: DemoCase) -> None:
    risk, recorded = case.facts["risk"], case.recorded
    fallback = recorded.get("risk.rsr_percent") or case_as_of(case)
    for kind, key, is_score in (("RSR", "rsr_percent", True), ("OSP", "osp", False),
                                ("OGRS", "ogrs3_2yr_percent", True), ("TIER", "tier", False)):
        value = risk.get(key)
        if value is None:
            continue
        day = recorded.get(f"risk.{key}") or fallback
        table.add(day, person_id=person_id, kind=kind, assessed_on=day,
                  score=Decimal(str(value)) if is_score else None,
                  value="" if is_score else value)
    ovp = violent_score(case)
    if ovp is not None:  # assessed with the OGRS3 score, in the same OASys
        day = recorded.get("risk.ogrs3_2yr_percent") or fallback
        table.add(day, person_id=person_id, kind="OVP", assessed_on=day,
                  score=Decimal(str(ovp)), value="")


#: OGRS3 categories of a violent index offence (seed 004's violent segment).
_VIOLENT = frozenset({"violence", "robbery"})


def violent_score(case: DemoCase) -> float | None:
    """A plausible OVP-style two-year violent reoffending score (%) for a case with an
    OGRS3 score: lower than the general score, higher after a violent index offence, with
    noise drawn from the case reference (so the generator's own draws, and every other
    fact of every case, stay as they were)."""
    ogrs = case.facts["risk"].get("ogrs3_2yr_percent")
    if ogrs is None:
        return None
    violent = any(ogrs3_category(o["code"]) in _VIOLENT
                  for o in case.facts["event"]["offences"])
    noise = random.Random(f"ovp:{case.facts['case_ref']}").gauss(0, 8)
    score = float(ogrs) * 0.55 + (18 if violent else 0) + noise
    return round(min(95.0, max(1.0, score)), 1)


def _custody(table: _Table, person_id: int, custody: dict[str, Any], current: bool = True
             ) -> int:
    values: dict[str, Any] = {}
    for name, value in custody.items():
        if name.endswith("_date") and value:
            values[name] = date.fromisoformat(value)
        elif name != "womens_prison":
            values[name] = value
    arrived = values.get("arrival_date") or values["sentence_start_date"]
    if current:
        return table.add(arrived, person_id=person_id, is_current=True, **values)
    # An ended spell: recorded on arrival as current, closed on the day of release.
    return table.add(values["actual_release_date"], person_id=person_id, is_current=False,
                     first=(arrived, {"is_current": True, "actual_release_date": None}),
                     **values)


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
    if "contract_manager" in made:
        # The demo contract manager manages the London contracts, so their dashboard has
        # contracts to show (a commissioner names a contract's manager in the admin).
        from omp.commissioning.models import CommissionedContract

        CommissionedContract.objects.filter(contract__reference__startswith="LDN-",
                                            contract_manager__isnull=True).update(
            contract_manager=User.objects.get(username="contract_manager"))
    return made
