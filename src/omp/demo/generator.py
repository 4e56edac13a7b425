"""A seeded generator of synthetic, realistic cases in the interchange shape.

The same seed always gives the same cases, so tests, ``make run`` and the benchmarks see
the same population. The mix is chosen so that every allocation criterion (ALLOC-2 a–g),
their combinations, Welsh and English PDUs, and the "not recorded" case of each input
occur in a few thousand cases; it is not a statistical model of the national caseload.

No database here: :mod:`omp.demo.load` writes the cases, and the benchmarks feed the
dicts to ``decide`` directly.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from typing import Any

FIRST_NAMES = {
    "M": ("James", "Mohammed", "Dylan", "Connor", "Jack", "Kyle", "Liam", "Aled", "Rhys",
          "Daniel", "Marek", "Andrei", "Tomasz", "Kwame", "Ryan", "Craig", "Lee", "Owen"),
    "F": ("Sarah", "Chloe", "Megan", "Amira", "Sian", "Leanne", "Gemma", "Natalia", "Kerry",
          "Hannah", "Bethan", "Joanne", "Aisha", "Laura"),
}
LAST_NAMES = ("Smith", "Jones", "Williams", "Taylor", "Davies", "Evans", "Brown", "Wilson",
              "Thomas", "Roberts", "Khan", "Lewis", "Walker", "Hughes", "Patel", "Morgan",
              "Kowalski", "Popescu", "Okafor", "Murphy", "Price", "Ali", "Clarke", "Hall")
COM_NAMES = (("Anna", "Price"), ("Gareth", "Rees"), ("Priya", "Shah"), ("Tom", "Barker"),
             ("Nia", "Griffiths"), ("Femi", "Adeyemi"), ("Laura", "Moss"), ("Iwan", "Pugh"))
FOREIGN = ("Polish", "Romanian", "Albanian", "Jamaican", "Lithuanian", "Somali", "Iraqi",
           "Pakistani", "Nigerian", "Vietnamese")
#: (code, description, schedule 15 flag); a flag of None means "not recorded".
OFFENCES = (
    ("02700", "Theft from a shop", "none"),
    ("03000", "Burglary (dwelling)", "none"),
    ("09200", "Possession with intent to supply a class A drug", "none"),
    ("80300", "Common assault", "none"),
    ("10400", "Criminal damage", "none"),
    ("00500", "Assault occasioning actual bodily harm", "violent"),
    ("00800", "Wounding with intent (s.18)", "violent"),
    ("03400", "Robbery", "violent"),
    ("00100", "Murder", "violent"),
    ("01900", "Rape of a female aged 16 or over", "sexual"),
    ("02000", "Sexual assault on a female", "sexual"),
    ("08800", "Making indecent photographs of a child", "sexual"),
    ("81400", "Driving while disqualified", None),
)
#: Relative frequency of each offence above: mostly acquisitive, drugs and lower-level
#: violence; schedule 15 sexual offences about one case in twenty.
OFFENCE_WEIGHTS = (20, 10, 15, 12, 8, 8, 2, 4, 0.3, 1, 1.5, 1.5, 6)
CUSTODIAL_LENGTHS = ("P4M", "P6M", "P9M", "P11M30D", "P52W", "P12M", "P1Y", "P18M", "P2Y",
                     "P2Y6M", "P3Y", "P4Y", "P6Y", "P8Y", "P12Y")
COMMUNITY_LENGTHS = ("P6M", "P12M", "P18M", "P2Y", "P3Y")
SUSPENDED_LENGTHS = ("P6M", "P12M", "P18M", "P2Y")
OTHER_REGISTRATIONS = ("SHPO", "IIOM", "DASO", "WEAP", "CHPR")


@dataclass
class DemoCase:
    """One synthetic case: the interchange object, the person's name and the dates each
    fact was recorded (the interchange carries no recording dates)."""

    facts: dict[str, Any]
    first_name: str
    last_name: str
    recorded: dict[str, date] = field(default_factory=dict)
    manual_cas: tuple[date, str, str] | None = None
    #: (from prison, to prison, date) when the person was moved during this custody spell.
    transfer: tuple[str, str, date] | None = None


def _reference() -> dict[str, Any]:
    text = resources.files("omp.cases").joinpath("reference_data.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


class CaseGenerator:
    """Seeded synthetic cases as of a date; ``cases(n)`` yields ``n`` :class:`DemoCase`."""

    def __init__(self, seed: int = 2026, as_of: date | None = None,
                 ref_prefix: str = "D") -> None:
        self.random = random.Random(seed)
        # Transfers draw from their own stream, so adding them left every other fact of
        # every case as the seed gave it before.
        self.transfers = random.Random(seed + 1)
        # Likewise the handover dates and the allocated COM (HAND-2, §4.9).
        self.extras = random.Random(seed + 2)
        self.as_of = as_of or date(2026, 11, 22)
        self.ref_prefix = ref_prefix
        reference = _reference()
        self.welsh_pdus = [p["code"] for r in reference["regions"] if r["country"] == "Wales"
                           for p in r["pdus"]]
        self.english_pdus = [p["code"] for r in reference["regions"]
                             if r["country"] == "England" for p in r["pdus"]]
        self.provider_of = {p["code"]: r["provider_code"] for r in reference["regions"]
                            for p in r["pdus"]}
        self.mens_prisons = [p["code"] for p in reference["prisons"] if not p["womens"]]
        self.womens_prisons = [p["code"] for p in reference["prisons"] if p["womens"]]

    def cases(self, n: int, start: int = 1) -> Iterator[DemoCase]:
        """``n`` cases numbered from ``start`` (case references ``D0000001`` …)."""
        for number in range(start, start + n):
            yield self.case(number)

    def _day_before(self, days_back_max: int, days_back_min: int = 0) -> date:
        return self.as_of - timedelta(days=self.random.randint(days_back_min, days_back_max))

    def case(self, number: int) -> DemoCase:
        """The case with this number (deterministic for a given seed and call order)."""
        rnd = self.random.random
        choice = self.random.choice
        sex = "F" if rnd() < 0.12 else "M"
        recorded: dict[str, date] = {}

        # Nationality: mostly British; foreign nationals, dual, Irish and "not recorded".
        roll = rnd()
        nationalities: list[str] | None
        if roll < 0.80:
            nationalities = ["British"]
        elif roll < 0.83:
            nationalities = ["Irish"]
        elif roll < 0.85:
            nationalities = [choice(FOREIGN), "British"]
        elif roll < 0.95:
            nationalities = [choice(FOREIGN)]
        elif roll < 0.97:
            nationalities = []
        else:
            nationalities = None
        foreign = not any(n in ("British", "Irish") for n in nationalities or ())
        if nationalities:
            recorded["person.nationalities"] = self._day_before(3650, 200)

        # PDU: about one case in eight in Wales; a few with no PDU recorded yet.
        pdu: str | None
        roll = rnd()
        pdu = choice(self.welsh_pdus) if roll < 0.12 else (
            None if roll > 0.985 else choice(self.english_pdus))
        # Extracts carry the provider and country with the PDU (INTERCHANGE.md's example).
        probation: dict[str, Any] = {}
        if pdu:
            provider = self.provider_of[pdu]
            probation = {"pdu_code": pdu, "provider_code": provider,
                         "country": "Wales" if provider == "N03" else "England"}
        if pdu:
            recorded["probation.pdu_code"] = self._day_before(1500, 30)

        # Offence and sentence.
        code, description, schedule_15 = self._offence()
        offences = [{"code": code, "description": description, "schedule_15": schedule_15}]
        if rnd() < 0.2:
            extra = self._offence()
            offences.append({"code": extra[0], "description": extra[1], "schedule_15": extra[2]})
        sentence_date = self._day_before(1800, 20)
        kind_roll = rnd()
        kind = "custodial" if kind_roll < 0.55 else ("community" if kind_roll < 0.88
                                                     else "suspended")
        indeterminate = kind == "custodial" and (code == "00100" or rnd() < 0.02)
        length: str | None
        if indeterminate:
            length = None
        else:
            length = choice({"custodial": CUSTODIAL_LENGTHS, "community": COMMUNITY_LENGTHS,
                             "suspended": SUSPENDED_LENGTHS}[kind])
        sentence = {"kind": kind, "date": sentence_date.isoformat(), "length": length,
                    "indeterminate": indeterminate, "ipp": indeterminate and rnd() < 0.2}

        # Risk: RSR mostly low with a long tail; RoSH, MAPPA, tier, OGRS, registrations.
        risk: dict[str, Any] = {}
        if rnd() < 0.94:
            rsr = round(min(99.0, self.random.lognormvariate(0.8, 0.9)), 2)
            if rnd() < 0.03:  # the boundary either side of 6.9%
                rsr = choice((6.89, 6.9, 6.91))
            risk["rsr_percent"] = rsr
            recorded["risk.rsr_percent"] = self._day_before(700, 10)
        rosh_roll = rnd()
        risk["rosh"] = ("LOW" if rosh_roll < 0.40 else "MEDIUM" if rosh_roll < 0.86 else
                        "HIGH" if rosh_roll < 0.955 else "VERY_HIGH" if rosh_roll < 0.97
                        else None)
        if risk["rosh"]:
            recorded["risk.rosh"] = self._day_before(900, 10)
        mappa_roll = rnd()
        risk["mappa_level"] = (0 if mappa_roll < 0.86 else 1 if mappa_roll < 0.94 else
                               2 if mappa_roll < 0.975 else 3 if mappa_roll < 0.985 else None)
        if risk["mappa_level"]:
            risk["mappa_category"] = 2 if schedule_15 != "sexual" else 1
            recorded["risk.mappa_level"] = self._day_before(900, 10)
        if any(o["schedule_15"] == "sexual" for o in offences) and rnd() < 0.9:
            risk["osp"] = choice(("LOW", "LOW", "MEDIUM", "HIGH", "VERY_HIGH"))
            recorded["risk.osp"] = recorded.get("risk.rsr_percent") or self._day_before(700, 10)
        risk["ogrs3_2yr_percent"] = round(self.random.uniform(5, 90), 1)
        if rnd() < 0.9:
            risk["tier"] = self._tier(risk)
            recorded["risk.tier"] = self._day_before(400, 5)
        registrations = []
        if foreign and rnd() < 0.6:
            registrations.append("HOI")
        elif rnd() < 0.01:
            registrations.append("HOI")
        if rnd() < 0.08:
            registrations.append(choice(OTHER_REGISTRATIONS))
        risk["registrations"] = registrations
        for code_ in registrations:
            recorded[f"risk.registrations.{code_}"] = self._day_before(1200, 10)

        facts: dict[str, Any] = {
            "case_ref": f"{self.ref_prefix}{number:07d}",
            "as_of": self.as_of.isoformat(),
            "person": {"date_of_birth": self._birth().isoformat(), "sex": sex,
                       "nationalities": nationalities},
            "probation": probation,
            "risk": risk,
            "event": {"offences": offences, "sentence": sentence},
            "custody": self._custody(sex, sentence_date, length, indeterminate)
            if kind == "custodial" else None,
        }
        manual = None
        if sentence_date < date(2022, 1, 1) and rnd() < 0.5:
            manual = (sentence_date + timedelta(days=self.random.randint(1, 20)),
                      choice(("RETAINED_ENHANCED", "ALLOCATED_NORMAL")),
                      choice(("Court team, Cardiff", "Court team, Leeds", "Court team, Bristol",
                              "Court team, Liverpool")))
        self._handover_extras(facts, foreign, sex)
        case = DemoCase(facts, choice(FIRST_NAMES[sex]), choice(LAST_NAMES), recorded, manual)
        if facts["custody"] and self.transfers.random() < 0.25:
            case.transfer = self._transfer(facts["custody"], sex)
        return case

    def _handover_extras(self, facts: dict[str, Any], foreign: bool, sex: str) -> None:
        """An allocated COM for most cases, and the custody dates and flags the handover
        rules read: parole eligibility, HDC approvals, early allocation, immigration
        detention, open conditions for women, parole hearings for indeterminate sentences."""
        rnd, probation = self.extras.random, facts["probation"]
        if probation and rnd() < 0.9:
            first, last = self.extras.choice(COM_NAMES)
            probation["com_name"] = f"{first} {last}"
            probation["com_email"] = f"{first}.{last}@probation.example".lower()
        custody = facts["custody"]
        if not custody:
            return
        start = date.fromisoformat(custody["sentence_start_date"])
        if foreign and rnd() < 0.3:
            custody["immigration_case"] = True
        custody["early_allocation"] = rnd() < 0.03
        if sex == "F" and rnd() < 0.15:
            custody["category"] = "T"
            since = start + timedelta(days=self.extras.randint(30, 900))
            custody["category_active_since"] = min(since, self.as_of).isoformat()
        if "tariff_date" in custody:
            tariff = date.fromisoformat(custody["tariff_date"])
            if rnd() < 0.5:
                custody["target_hearing_date"] = (
                    tariff + timedelta(days=self.extras.randint(-120, 400))).isoformat()
                custody["parole_outcome_not_release"] = rnd() < 0.2
            if rnd() < 0.2:
                custody["additional_future_isp"] = rnd() < 0.1
            return
        crd = date.fromisoformat(custody["conditional_release_date"])
        if (crd - start).days > 2 * 365 and rnd() < 0.3:
            custody["parole_eligibility_date"] = (start + (crd - start) * 2 // 3).isoformat()
        hdced = custody.get("home_detention_curfew_eligibility_date")
        if hdced and rnd() < 0.3:
            approved = date.fromisoformat(hdced) + timedelta(days=self.extras.randint(0, 30))
            custody["home_detention_curfew_actual_date"] = min(approved, crd).isoformat()

    def _offence(self) -> tuple[str, str, str | None]:
        return self.random.choices(OFFENCES, OFFENCE_WEIGHTS)[0]

    def _birth(self) -> date:
        age_days = self.random.randint(18 * 365 + 5, 75 * 365)
        return self.as_of - timedelta(days=age_days)

    def _tier(self, risk: dict[str, Any]) -> str:
        # A recorded tier roughly in line with the risk, sometimes stale (one band lower).
        rsr = risk.get("rsr_percent") or 0
        rosh = risk.get("rosh")
        if rosh in ("HIGH", "VERY_HIGH") or (risk.get("mappa_level") or 0) >= 2:
            band = "A" if rsr >= 6.9 else "B"
        elif rsr >= 6.9:
            band = "B"
        elif rsr >= 3:
            band = "C"
        else:
            band = "D"
        if self.random.random() < 0.05 and band != "D":
            band = "ABCD"["ABCD".index(band) + 1]
        return f"{band}{self.random.randint(0, 3)}"

    def _transfer(self, custody: dict[str, Any], sex: str) -> tuple[str, str, date] | None:
        prisons = self.womens_prisons if sex == "F" and self.womens_prisons else self.mens_prisons
        arrived = date.fromisoformat(custody["arrival_date"])
        days = (self.as_of - arrived).days
        if days < 2 or len(prisons) < 2:
            return None
        earlier = self.transfers.choice([p for p in prisons if p != custody["prison_code"]])
        # The person arrived at the earlier prison and was moved to the current one.
        moved = arrived + timedelta(days=self.transfers.randint(1, days - 1))
        return earlier, custody["prison_code"], moved

    def _custody(self, sex: str, sentence_date: date, length: str | None,
                 indeterminate: bool) -> dict[str, Any]:
        prisons = self.womens_prisons if sex == "F" and self.womens_prisons else self.mens_prisons
        custody: dict[str, Any] = {
            "prison_code": self.random.choice(prisons),
            "arrival_date": (sentence_date + timedelta(days=1)).isoformat(),
            "sentence_start_date": sentence_date.isoformat(),
            "recall": self.random.random() < 0.05,
            "immigration_case": False,
        }
        if indeterminate:
            tariff = sentence_date + timedelta(days=self.random.randint(3 * 365, 15 * 365))
            custody["tariff_date"] = tariff.isoformat()
            return custody
        days = _approx_days(length or "P1Y")
        crd = sentence_date + timedelta(days=days // 2)
        custody["conditional_release_date"] = crd.isoformat()
        custody["licence_expiry_date"] = (sentence_date + timedelta(days=days)).isoformat()
        if days < 4 * 365 and self.random.random() < 0.4:
            custody["home_detention_curfew_eligibility_date"] = (
                crd - timedelta(days=min(180, days // 4))).isoformat()
        return custody


def _approx_days(length: str) -> int:
    """Days in a simple ISO duration (years, months, weeks, days) — enough for demo dates."""
    number, total = "", 0.0
    for char in length[1:]:
        if char.isdigit():
            number += char
            continue
        value = int(number or 0)
        total += value * {"Y": 365.25, "M": 30.44, "W": 7, "D": 1}[char]
        number = ""
    return int(total)


def export_cases_jsonl(path: Any, n: int, seed: int = 2026, as_of: date | None = None) -> int:
    """Write ``n`` synthetic cases as interchange JSON Lines (``decide``/``import`` input)."""
    import orjson

    generator = CaseGenerator(seed, as_of)
    with open(path, "wb") as handle:
        for case in generator.cases(n):
            handle.write(orjson.dumps(case.facts) + b"\n")
    return n
