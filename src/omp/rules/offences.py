"""Home Office offence codes: the one reference list of what each code means, with its
OGRS3 offence category (REFERENCE.md §3). Pages, downloads and the command line show an
offence by its description from here when the record holds none; the court-outcome import
checks codes against it; the synthetic data draws its offences from it. An abridged list:
the codes the service and its synthetic data use, not every code the Home Office keeps."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OffenceCode:
    """One code of the list: the code, its description and its OGRS3 category."""

    code: str
    description: str
    ogrs3_category: str


#: The list, in the order it was first published here (the synthetic national history
#: draws codes by position, so new codes go at the end).
OFFENCE_CODES: tuple[OffenceCode, ...] = (
    OffenceCode("00100", "Murder", "violence"),
    OffenceCode("00200", "Attempted murder", "violence"),
    OffenceCode("00400", "Manslaughter", "violence"),
    OffenceCode("00500", "Wounding or grievous bodily harm with intent", "violence"),
    OffenceCode("00801", "Wounding or inflicting grievous bodily harm", "violence"),
    OffenceCode("00802", "Assault occasioning actual bodily harm", "violence"),
    OffenceCode("10400", "Common assault and battery", "violence"),
    OffenceCode("10500", "Assault on a constable", "violence"),
    OffenceCode("01900", "Rape of a female aged 16 or over", "sexual_not_child"),
    OffenceCode("02001", "Sexual assault on a female aged 13 or over", "sexual_not_child"),
    OffenceCode("02100", "Sexual activity with a child under 13", "sexual_child"),
    OffenceCode("02200", "Sexual activity with a child under 16", "sexual_child"),
    OffenceCode("03401", "Robbery of business property", "robbery"),
    OffenceCode("03402", "Robbery of personal property", "robbery"),
    OffenceCode("02800", "Burglary in a dwelling", "burglary_domestic"),
    OffenceCode("03000", "Burglary in a building other than a dwelling", "burglary_other"),
    OffenceCode("03900", "Theft from the person", "theft"),
    OffenceCode("04000", "Theft in a dwelling", "theft"),
    OffenceCode("04100", "Theft by an employee", "theft"),
    OffenceCode("04400", "Theft of a pedal cycle", "theft"),
    OffenceCode("04600", "Theft from a shop or stall", "theft"),
    OffenceCode("04900", "Other theft or unauthorised taking", "theft"),
    OffenceCode("02700", "Theft", "theft"),
    OffenceCode("04500", "Theft from a vehicle", "theft_from_vehicle"),
    OffenceCode("04800", "Theft or unauthorised taking of a motor vehicle",
                "taking_and_driving_away"),
    OffenceCode("13000", "Aggravated vehicle taking", "taking_and_driving_away"),
    OffenceCode("05400", "Handling stolen goods", "handling"),
    OffenceCode("05300", "Fraud", "fraud_and_forgery"),
    OffenceCode("06100", "Forgery or use of a false instrument", "fraud_and_forgery"),
    OffenceCode("05600", "Arson", "criminal_damage"),
    OffenceCode("05800", "Criminal damage", "criminal_damage"),
    OffenceCode("09230", "Production or supply of a controlled drug (class A)",
                "drug_import_export_production"),
    OffenceCode("09200", "Importation or exportation of a controlled drug",
                "drug_import_export_production"),
    OffenceCode("09210", "Possession with intent to supply", "drug_possession_supply"),
    OffenceCode("09220", "Possession of a controlled drug", "drug_possession_supply"),
    OffenceCode("06600", "Affray", "public_order"),
    OffenceCode("06500", "Violent disorder", "public_order"),
    OffenceCode("12500", "Harassment", "public_order"),
    OffenceCode("19500", "Threatening behaviour and disorderly conduct", "public_order"),
    OffenceCode("80200", "Driving with excess alcohol", "drink_driving"),
    OffenceCode("80300", "Failing to provide a specimen", "drink_driving"),
    OffenceCode("80100", "Dangerous driving", "other_motoring"),
    OffenceCode("80700", "Driving while disqualified", "other_motoring"),
    OffenceCode("80800", "Driving without insurance", "other_motoring"),
    OffenceCode("14200", "Soliciting", "soliciting_prostitution"),
    OffenceCode("08000", "Absconding from lawful custody", "absconding_bail"),
    OffenceCode("81500", "Failing to surrender to bail", "absconding_bail"),
    OffenceCode("15000", "Possession of an offensive weapon", "other"),
    OffenceCode("08300", "Perverting the course of justice", "other"),
)
_BY_CODE = {offence.code: offence for offence in OFFENCE_CODES}


def offence_description(code: str) -> str | None:
    """The description of ``code`` in the reference list, or ``None`` when it is not there."""
    known = _BY_CODE.get(code.strip())
    return known.description if known else None


def ogrs3_category(code: str | None) -> str | None:
    """The OGRS3 category of ``code`` in the reference list, or ``None`` when it is not
    there."""
    known = _BY_CODE.get((code or "").strip())
    return known.ogrs3_category if known else None


def offence_words(code: str, description: str | None = None) -> str:
    """An offence as a reader meets it: the description recorded with it, else the
    reference list's, after the code — ``00100`` is "Murder (00100)"; a code in neither
    reads "Offence code 12345 (no description held)"."""
    words = (description or "").strip() or offence_description(code)
    if not words:
        return f"Offence code {code} (no description held)"
    return f"{words} ({code})"
