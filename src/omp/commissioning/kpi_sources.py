"""The rows KPIs are counted over (``omp.rules.kpi.SOURCES``), read from the referrals and
the case store and written as Parquet tables for the engines (``omp.outcomes.kpis``).

A referral belongs to the contract of the service it was sent to (``Referral.service
.contract``, the catalogue contract a ``CommissionedContract`` holds one to one). The rows
carry no names or references of people: only the contract, dates and codes a KPI counts by.

Each table is one SQL query, streamed into Arrow record batches and written batch by batch,
so memory does not grow with the volume: on PostgreSQL the query's rows come through
``COPY ... TO STDOUT`` as CSV, parsed by Arrow; elsewhere (SQLite, in tests) through a
cursor, a chunk at a time. The database does the per-referral work: a referral's lifecycle
events are summarised in SQL (what was recorded before the event that ended it, the plan
versions submitted and approved, the sessions that took place), and Python only turns each
referral's summary into its state (``rules.referral_lifecycle.summary_state``) and counts
its working days — one row per referral, never one per event.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from django.db import connection
from django.utils import timezone

from omp.outcomes.kpis import source_schema, source_table_name
from omp.rules.kpi import SOURCES, working_days
from omp.rules.referral_lifecycle import (
    ASSIGNED,
    CONCLUDED,
    END_OF_SERVICE_REPORT,
    INITIAL_ASSESSMENT,
    PLAN_AMENDED,
    PLAN_APPROVED,
    PLAN_SUBMITTED,
    SENT,
    SESSION,
    WITHDRAWN,
    summary_state,
)

#: Rows a batch holds when read through a cursor.
CHUNK = 50_000
#: The sources read at the same time on PostgreSQL (the referrals and the sessions are the
#: big ones).
READ_THREADS = 2


def _tables() -> dict[str, str]:
    """Each model's table, by the name the queries use."""
    from omp.custody.models import ActionProgress, PlanReview, SupportAction
    from omp.referrals.models import (
        ActionPlan,
        Appointment,
        ComplexityLevel,
        Contract,
        EndOfServiceOutcome,
        EndOfServiceReport,
        PersonFeedback,
        Referral,
        ReferralEvent,
        Service,
        ServiceCategory,
    )

    models: dict[str, Any] = {
        "referral": Referral, "event": ReferralEvent, "plan": ActionPlan,
        "appointment": Appointment, "service": Service, "contract": Contract,
        "category": ServiceCategory, "level": ComplexityLevel,
        "report": EndOfServiceReport, "rating": EndOfServiceOutcome,
        "feedback": PersonFeedback, "action": SupportAction, "progress": ActionProgress,
        "review": PlanReview}
    return {name: connection.ops.quote_name(model._meta.db_table)
            for name, model in models.items()}


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _day(column: str) -> str:
    """SQL for the day (in the service's time zone) of the moment ``column``, as
    ``timezone.localtime(moment).date()`` gives it."""
    zone = _quoted(timezone.get_current_timezone_name())
    if connection.vendor == "postgresql":
        return f"(({column}) AT TIME ZONE {zone})::date"
    return f"django_datetime_cast_date({column}, {zone}, 'UTC')"


def _json_length(column: str) -> str:
    """SQL for the length of the JSON list ``column`` (0 when it is not a list)."""
    if connection.vendor == "postgresql":
        return f"CASE WHEN jsonb_typeof({column}) = 'array' THEN jsonb_array_length({column}) " \
               f"ELSE 0 END"
    return f"CASE WHEN json_type({column}) = 'array' THEN json_array_length({column}) ELSE 0 END"


_CONTRACT = """JOIN {service} s ON s.id = r.service_id
    JOIN {contract} c ON c.id = s.contract_id
    JOIN {category} cat ON cat.id = s.category_id"""


