"""The results pages' figures, computed once when the analytics data is written and kept
with the time they were computed, so that no page waits for a measure.

``compute_and_store(data_dir)`` measures every place (:func:`omp.outcomes.results.
compute_results`, a few seconds) and writes a *set* of results under
``<data_dir>/results/``: one file per place and the catalogue, in a folder of its own, then
``current.json`` naming that folder, the time it was computed, how long it took and the
version of the data it was computed from (each Parquet table's size and time). Replacing
``current.json`` is the one step that makes a new set visible, so a page reads either the
old set or the new one, never half of each; the set before is kept one round more (a page
may have read the old pointer a moment before), older ones are removed.

``omp outcomes generate``, ``omp snapshot`` and ``omp court-outcomes import`` compute the
results after writing the data; ``omp outcomes compute`` does it on demand (after copying
data in by hand, or from cron). A page asks :func:`current` for the set, and tells the
reader when it was computed, and whether the data has changed since.
"""

from __future__ import annotations

import json
import pickle
import shutil
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from omp.outcomes.published import AreaCohorts, compose
from omp.outcomes.results import (
    Catalogue,
    Results,
    UnknownPlace,
    compute_results,
    fingerprint,
    has_data,
)

#: The folder, inside the analytics data directory, that holds the computed results.
FOLDER = "results"
POINTER = "current.json"
#: Raised whenever :class:`Results` or what it holds changes shape, so that a set written
#: by an older version is computed again rather than read wrongly.
FORMAT = 1
#: The file of a set holding the published cohort information (COM-3).
PUBLISHED = "published-cohorts"
#: The command that computes the results, as the pages and errors name it.
COMMAND = "omp outcomes compute"


class NotComputed(LookupError):
    """No results have been computed for this data (or they are of an older format)."""


@dataclass(frozen=True)
class ResultSet:
    """One computed set of results: when, from which data, and where its files are."""

    folder: Path
    computed_at: datetime
    seconds: float
    engine: str
    data_version: list[list[Any]]
    places: int

    def is_stale(self, data_dir: Path) -> bool:
        """True when the data has changed since the set was computed."""
        return fingerprint(data_dir) != self.data_version


def results_root(data_dir: Path) -> Path:
    """Where the computed results of ``data_dir`` are kept."""
    return data_dir / FOLDER


def compute_and_store(data_dir: Path, engine: str = "duckdb") -> ResultSet:
    """Measure every results page's figures from ``data_dir`` and keep them, with the time
    they were computed; returns the new set. Older sets are removed."""
    if not has_data(data_dir):
        raise NotComputed(f"{data_dir}: no index_events.parquet and court_outcomes.parquet "
                          "to compute results from")
    version = fingerprint(data_dir)
    started = time.perf_counter()
    catalogue, results = compute_results(data_dir, engine)
    cohorts = published_cohorts(data_dir, catalogue, engine)
    seconds = time.perf_counter() - started
    computed_at = datetime.now(UTC)
    root = results_root(data_dir)
    name = f"set-{computed_at:%Y%m%dT%H%M%S%f}"
    folder = root / name
    folder.mkdir(parents=True)
    _dump(folder / "catalogue.pickle", catalogue)
    for slug, value in results.items():
        _dump(folder / f"{slug}.pickle", value)
    _dump(folder / f"{PUBLISHED}.pickle", cohorts)
    pointer = {"format": FORMAT, "set": name, "computed_at": computed_at.isoformat(),
               "seconds": round(seconds, 3), "engine": engine, "data_version": version,
               "places": len(results)}
    partial = root / f"{POINTER}.{name}.partial"
    partial.write_text(json.dumps(pointer, indent=1))
    partial.replace(root / POINTER)  # the one step that makes the new set visible
    # The set before stays one round, for a page that read the old pointer a moment ago.
    for old in sorted(root.glob("set-*"))[:-2]:
        shutil.rmtree(old, ignore_errors=True)
    return ResultSet(folder, computed_at, seconds, engine, version, len(results))


def published_cohorts(data_dir: Path, catalogue: Catalogue, engine: str = "duckdb"
                      ) -> dict[str, AreaCohorts]:
    """Each contract package area's cohorts broken down for publication (COM-3), raw."""
    from omp.outcomes.engine import Engine
    from omp.outcomes.results import cpa_names

    if not any(place.kind == "cpa" for place in catalogue.places):
        return {}
    with Engine(engine, data_dir) as running:
        return compose(running, catalogue.first_year, catalogue.last_year, cpa_names())


def _dump(path: Path, value: Any) -> None:
    with path.open("wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)


def current(data_dir: Path) -> ResultSet:
    """The set of results the pages show now; :class:`NotComputed` when there is none (or
    only one of an older format)."""
    pointer = results_root(data_dir) / POINTER
    try:
        data = json.loads(pointer.read_text())
    except (OSError, ValueError):
        raise NotComputed(f"{data_dir}: no results computed") from None
    if data.get("format") != FORMAT:
        raise NotComputed(f"{data_dir}: results computed by an older version")
    return ResultSet(results_root(data_dir) / data["set"],
                     datetime.fromisoformat(data["computed_at"]), float(data["seconds"]),
                     str(data["engine"]), data["data_version"], int(data["places"]))


_lock = threading.Lock()
#: What this process has read of each set: (set folder, file stem) → the object.
_read: dict[tuple[str, str], Any] = {}


def _load(result_set: ResultSet, stem: str) -> Any:
    key = (str(result_set.folder), stem)
    with _lock:
        if key in _read:
            return _read[key]
    try:
        with (result_set.folder / f"{stem}.pickle").open("rb") as handle:
            # Written by compute_and_store, above, into the service's own data directory.
            value = pickle.load(handle)
    except FileNotFoundError:
        raise UnknownPlace(stem) from None
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
        raise NotComputed(f"{result_set.folder}: the results cannot be read") from None
    with _lock:
        if len(_read) > 512:
            _read.clear()
        _read[key] = value
    return value


def stored_catalogue(data_dir: Path) -> tuple[ResultSet, Catalogue]:
    """The set in force and the places it holds results for."""
    result_set = current(data_dir)
    try:
        found: Catalogue = _load(result_set, "catalogue")
    except UnknownPlace:
        raise NotComputed(f"{result_set.folder}: no catalogue") from None
    return result_set, found


def stored_results(data_dir: Path, slug: str) -> tuple[ResultSet, Results]:
    """The set in force and the results of the place called ``slug``; :class:`UnknownPlace`
    when it holds none, :class:`NotComputed` when nothing has been computed."""
    result_set, found = stored_catalogue(data_dir)
    if slug not in {place.slug for place in found.places}:
        raise UnknownPlace(slug)
    value: Results = _load(result_set, slug)
    return result_set, value


def stored_cohorts(data_dir: Path) -> tuple[ResultSet, dict[str, AreaCohorts]]:
    """The set in force and each area's cohorts for publication (COM-3); :class:`NotComputed`
    when the set was computed before they were (``omp outcomes compute`` adds them)."""
    result_set = current(data_dir)
    try:
        found: dict[str, AreaCohorts] = _load(result_set, PUBLISHED)
    except UnknownPlace:
        raise NotComputed(f"{result_set.folder}: no published cohort information; run "
                          f"{COMMAND}") from None
    return result_set, found
