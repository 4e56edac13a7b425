"""Reads whose SQL Django builds once per process and database, then runs with new values.

Every call of a provider's API reads the same few rows the same way: its token with the
account, the referral locked for the change with its service, contract and person. Django
builds the SQL of a queryset afresh each time, and for these reads the building took more of
the service's CPU than running them took the database's (bench/profile_referral_writes.py:
1.9 ms to build and read the locked referral, 0.1 ms for the same SQL sent as it is).

A :class:`PreparedRead` is an ordinary queryset, built by a function from marker values: the
queryset is compiled once with the markers, and each call runs the compiled SQL with the
markers' places in its parameters given the call's values; the rows become model instances
exactly as Django makes them (its own ``ModelIterable``: the related rows of
``select_related``, the annotations). The markers are values no row holds (negative ids,
strings with a NUL), found in the compiled parameters by equality; a marker that does not
appear there is an error when the read is compiled, never a wrong read.

The SQL depends only on the queryset's shape, so anything that changes the shape (a role
that sees every referral, or only its provider's) is part of the ``shape`` key a call
names, and the function builds the queryset for that shape.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import QuerySet

M = TypeVar("M")

#: Marker values by the kind of value they stand for: none is an id or a token's checksum.
_MARKERS: dict[type, tuple[Any, ...]] = {
    # Within a 32-bit column's range, or Django would drop the comparison as impossible.
    int: tuple(-2_100_000_001 - n for n in range(8)),
    str: tuple(f"\x00prepared-read-marker-{n}\x00" for n in range(8)),
}


#: The SQL of every prepared read compiled so far: on PostgreSQL, these statements alone are
#: prepared on the server (see :func:`postgresql_cursor_class`).
PREPARED_SQL: set[str] = set()


def postgresql_cursor_class() -> type:
    """The cursor of PostgreSQL connections when reads are prepared: Django's, binding the
    parameters on the server, that asks the server to prepare the prepared reads' statements
    (parsed and planned once per connection) and no other statement run by ``execute``
    (``executemany``, the bulk inserts, prepares its one INSERT, as psycopg always does).

    Preparing every statement a connection runs twice (psycopg's threshold) let PostgreSQL
    choose a generic plan for statements whose best plan depends on their values: the
    nightly run's ``person_id IN (5,000 ids) AND status = …`` went from milliseconds to
    minutes, scanning every open task. A prepared read looks up rows by id, where the
    generic plan is the custom one."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):  # type: ignore[misc, valid-type]
        def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None,
                    binary: bool | None = None) -> Any:
            if prepare is None:
                prepare = query in PREPARED_SQL
            return super().execute(query, params, prepare=prepare, binary=binary)

    return PreparingCursor


#: The values an id can take (a 64-bit column's).
_ID_RANGE = (-(2**63), 2**63 - 1)


@dataclass(frozen=True)
class _Compiled:
    template: QuerySet[Any]
    compiler: Any
    sql: str
    params: tuple[Any, ...]
    places: tuple[tuple[int, int], ...]  # (parameter position, value index)
    db: str
    select_for_update: bool


class _Query:
    """The template's query, but for its compiler: ours, compiled, with the call's values."""

    def __init__(self, query: Any, compiler: Any) -> None:
        self._query, self._compiler = query, compiler

    def get_compiler(self, using: str | None = None, connection: Any = None,
                     elide_empty: bool = True) -> Any:
        return self._compiler

    def __getattr__(self, name: str) -> Any:
        return getattr(self._query, name)


class _Run:
    """What Django's iterables (of model instances, of ``values_list`` tuples) ask of a
    queryset: the template's, with our query."""

    def __init__(self, template: QuerySet[Any], compiler: Any) -> None:
        self.query, self.db, self.model = _Query(template.query, compiler), template.db, \
            template.model
        self._fields = template._fields
        self._known_related_objects: dict[Any, Any] = {}


def _refuse_lock_outside_transaction(locks: bool, db: str) -> None:
    if locks and connections[db].get_autocommit():
        # As Django refuses it: a lock outside a transaction would be let go at once.
        raise RuntimeError("A read that locks rows runs inside a transaction")


class PreparedRead(Generic[M]):
    """A read built by ``build(shape, *values)`` (an ordinary queryset, of model instances
    or of ``values_list`` tuples), compiled once per shape, kinds of values (``int`` or
    ``str``) and database, run with the values of each call."""

    def __init__(self, build: Callable[..., QuerySet[Any]]) -> None:
        self._build = build
        self._compiled: dict[tuple[Hashable, tuple[type, ...], str], _Compiled] = {}

    def _compile(self, shape: Hashable, kinds: tuple[type, ...]) -> _Compiled:
        markers = [_MARKERS[kind][n] for n, kind in enumerate(kinds)]
        queryset = self._build(shape, *markers)
        _refuse_lock_outside_transaction(bool(queryset.query.select_for_update), queryset.db)
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        places = tuple((position, markers.index(value)) for position, value in enumerate(params)
                       if isinstance(value, (int, str)) and not isinstance(value, bool)
                       and value in markers)
        missing = set(range(len(markers))) - {index for _, index in places}
        if missing:
            raise ValueError(f"The read's values {sorted(missing)} are not parameters of its "
                             f"SQL: it cannot be prepared")
        PREPARED_SQL.add(sql)
        return _Compiled(queryset, compiler, sql, tuple(params), places, queryset.db,
                         bool(queryset.query.select_for_update))

    def all(self, shape: Hashable, *values: Any) -> list[M]:
        """The rows of the read of ``shape`` with ``values`` in the markers' places."""
        kinds = tuple(type(value) for value in values)
        if any(kind not in _MARKERS for kind in kinds):
            raise TypeError(f"A prepared read takes whole numbers and strings, not {kinds}")
        if any(kind is int and not _ID_RANGE[0] <= value <= _ID_RANGE[1]
               for kind, value in zip(kinds, values, strict=True)):
            # No id lies beyond a 64-bit column's range: no row, as Django answers such a
            # lookup, rather than the database's error on a bound value it cannot hold.
            return []
        # One database: its vendor is known before the read's own ``db`` is.
        key = (shape, kinds, connections["default"].vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(shape, kinds)
        _refuse_lock_outside_transaction(compiled.select_for_update, compiled.db)
        connection = connections[compiled.db]
        params = list(compiled.params)
        for position, index in compiled.places:
            params[position] = values[index]
        # The compiled compiler, on this thread's connection, answering the SQL with this
        # call's parameters (Django's compilers are not shared between threads).
        run = copy.copy(compiled.compiler)
        run.connection = connection
        run.as_sql = lambda *args, **kwargs: (compiled.sql, tuple(params))
        # Django's own iterable of the template (model instances, or values_list tuples).
        return list(compiled.template._iterable_class(_Run(compiled.template, run)))

    def first(self, shape: Hashable, *values: Any) -> M | None:
        """The first row of :meth:`all`, or ``None``."""
        rows = self.all(shape, *values)
        return rows[0] if rows else None
