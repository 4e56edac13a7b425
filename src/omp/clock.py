"""The one clock: what day it is for the service, in England and Wales.

Every "today" the service uses comes from :func:`today`; rules never call it (they take
``as_of``), and tests set the day with :func:`frozen_at`. Session time-outs measure seconds
with :func:`timestamp`, which tests replace to move time on.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
_frozen: date | None = None


def today() -> date:
    """Today's date in Europe/London (or the day a test has frozen the clock at)."""
    if _frozen is not None:
        return _frozen
    return datetime.now(LONDON).date()


@contextmanager
def frozen_at(day: date) -> Iterator[None]:
    """Within the block, :func:`today` answers ``day``."""
    global _frozen
    before, _frozen = _frozen, day
    try:
        yield
    finally:
        _frozen = before


def timestamp() -> float:
    """Seconds since the epoch, for measuring how long a session has been idle or alive."""
    return time.time()
