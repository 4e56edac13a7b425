"""The thresholds of OUT-6's gaming checks, apart from the checks themselves
(:mod:`omp.outcomes.gaming`), so that the command line can show them as its defaults without
loading the analytics engines."""

from __future__ import annotations

#: OUT-6 parking: a medium- or high-risk band whose support minutes per person are below this
#: share of its pathway's own figure is flagged. Cherry-picking: a low-risk band above the
#: inverse (1 / 0.75, a third more than its pathway) is flagged.
INTENSITY_THRESHOLD = 0.75
#: OUT-6 transfer gaming: transfers out within this many weeks before release.
TRANSFER_WEEKS = 12