def _batches(sql: str, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """The rows of ``sql`` (its columns in ``schema``'s order) as record batches of
    ``schema``."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            yield from _copied(cursor.cursor, sql, schema)
            return
        cursor.execute(sql)
        while rows := cursor.fetchmany(CHUNK):
            columns = list(zip(*rows, strict=True))
            yield pa.RecordBatch.from_arrays(
                [_array(list(values), field.type) for values, field in zip(columns, schema,
                                                                          strict=True)],
                schema=schema)


def _array(values: list[Any], kind: pa.DataType) -> pa.Array:
    if kind == pa.date32():
        return pa.array([date.fromisoformat(v) if isinstance(v, str) else v for v in values],
                        pa.date32())
    if kind == pa.bool_():
        return pa.array([None if v is None else bool(v) for v in values], pa.bool_())
    if kind == pa.float64():
        return pa.array([None if v is None else float(v) for v in values], pa.float64())
    return pa.array(values, kind)


def _copied(cursor: Any, sql: str, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """PostgreSQL: the query's rows through ``COPY`` as CSV into a scratch file, then read
    by Arrow in blocks. Every value is quoted, so an unquoted empty field is a NULL and a
    quoted one an empty text."""
    with tempfile.TemporaryFile() as scratch:
        with cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE *)") as copy:
            for block in copy:
                scratch.write(block)
        if not scratch.tell():
            return
        scratch.seek(0)
        reader = pacsv.open_csv(
            scratch,
            read_options=pacsv.ReadOptions(column_names=schema.names, block_size=8 << 20),
            convert_options=pacsv.ConvertOptions(
                column_types=schema, true_values=["t", "1"], false_values=["f", "0"],
                null_values=[""], strings_can_be_null=True,
                quoted_strings_can_be_null=False))
        for batch in reader:
            yield batch.cast(schema) if batch.schema != schema else batch


# --- referrals -------------------------------------------------------------------------

#: One row per sent referral, with the summary of its lifecycle events that its state is
#: derived from (``summary_state``): ``summary`` and ``plans`` count the events recorded
#: before the one that ended the referral (``_LIVE``), as ``referral_state`` replays them (by
#: time, then the order they were recorded in).
_REFERRALS = """
WITH {scope}firsts AS (
    SELECT referral_id, kind, at, id, happened_on,
           ROW_NUMBER() OVER (
               PARTITION BY referral_id,
                            CASE WHEN kind = '{initial_assessment}' THEN 1 ELSE 0 END
               ORDER BY at, id) AS n
    FROM {event}
    WHERE kind IN ('{concluded}', '{withdrawn}', '{initial_assessment}')
), ends AS (
    SELECT referral_id, kind, at, id FROM firsts
    WHERE n = 1 AND kind <> '{initial_assessment}'
), summary AS (
    SELECT e.referral_id,
           MAX(CASE WHEN e.kind = '{sent}' THEN 1 ELSE 0 END) AS sent,
           MAX(CASE WHEN e.kind = '{assigned}' THEN 1 ELSE 0 END) AS keyworker,
           MAX(CASE WHEN e.kind = '{initial_assessment}' THEN 1 ELSE 0 END) AS assessed,
           MAX(CASE WHEN e.kind = '{end_of_service_report}' THEN 1 ELSE 0 END) AS report,
           SUM(CASE WHEN e.kind = '{session}' THEN 1 ELSE 0 END) AS sessions
    FROM {event} e
    LEFT JOIN ends ON ends.referral_id = e.referral_id
    WHERE e.kind IN ('{sent}', '{assigned}', '{initial_assessment}',
                     '{end_of_service_report}', '{session}')
      AND ({live})
    GROUP BY e.referral_id
), plans AS (
    SELECT e.referral_id, e.kind, e.at, e.id, p.version AS plan_version,
           ROW_NUMBER() OVER (
               PARTITION BY e.referral_id,
                            CASE WHEN e.kind = '{plan_approved}' THEN 1 ELSE 0 END
               ORDER BY e.at DESC, e.id DESC) AS n
    FROM {event} e
    LEFT JOIN ends ON ends.referral_id = e.referral_id
    LEFT JOIN {plan} p ON p.id = e.action_plan_id
    WHERE e.kind IN ('{plan_submitted}', '{plan_amended}', '{plan_approved}')
      AND ({live})
), pending AS (
    SELECT s.referral_id,
           CASE WHEN COUNT(a.id) > 0 THEN NULL ELSE MAX(s.plan_version) END AS version
    FROM plans s
    LEFT JOIN plans a ON a.referral_id = s.referral_id AND a.kind = '{plan_approved}'
                     AND (a.at > s.at OR (a.at = s.at AND a.id > s.id))
                     AND a.plan_version >= s.plan_version
    WHERE s.n = 1 AND s.kind <> '{plan_approved}'
    GROUP BY s.referral_id
), approved AS (
    SELECT referral_id, plan_version AS version FROM plans
    WHERE n = 1 AND kind = '{plan_approved}'
), assigned AS (
    SELECT referral_id, MIN(at) AS at FROM {event}
    WHERE kind = '{assigned}' GROUP BY referral_id
), planned AS (
    SELECT referral_id, number_of_sessions,
           ROW_NUMBER() OVER (PARTITION BY referral_id ORDER BY version DESC) AS n
    FROM {plan} WHERE approved_at IS NOT NULL
), attended AS (
    SELECT referral_id, COUNT(*) AS sessions FROM {appointment}
    WHERE attendance IN ('yes', 'late') GROUP BY referral_id
)
SELECT c.reference, {sent_on}, cat.code, lvl.complexity, r.location,
       {assigned_on},
       COALESCE(ia.happened_on, {assessed_on}),
       ends.kind, {ended_on},
       COALESCE(sm.sent, 0), COALESCE(sm.keyworker, 0), COALESCE(sm.assessed, 0),
       COALESCE(sm.report, 0), COALESCE(sm.sessions, 0), pe.version, ap.version,
       pl.number_of_sessions, COALESCE(att.sessions, 0), {desired}
FROM {referral} r
{contract_joins}
LEFT JOIN {level} lvl ON lvl.id = r.complexity_level_id
LEFT JOIN summary sm ON sm.referral_id = r.id
LEFT JOIN ends ON ends.referral_id = r.id
LEFT JOIN firsts ia ON ia.referral_id = r.id AND ia.n = 1
                   AND ia.kind = '{initial_assessment}'
LEFT JOIN assigned asg ON asg.referral_id = r.id
LEFT JOIN pending pe ON pe.referral_id = r.id
LEFT JOIN approved ap ON ap.referral_id = r.id
LEFT JOIN planned pl ON pl.referral_id = r.id AND pl.n = 1
LEFT JOIN attended att ON att.referral_id = r.id
WHERE r.sent_at IS NOT NULL{only}
"""

#: ``_REFERRALS`` for one contract's referrals: the events, plans and sessions it reads cut
#: down to theirs first (through the tables' referral indexes), so the query reads only them.
_SCOPE = """scoped_referral AS (
    SELECT r.id FROM {referral} r JOIN {service} s ON s.id = r.service_id
    WHERE s.contract_id = {contract_id} AND r.sent_at IS NOT NULL
), scoped_event AS NOT MATERIALIZED (
    SELECT * FROM {event} WHERE referral_id IN (SELECT id FROM scoped_referral)
), scoped_plan AS NOT MATERIALIZED (
    SELECT * FROM {plan} WHERE referral_id IN (SELECT id FROM scoped_referral)
), scoped_appointment AS NOT MATERIALIZED (
    SELECT * FROM {appointment} WHERE referral_id IN (SELECT id FROM scoped_referral)
), """

#: An event ``e`` recorded before the one that ended its referral (``ends``), if any.
_LIVE = "ends.id IS NULL OR e.at < ends.at OR (e.at = ends.at AND e.id < ends.id)"

#: The columns of ``_REFERRALS``: the source's own and the summary its state comes from.
_SUMMARY = pa.schema([
    ("contract", pa.string()), ("sent_on", pa.date32()), ("category", pa.string()),
    ("complexity", pa.string()), ("location", pa.string()),
    ("keyworker_assigned_on", pa.date32()), ("initial_assessment_on", pa.date32()),
    ("ended_by", pa.string()), ("ended_on", pa.date32()),
    ("sent", pa.bool_()), ("keyworker", pa.bool_()), ("assessed", pa.bool_()),
    ("report", pa.bool_()), ("sessions", pa.int64()), ("pending", pa.int64()),
    ("approved", pa.int64()), ("sessions_planned", pa.float64()),
    ("sessions_attended", pa.float64()), ("desired_outcomes", pa.float64())])


def _referrals_sql(contract_id: int | None = None) -> str:
    """The referrals' summary query: every sent referral's, or only those to the services
    of the contract ``contract_id`` (a ``referrals.Contract``'s id)."""
    tables = _tables()
    scope = only = ""
    if contract_id is not None:
        scope = _SCOPE.format(**tables, contract_id=int(contract_id))
        only = f" AND s.contract_id = {int(contract_id)}"
        tables = {**tables, "event": "scoped_event", "plan": "scoped_plan",
                  "appointment": "scoped_appointment"}
    return _REFERRALS.format(
        **tables, contract_joins=_CONTRACT.format(**tables), scope=scope, only=only,
        sent=SENT, assigned=ASSIGNED, initial_assessment=INITIAL_ASSESSMENT,
        plan_submitted=PLAN_SUBMITTED, plan_amended=PLAN_AMENDED,
        plan_approved=PLAN_APPROVED, session=SESSION,
        end_of_service_report=END_OF_SERVICE_REPORT, concluded=CONCLUDED,
        withdrawn=WITHDRAWN, sent_on=_day("r.sent_at"), assigned_on=_day("asg.at"),
        assessed_on=_day("ia.at"), ended_on=_day("ends.at"),
        desired=_json_length("r.desired_outcome_ids"), live=_LIVE)


@lru_cache(maxsize=4096)
def _state(ended_by: str | None, sent: bool, keyworker: bool, assessed: bool,
           report: bool, sessions: int, pending: int | None, approved: int | None
           ) -> tuple[str, bool]:
    """A summary's state code and whether it has ended (summaries repeat: cached)."""
    state = summary_state(sent=bool(sent), ended_by=ended_by, keyworker=bool(keyworker),
                          assessed=bool(assessed), pending=pending, approved=approved,
                          sessions=sessions or 0, report=bool(report))
    return state.code, state.ended


@lru_cache(maxsize=65_536)
def _working_days(assigned: date, assessed: date) -> float:
    return float(working_days(assigned, assessed))


def _referral_batch(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """A batch of ``_SUMMARY`` rows as the source's rows: each referral's state from its
    summary, and the working days from assignment to the initial assessment."""
    column = {name: batch.column(name).to_pylist()
              for name in ("ended_by", "sent", "keyworker", "assessed", "report", "sessions",
                           "pending", "approved", "keyworker_assigned_on",
                           "initial_assessment_on")}
    states = [_state(*summary) for summary in zip(
        column["ended_by"], column["sent"], column["keyworker"], column["assessed"],
        column["report"], column["sessions"], column["pending"], column["approved"],
        strict=True)]
    days = [_working_days(assigned, assessed) if assigned and assessed else None
            for assigned, assessed in zip(column["keyworker_assigned_on"],
                                          column["initial_assessment_on"], strict=True)]
    ended_on = batch.column("ended_on").to_pylist()
    computed = {
        "assessment_working_days": pa.array(days, pa.float64()),
        "state": pa.array([code for code, _ended in states], pa.string()),
        "ended_on": pa.array([day if ended else None
                              for day, (_code, ended) in zip(ended_on, states, strict=True)],
                             pa.date32())}
    return pa.RecordBatch.from_arrays(
        [computed[field.name] if field.name in computed else batch.column(field.name)
         for field in schema], schema=schema)


def referral_batches() -> Iterator[pa.RecordBatch]:
    """One row per sent referral: its contract, category, dates of its lifecycle, its state
    now and its sessions."""
    schema = source_schema("referrals")
    for batch in _batches(_referrals_sql(), _SUMMARY):
        yield _referral_batch(batch, schema)


def contract_referral_summaries(contract_id: int) -> Iterator[tuple[str, bool, date | None,
                                                                   date | None]]:
    """Each sent referral to the contract ``contract_id``'s services (a
    ``referrals.Contract``'s id), from the same summary of its events as the referrals
    source: its state's code, whether it has ended (withdrawn or concluded), the day its
    keyworker was first assigned and the day of its first initial assessment (either
    ``None``)."""
    for batch in _batches(_referrals_sql(contract_id), _SUMMARY):
        column = {name: batch.column(name).to_pylist()
                  for name in ("ended_by", "sent", "keyworker", "assessed", "report",
                               "sessions", "pending", "approved", "keyworker_assigned_on",
                               "initial_assessment_on")}
        for row in zip(column["ended_by"], column["sent"], column["keyworker"],
                       column["assessed"], column["report"], column["sessions"],
                       column["pending"], column["approved"],
                       column["keyworker_assigned_on"], column["initial_assessment_on"],
                       strict=True):
            code, _ended = _state(*row[:8])
            yield code, row[0] is not None, row[8], row[9]


# --- the other sources -----------------------------------------------------------------


def session_batches() -> Iterator[pa.RecordBatch]:
    """One row per session booked that was not moved (a moved session counts where it
    went)."""
    tables = _tables()
    sql = f"""SELECT c.reference, {_day("a.starts_at")}, cat.code,
                     NULLIF(a.attendance, ''), a.happened, a.enforceable, a.method
              FROM {tables["appointment"]} a
              JOIN {tables["referral"]} r ON r.id = a.referral_id
              {_CONTRACT.format(**tables)}
              WHERE a.rescheduled_to_id IS NULL"""
    return _batches(sql, source_schema("sessions"))


def outcome_batches() -> Iterator[pa.RecordBatch]:
    """One row per support plan action run through a sent referral: its needs pathway, how
    it stands, when it is due and the day a review first found it achieved ("people
    supported into accommodation" counts these; desired outcomes are counted from the
    end-of-service reports, ``end_of_service_batches``)."""
    tables = _tables()
    sql = f"""SELECT c.reference, sa.area, cat.code, sa.status, sa.due, ach.achieved_on
              FROM {tables["action"]} sa
              JOIN {tables["referral"]} r ON r.reference = sa.referral_reference
              {_CONTRACT.format(**tables)}
              LEFT JOIN (SELECT p.action_id, MIN(rv.reviewed_on) AS achieved_on
                         FROM {tables["progress"]} p
                         JOIN {tables["review"]} rv ON rv.id = p.review_id
                         WHERE p.status = 'achieved' GROUP BY p.action_id
                        ) ach ON ach.action_id = sa.id
              WHERE sa.referral_reference <> '' AND r.sent_at IS NOT NULL"""
    return _batches(sql, source_schema("outcomes"))


def end_of_service_batches() -> Iterator[pa.RecordBatch]:
    """One row per desired outcome rated in a referral's end-of-service report (REF-6):
    how far it was achieved (achieved, partly or not) and its part of the achievement
    score. The ratings are the latest version's (a correction replaces them); the row is
    placed on the day the first version was submitted, so a correction changes a month's
    figure without moving it to another month (see docs/decisions.md)."""
    from omp.rules.referral_outcomes import ACHIEVEMENT_SCORES

    tables = _tables()
    scores = " ".join(f"WHEN {_quoted(level)} THEN {score!r}"
                      for level, score in ACHIEVEMENT_SCORES.items())
    sql = f"""SELECT c.reference, {_day("rep.first_at")}, cat.code, o.achievement,
                     CASE o.achievement {scores} END
              FROM (SELECT id, referral_id,
                           ROW_NUMBER() OVER (PARTITION BY referral_id
                                              ORDER BY version DESC) AS n,
                           FIRST_VALUE(submitted_at) OVER (PARTITION BY referral_id
                                                           ORDER BY version) AS first_at
                    FROM {tables["report"]}) rep
              JOIN {tables["rating"]} o ON o.report_id = rep.id
              JOIN {tables["referral"]} r ON r.id = rep.referral_id
              {_CONTRACT.format(**tables)}
              WHERE rep.n = 1 AND r.sent_at IS NOT NULL"""
    return _batches(sql, source_schema("end_of_service"))


def feedback_batches() -> Iterator[pa.RecordBatch]:
    """One row per person's feedback on the service (REF-6e): the day it was given, the
    service category and how helpful they found it, from 1 (not helpful at all) to 5 (very
    helpful)."""
    tables = _tables()
    sql = f"""SELECT c.reference, {_day("f.recorded_at")}, cat.code, f.helpfulness
              FROM {tables["feedback"]} f
              JOIN {tables["referral"]} r ON r.id = f.referral_id
              {_CONTRACT.format(**tables)}
              WHERE r.sent_at IS NOT NULL"""
    return _batches(sql, source_schema("feedback"))


READERS: dict[str, Callable[[], Iterator[pa.RecordBatch]]] = {
    "referrals": referral_batches, "sessions": session_batches,
    "outcomes": outcome_batches, "end_of_service": end_of_service_batches,
    "feedback": feedback_batches}


def rows(source: str) -> list[dict[str, Any]]:
    """A source's rows as dictionaries (for a few rows: a test, a check by hand)."""
    return pa.Table.from_batches(list(READERS[source]()),
                                 schema=source_schema(source)).to_pylist()


def referral_rows() -> list[dict[str, Any]]:
    """The referrals source's rows as dictionaries (``referral_batches``)."""
    return rows("referrals")


def _write(directory: Path, source: str) -> int:
    schema = source_schema(source)
    count = 0
    with pq.ParquetWriter(directory / f"{source_table_name(source)}.parquet",
                          schema) as writer:
        for batch in READERS[source]():
            writer.write_batch(batch)
            count += batch.num_rows
        if not count:
            writer.write_table(schema.empty_table())
    return count


def _write_apart(directory: Path, source: str) -> int:
    """``_write`` in a thread of its own, on a connection of its own, closed after."""
    try:
        return _write(directory, source)
    finally:
        connection.close()


def write_sources(directory: Path, sources: list[str] | None = None) -> dict[str, int]:
    """Write each source's table to ``directory`` as ``kpi_<source>.parquet``, a batch at a
    time; returns how many rows each held. On PostgreSQL outside a transaction the sources
    are read at the same time, each on a connection of its own (``READ_THREADS`` at once):
    the database does most of the work, so its queries overlap; inside a transaction (a
    test's) they are read one after the other, on the transaction's connection, which alone
    sees its rows."""
    directory.mkdir(parents=True, exist_ok=True)
    wanted = sources or list(SOURCES)
    if connection.vendor != "postgresql" or connection.in_atomic_block or len(wanted) < 2:
        return {source: _write(directory, source) for source in wanted}
    with ThreadPoolExecutor(max_workers=READ_THREADS) as pool:
        counts = list(pool.map(lambda source: _write_apart(directory, source), wanted))
    return dict(zip(wanted, counts, strict=True))
