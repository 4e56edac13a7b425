"""The facts behind a decision, grouped as a practitioner reads a case: the person, their
probation unit, risk, the sentence and offences, and custody (CASE-1..3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from omp.cases.display import LEVELS, NOT_RECORDED, duration_words, percent_words
from omp.cases.models import SEXES, Person, Prison, PrisonTransfer
from omp.rules.facts import CaseFacts
from omp.rules.tier import computed_tier, tiers_disagree

#: Custody dates shown on the case page, in the order a release is worked out.
CUSTODY_DATES = (
    ("arrival_date", "Arrival in custody"),
    ("sentence_start_date", "Sentence start"),
    ("conditional_release_date", "Conditional release date (CRD)"),
    ("automatic_release_date", "Automatic release date (ARD)"),
    ("parole_eligibility_date", "Parole eligibility date (PED)"),
    ("tariff_date", "Tariff expiry date (TED)"),
    ("home_detention_curfew_eligibility_date", "HDC eligibility date (HDCED)"),
    ("licence_expiry_date", "Licence expiry date"),
)


@dataclass(frozen=True)
class FactRow:
    """One fact: its name, its value in words, and when it was recorded where known."""

    key: str
    value: str
    recorded: date | None = None
    missing: bool = False


@dataclass
class FactSection:
    """A titled group of facts."""

    title: str
    rows: list[FactRow] = field(default_factory=list)

    def add(self, key: str, value: Any, recorded: date | None = None) -> None:
        """Add a fact; ``None`` and empty values read "Not recorded"."""
        missing = value is None or value == "" or value == ()
        self.rows.append(FactRow(key, NOT_RECORDED if missing else str(value), recorded,
                                 missing))


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else "Yes" if value else "No"


def _day(value: date | None) -> str | None:
    return None if value is None else value.strftime("%-d %B %Y")


def person_section(person: Person, facts: CaseFacts) -> FactSection:
    """Who the person is (CASE-1)."""
    section = FactSection("Person")
    section.add("Name", person.full_name)
    section.add("Case reference", person.case_ref)
    section.add("Prison number", person.prison_number)
    section.add("Date of birth", _day(facts.date_of_birth))
    section.add("Sex", dict(SEXES).get(facts.sex or ""))
    section.add("Nationalities", ", ".join(facts.nationalities or ()),
                facts.recorded.get("person.nationalities"))
    return section


def probation_section(person: Person, facts: CaseFacts) -> FactSection:
    """The Community Offender Manager's Probation Delivery Unit and its provider (CASE-1)."""
    section = FactSection("Probation")
    pdu = person.pdu
    section.add("Probation Delivery Unit", str(pdu) if pdu else None,
                facts.recorded.get("probation.pdu_code"))
    section.add("Provider", facts.provider_code)
    section.add("Region", pdu.region.name if pdu else None)
    welsh = facts.is_welsh
    section.add("Country", None if welsh is None else "Wales" if welsh else "England")
    return section


def risk_section(facts: CaseFacts, tier: str, tier_source: str) -> FactSection:
    """Risk scores, levels and registrations (CASE-3)."""
    section = FactSection("Risk")
    recorded = facts.recorded
    section.add("RSR score", percent_words(facts.rsr_percent), recorded.get("risk.rsr_percent"))
    section.add("OSP level", LEVELS.get(facts.osp or "", facts.osp),
                recorded.get("risk.osp"))
    section.add("RoSH level", LEVELS.get(facts.rosh or ""), recorded.get("risk.rosh"))
    mappa = facts.mappa_level
    mappa_words = None if mappa is None else "Not MAPPA managed" if mappa == 0 else (
        f"Level {mappa}" + (f", category {facts.mappa_category}" if facts.mappa_category
                            else ""))
    section.add("MAPPA", mappa_words, recorded.get("risk.mappa_level"))
    section.add("Supervision tier used", f"{tier} ({tier_source})" if tier else None)
    section.add("Supervision tier recorded", facts.tier, recorded.get("risk.tier"))
    computed = computed_tier(facts)
    section.add("Supervision tier computed here",
                f"{computed.code} ({computed.protect_points} protect points)"
                if computed else None)
    if tiers_disagree(facts):
        section.add("Tiers disagree", "The recorded and computed protect levels differ: the "
                    "more serious one is used (ALLOC-2a)")
    section.add("OGRS3 2-year", percent_words(facts.ogrs3_2yr_percent),
                recorded.get("risk.ogrs3_2yr_percent"))
    section.add("Other registrations", ", ".join(facts.registrations))
    return section


def sentence_section(facts: CaseFacts) -> FactSection:
    """The sentence on the current event (CASE-2); offences are listed separately."""
    section = FactSection("Sentence")
    sentence = facts.sentence
    if sentence is None:
        section.add("Sentence", None)
        return section
    section.add("Type", sentence.kind.capitalize() if sentence.kind else None)
    section.add("Date", _day(sentence.date))
    section.add("Length", None if sentence.length is None else duration_words(sentence.length))
    section.add("Indeterminate", _yes_no(sentence.indeterminate))
    section.add("IPP", _yes_no(sentence.ipp))
    return section


def custody_section(person: Person, facts: CaseFacts) -> FactSection:
    """The current custody spell, its key dates and the transfers so far (CASE-2)."""
    section = FactSection("Custody")
    custody = facts.custody
    if custody is None:
        section.add("Custody", None)
        return section
    prisons = dict(Prison.objects.values_list("code", "name"))
    section.add("Prison", _prison(prisons, custody.prison_code))
    for name, label in CUSTODY_DATES:
        section.add(label, _day(getattr(custody, name)))
    transfers = PrisonTransfer.objects.filter(
        spell__person=person, spell__is_current=True, transferred_on__lte=facts.as_of)
    for transfer in transfers:
        section.add(f"Transferred on {_day(transfer.transferred_on)}",
                    f"from {_prison(prisons, transfer.from_prison)} to "
                    f"{_prison(prisons, transfer.to_prison)}")
    return section


def _prison(names: dict[str, str], code: str | None) -> str | None:
    return f"{names[code]} ({code})" if code in names else code


def fact_sections(person: Person, facts: CaseFacts, tier: str = "", tier_source: str = ""
                  ) -> list[FactSection]:
    """Every section of the facts behind the decision, in reading order."""
    return [person_section(person, facts), probation_section(person, facts),
            risk_section(facts, tier, tier_source), sentence_section(facts),
            custody_section(person, facts)]


def in_pairs(sections: list[FactSection]) -> list[list[FactSection]]:
    """Sections two to a row, so each row of the page starts level."""
    return [sections[index:index + 2] for index in range(0, len(sections), 2)]
