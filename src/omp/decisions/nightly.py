"""The nightly run: every case decided again for a day, in one chunked, resumable loop.

Each chunk of cases is read once from the case record (:mod:`omp.cases.facts`) and goes
through the parts in order — the allocation (ALLOC), then responsibility and handover
(HAND-1..3), fed the allocation outcome decided for the same day from the same facts — so
no result depends on the order the parts run in. The reading and deciding is spread over
worker processes (:mod:`omp.process_pool`) that only read; this process commits each chunk's
new decisions, their heads and both parts' checkpoints in one transaction, so a run killed
half way leaves every case's decisions old or new, and the next run for the same day
resumes after the last committed chunk. Each part writes only the decisions that differ
from the current ones. The domains above follow the cases that moved through
:data:`omp.decisions.signals.chunk_decided`, inside the chunk's transaction.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from django.db import connections, transaction
from django.utils import timezone

from omp.cases.facts import rows_in_range
from omp.cases.models import Person
from omp.decisions import handover, recompute
from omp.decisions.models import RecomputeRun
from omp.decisions.signals import chunk_decided
from omp.process_pool import in_order
from omp.rules.facts import CaseFacts
from omp.rules.policy import PolicyVersion

#: The parts, in the order each chunk goes through them.
PARTS = ("allocation", "handover")


@dataclass
class NightlyChunk:
    """What the parts found in one chunk of cases."""

    low: int
    high: int
    allocation: recompute.ChunkResult
    handover: handover.HandoverChunk
    #: The facts of the moved cases in custody, each with the digest of the rows they were
    #: assembled from, for the domains that follow (:data:`chunk_decided`).
    facts: dict[int, tuple[str, CaseFacts]] = field(default_factory=dict)


@dataclass
class NightlyRun:
    """A night's run: the checkpoint and counts of each part."""

    allocation: RecomputeRun
    handover: RecomputeRun

    @property
    def finished(self) -> bool:
        """True once every part examined every case."""
        return self.allocation.finished and self.handover.finished


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for one chunk, then running again as before.

    A chunk makes a few hundred thousand tuples (its rows, facts and decisions) that live
    until the chunk ends, and the collector went through all of them, and everything Django
    had loaded, about once a chunk: about a third of a worker's CPU on a night with nothing
    to write. They hold almost no reference cycles (a few hundred objects in a whole run at
    100,000 cases), so reference counting frees them as before, and the collector, running
    again between chunks, finds what few cycles there are: memory stays as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


#: SQLite's page cache for the committing connection during a run, in KiB (its default is
#: 2 MiB). Each chunk inserts rows at scattered places of the decisions', handovers' and
#: tasks' indexes; with the default cache most of those pages were read again from the
#: operating system for each insert.
NIGHT_CACHE_KIB = 256 * 1024


class LargerPageCache:
    """On SQLite, the committing connection's page cache at :data:`NIGHT_CACHE_KIB` for a
    run, then back to what it was (the web service's connections keep the default).

    Enlarged at the first chunk's commit, once the workers are forked: they must not
    inherit an open connection."""

    def __init__(self) -> None:
        self.before: int | None = None

    def enlarge(self) -> None:
        """Enlarge the cache, once (a no-op on other databases)."""
        connection = connections["default"]
        if self.before is not None or connection.vendor != "sqlite":
            return
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            (self.before,) = cursor.fetchone()
            cursor.execute(f"PRAGMA cache_size = -{NIGHT_CACHE_KIB}")

    def restore(self) -> None:
        """Give the connection its cache back as it was."""
        if self.before is not None:
            with connections["default"].cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(self.before)}")
            self.before = None


