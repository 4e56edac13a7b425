"""PATH-1: the pathway a person in custody is put on (the Doncaster "Alliance" model, seed 003
§3.1), re-decided on every change of conviction, sentence or risk.

1. high or very high RoSH, or an IPP sentence;
2. sentenced to 12 months or more (INTERCHANGE.md: the length added to the sentence date
   reaches the same day 12 months later; an indeterminate sentence counts), not pathway 1;
3. sentenced to less than 12 months;
4. on remand (``custody.remand``), with or without a sentence recorded.

Pathway 1 is checked first, as the seed lists it: a person held on remand whose risk of
serious harm is high is managed as pathway 1. A person not in custody has no pathway; one in
custody whose sentence cannot be measured (no length, or no date to count from) has none
either, and the decision says which data is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from omp.rules.durations import at_least_months, day_words, duration_words
from omp.rules.facts import CaseFacts

RULE = "PATH-1"
#: What each pathway means, in plain words.
PATHWAY_TITLES = {
    1: "Pathway 1: high risk of serious harm or IPP (probation leads)",
    2: "Pathway 2: sentenced to 12 months or more",
    3: "Pathway 3: sentenced to less than 12 months",
    4: "Pathway 4: on remand",
}


@dataclass(frozen=True, slots=True)
class PathwayDecision:
    """The pathway (``None`` when it cannot be decided), the field and value that placed
    the person on it, and the explanation in plain words."""

    pathway: int | None
    field: str
    value: Any
    explanation: str
    rule: str = RULE

    @property
    def title(self) -> str:
        """The pathway in plain words, or why there is none."""
        return PATHWAY_TITLES[self.pathway] if self.pathway else "No pathway decided"

    def to_dict(self) -> dict[str, Any]:
        """The ``pathway_reason`` object of the published decision."""
        value = self.value.isoformat() if isinstance(self.value, date) else self.value
        return {"rule": self.rule, "field": self.field, "value": value,
                "explanation": self.explanation}


def _on(facts: CaseFacts, path: str) -> str:
    day = facts.recorded.get(path)
    return f", recorded on {day_words(day)}" if day else ""


def decide_pathway(facts: CaseFacts) -> PathwayDecision | None:
    """PATH-1 for one case; ``None`` when the person is not in custody."""
    if facts.custody is None:
        return None
    sentence = facts.sentence
    if facts.rosh in ("HIGH", "VERY_HIGH"):
        words = facts.rosh.replace("_", " ").lower()
        return PathwayDecision(1, "risk.rosh", facts.rosh,
                               f"RoSH {words}{_on(facts, 'risk.rosh')}, so pathway 1 (PATH-1)")
    if sentence is not None and sentence.ipp:
        return PathwayDecision(1, "event.sentence.ipp", True,
                               "Serving an IPP sentence, so pathway 1 (PATH-1)")
    if facts.custody.remand:
        return PathwayDecision(4, "custody.remand", True,
                               "Held on remand, so pathway 4 (PATH-1)")
    if sentence is None or sentence.kind is None:
        return PathwayDecision(None, "event.sentence", None,
                               "No sentence recorded and not on remand: the pathway cannot be "
                               "decided (PATH-1)")
    if sentence.indeterminate:
        return PathwayDecision(2, "event.sentence.indeterminate", True,
                               "An indeterminate sentence counts as 12 months or more, so "
                               "pathway 2 (PATH-1)")
    if sentence.length is None:
        return PathwayDecision(None, "event.sentence.length", None,
                               "Sentence length not recorded: the pathway cannot be decided "
                               "(PATH-1)")
    if sentence.date is None:
        return PathwayDecision(None, "event.sentence.date", None,
                               "Sentence date not recorded, so 12 months cannot be counted: "
                               "the pathway cannot be decided (PATH-1)")
    served = f"Sentenced to {duration_words(sentence.length)} from " \
             f"{day_words(sentence.date)}"
    if at_least_months(sentence.length, sentence.date, 12):
        return PathwayDecision(2, "event.sentence.length", sentence.length,
                               f"{served}: 12 months or more, so pathway 2 (PATH-1)")
    return PathwayDecision(3, "event.sentence.length", sentence.length,
                           f"{served}: less than 12 months, so pathway 3 (PATH-1)")
