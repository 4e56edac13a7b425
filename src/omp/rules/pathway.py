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

from omp.rules.expressions import (
    Family,
    Item,
    always,
    day_words,
    duration_words,
    eq,
    fact,
    is_null,
    lit,
    months_reached,
    one_of,
    present,
    text,
    when,
    words_of,
)
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


_ROSH, _KIND = fact("rosh"), fact("sentence_kind")
_LENGTH, _SENTENCED = fact("sentence_length"), fact("sentence_date")
_SERVED = text("Sentenced to ", duration_words(_LENGTH), " from ", day_words(_SENTENCED))

#: PATH-1 as a decision tree (omp.rules.expressions): the first row that holds decides,
#: for a person in custody. Read by the per-case evaluator below; the column evaluator
#: compiles the same rows to SQL.
PATHWAY_FAMILY = Family(
    "pathway",
    inputs=("rosh", "on_rosh", "sentence_ipp", "remand", "sentence_kind",
            "sentence_indeterminate", "sentence_length", "sentence_date"),
    items=(
        Item(RULE, "pathway", "risk.rosh", one_of(_ROSH, ("HIGH", "VERY_HIGH")), text(
            "RoSH ", words_of(_ROSH), when(present(fact("on_rosh")), text(
                ", recorded on ", day_words(fact("on_rosh"))), ""), ", so pathway 1 (PATH-1)"),
             _ROSH, outcome=1),
        Item(RULE, "pathway", "event.sentence.ipp", eq(fact("sentence_ipp"), True),
             lit("Serving an IPP sentence, so pathway 1 (PATH-1)"), True, outcome=1),
        Item(RULE, "pathway", "custody.remand", eq(fact("remand"), True),
             lit("Held on remand, so pathway 4 (PATH-1)"), True, outcome=4),
        Item(RULE, "pathway", "event.sentence", is_null(_KIND), lit(
            "No sentence recorded and not on remand: the pathway cannot be decided (PATH-1)")),
        Item(RULE, "pathway", "event.sentence.indeterminate",
             eq(fact("sentence_indeterminate"), True), lit(
                 "An indeterminate sentence counts as 12 months or more, so pathway 2 "
                 "(PATH-1)"), True, outcome=2),
        Item(RULE, "pathway", "event.sentence.length", is_null(_LENGTH), lit(
            "Sentence length not recorded: the pathway cannot be decided (PATH-1)")),
        Item(RULE, "pathway", "event.sentence.date", is_null(_SENTENCED), lit(
            "Sentence date not recorded, so 12 months cannot be counted: the pathway cannot "
            "be decided (PATH-1)")),
        Item(RULE, "pathway", "event.sentence.length", months_reached(_LENGTH, _SENTENCED, 12),
             text(_SERVED, ": 12 months or more, so pathway 2 (PATH-1)"), _LENGTH, outcome=2),
        Item(RULE, "pathway", "event.sentence.length", always(),
             text(_SERVED, ": less than 12 months, so pathway 3 (PATH-1)"), _LENGTH,
             outcome=3),
    ),
    first_match=True,
)
_pathway = PATHWAY_FAMILY.compile()


def decide_pathway(facts: CaseFacts) -> PathwayDecision | None:
    """PATH-1 for one case; ``None`` when the person is not in custody."""
    if facts.custody is None:
        return None
    sentence = facts.sentence
    (items,) = _pathway(
        facts.rosh, facts.recorded.get("risk.rosh"), sentence.ipp if sentence else None,
        facts.custody.remand, sentence.kind if sentence else None,
        sentence.indeterminate if sentence else None, sentence.length if sentence else None,
        sentence.date if sentence else None)
    _, _, field, value, _, explanation, pathway = items[0]
    return PathwayDecision(pathway, field, value, explanation)
