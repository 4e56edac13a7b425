"""The staff lists of HAND-3 and HANDOVER §4.9, read from the current handover decisions:
upcoming handovers (the next 8 weeks), cases in handover, and COM allocation overdue; each
for one prison or one PDU, sortable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery

from omp.cases.models import CustodySpell, Prison
from omp.decisions.models import CurrentHandover

UPCOMING_DAYS = 56  # §4.9: eight weeks
OVERDUE_AFTER_DAYS = 2  # §4.9: a COM is due within two days of the handover

LISTS = {
    "upcoming": "Upcoming handovers (next 8 weeks)",
    "in_handover": "In handover: COM responsible",
    "com_overdue": "COM allocation overdue",
}
#: Sort keys a user may choose, and the columns they order by.
SORTS = {
    "handover_date": ("handover_date", "person__case_ref"),
    "case_ref": ("person__case_ref",),
    "name": ("person__last_name", "person__first_name", "person__case_ref"),
    "prison": ("prison_name", "prison_code", "handover_date", "person__case_ref"),
    "pdu": ("person__pdu__name", "handover_date", "person__case_ref"),
}


@dataclass(frozen=True)
class ListQuery:
    """Which list, for which prison or PDU, in which order."""

    kind: str = "upcoming"
    prison: str = ""
    pdu: str = ""
    sort: str = "handover_date"
    descending: bool = False


def _code(typed: str, length: int) -> str:
    """A prison or PDU code as typed, printable characters only: no code has others, and
    PostgreSQL refuses a NUL in text."""
    return "".join(ch for ch in typed if ch.isprintable()).strip()[:length]


def handover_list(query: ListQuery, today: date) -> QuerySet[CurrentHandover]:
    """The cases of one list on ``today``; each row carries ``prison_code`` and
    ``prison_name``."""
    spells = CustodySpell.objects.filter(person_id=OuterRef("person_id"), is_current=True)
    rows = (CurrentHandover.objects.select_related("person__pdu", "record")
            .annotate(prison_code=Subquery(spells.order_by("-id").values("prison_code")[:1]))
            .annotate(prison_name=Subquery(
                Prison.objects.filter(code=OuterRef("prison_code")).values("name")[:1]))
            .filter(Exists(spells)))  # people still in custody only
    if query.kind == "upcoming":
        # POM responsible (with or without the COM supporting) and the COM takes over
        # within the next eight weeks.
        rows = rows.filter(responsibility__in=("POM_RESPONSIBLE",
                                               "POM_RESPONSIBLE_COM_SUPPORTING"),
                           handover_date__gte=today,
                           handover_date__lt=today + timedelta(days=UPCOMING_DAYS))
    else:
        rows = rows.filter(responsibility="COM_RESPONSIBLE", handover_date__isnull=False)
        if query.kind == "com_overdue":
            rows = rows.filter(Q(person__com_name="") & Q(person__com_email=""),
                               handover_date__lte=today - timedelta(days=OVERDUE_AFTER_DAYS))
    prison, pdu = _code(query.prison, 5), _code(query.pdu, 10)
    if prison:
        # A semi-join on the prison's current spells (an index lookup), not a filter on
        # the annotated subquery, which the database would run for every row of the list.
        rows = rows.filter(Exists(spells.filter(prison_code=prison)))
    if pdu:
        rows = rows.filter(person__pdu__code=pdu)
    columns = SORTS.get(query.sort, SORTS["handover_date"])
    ordering = [F(c).desc(nulls_last=True) if query.descending else F(c).asc(nulls_last=True)
                for c in columns]
    return rows.order_by(*ordering)