def compute_chunk(low: int, high: int, as_of: date, versions: Sequence[PolicyVersion]
                  ) -> NightlyChunk:
    """Every part's decisions for the cases with id in ``low..high``; reads only."""
    with cycle_collection_paused():
        rows = rows_in_range(low, high, as_of)
        facts_of: dict[int, CaseFacts] = {}
        inputs_of: dict[int, str] = {}
        allocation = recompute.compute_chunk(low, high, as_of, versions, rows, facts_of,
                                             inputs_of)
        decided = handover.compute_chunk(low, high, as_of, versions, rows,
                                         allocation.outcomes, facts_of)
        chunk = NightlyChunk(low, high, allocation, decided)
        # Sent back with the decisions, so that the tasks that follow are set from these
        # facts rather than from the rows read and assembled again in the committing
        # process (which cost most of a first night there).
        chunk.facts = {pid: (inputs_of[pid], facts_of[pid]) for pid in moved(chunk)
                       if pid in facts_of and facts_of[pid].custody is not None}
        return chunk


def moved(result: NightlyChunk) -> set[int]:
    """The cases in a chunk whose allocation decision, handover decision or inputs moved."""
    return ({row[0] for row in result.allocation.rows}
            | {row[0] for row in result.allocation.confirmed}
            | {row[0] for row in result.handover.rows})


def open_runs(as_of: date) -> NightlyRun:
    """The unfinished runs for ``as_of`` to resume, or new ones."""
    return NightlyRun(*(RecomputeRun.to_resume(as_of, part) for part in PARTS))


def _bounds(after_id: int, chunk: int) -> list[tuple[int, int]]:
    ids = list(Person.objects.filter(pk__gt=after_id).order_by("pk")
               .values_list("pk", flat=True))
    return [(ids[i], ids[min(i + chunk, len(ids)) - 1]) for i in range(0, len(ids), chunk)]


def cases_left(as_of: date) -> int:
    """How many cases the run for ``as_of`` has still to examine (for a progress bar)."""
    runs = open_runs(as_of)
    after = min(runs.allocation.last_person_id, runs.handover.last_person_id)
    return Person.objects.filter(pk__gt=after).count()


def run_nightly(as_of: date, chunk: int = 5_000,
                progress: Callable[[int, int], None] | None = None,
                stop_after_chunks: int | None = None, workers: int = 1) -> NightlyRun:
    """Decide every case again for ``as_of``, part by part, chunk by chunk.

    ``progress(examined, changed)`` is called after each committed chunk. With ``workers``
    > 1 the reading and deciding is spread over that many forked processes; they need
    committed data, so not inside an open transaction.
    """
    runs = open_runs(as_of)
    versions = recompute.policy_versions()
    after = min(runs.allocation.last_person_id, runs.handover.last_person_id)
    bounds = _bounds(after, chunk)
    if stop_after_chunks is not None:
        bounds = bounds[:stop_after_chunks]
    if workers > 1 and len(bounds) > 1:
        connections.close_all()  # forked children must not share the parent's connection
    cache = LargerPageCache()
    try:
        for result in in_order(compute_chunk, ((low, high, as_of, versions)
                                               for low, high in bounds),
                               workers if len(bounds) > 1 else 1, fork=True,
                               setup=connections.close_all):
            cache.enlarge()
            with cycle_collection_paused(), transaction.atomic():
                changed = recompute.commit_chunk(runs.allocation, result.allocation)
                changed += handover.commit_chunk(runs.handover, result.handover)
                # The domains above this one (custody's tasks) follow the cases that moved.
                chunk_decided.send(sender=run_nightly, as_of=as_of, low=result.low,
                                   high=result.high, person_ids=moved(result),
                                   facts=result.facts)
            if progress:
                progress(result.allocation.examined, changed)
    finally:
        cache.restore()
    last = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    if stop_after_chunks is None or (bounds and bounds[-1][1] >= last):
        now = timezone.now()
        for run in (runs.allocation, runs.handover):
            run.last_person_id = max(run.last_person_id, last)
            run.finished_at = now
            run.save(update_fields=["last_person_id", "finished_at"])
    return runs
