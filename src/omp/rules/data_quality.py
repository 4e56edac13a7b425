"""What a record says that cannot be so, pointed out rather than decided on.

A person still recorded in custody after the day they were due to be released is the
commonest such record in real extracts: the release (or a recall, or a further sentence)
has not been recorded yet. The decisions are still made from the record as it stands; the
case page warns, and each prison's data-quality list collects these cases, so that someone
brings the record up to date.

- Someone serving a determinate sentence, not recalled: the automatic release date (the
  conditional release date, or the automatic release date where no CRD is recorded) has
  passed, or failing both the licence expiry date has.
- Someone recalled: back in custody after a release, so a passed release date is expected;
  only a licence expiry date that has passed says the record is out of date.
- Someone held on remand, or serving an indeterminate sentence (whose tariff is a minimum
  term, not a release date), has no release date that can pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from omp.rules.facts import Custody

#: The release dates checked, in the order they are looked for, with their names in words.
_AUTOMATIC = (("conditional_release_date", "conditional release date (CRD)"),
              ("automatic_release_date", "automatic release date (ARD)"))
_LICENCE_EXPIRY = ("licence_expiry_date", "licence expiry date (LED)")


@dataclass(frozen=True, slots=True)
class ReleasePassed:
    """A release date that has passed while the person is recorded in custody."""

    field: str
    name: str
    date: date
    days_ago: int

    @property
    def explanation(self) -> str:
        """What the record says and what may be missing, in words."""
        ago = "yesterday" if self.days_ago == 1 else f"{self.days_ago:,} days ago"
        return (f"Still recorded in custody, but the {self.name} was "
                f"{self.date.strftime('%-d %B %Y')}, {ago}: a release, recall or further "
                f"sentence may not have been recorded")


def release_date_passed(custody: Custody | None, as_of: date) -> ReleasePassed | None:
    """The release date that has passed while ``custody`` is current on ``as_of``, or
    ``None`` when the record holds together (or the person is not in custody)."""
    if custody is None or custody.remand:
        return None
    checked = () if custody.recall else _AUTOMATIC
    for name, words in checked:
        day = getattr(custody, name)
        if day is not None:
            return _passed(name, words, day, as_of)
    day = custody.licence_expiry_date
    return None if day is None else _passed(*_LICENCE_EXPIRY, day, as_of)


def _passed(name: str, words: str, day: date, as_of: date) -> ReleasePassed | None:
    if day >= as_of:
        return None
    return ReleasePassed(f"custody.{name}", words, day, (as_of - day).days)
