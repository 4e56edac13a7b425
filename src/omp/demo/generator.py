"""A seeded generator of synthetic, believable cases in the interchange shape.

The same seed and day always give the same cases, so tests, ``make run`` and the benchmarks
see the same population; ``omp demo`` generates them as of today, so the caseload is current
whenever it is loaded. The mix is chosen so that every allocation criterion (ALLOC-2 a–g),
their combinations, Welsh and English PDUs, and the "not recorded" case of each input occur
in a few thousand cases; it is not a statistical model of the national caseload, but its
histories hold together as a practitioner expects:

- a sentence follows from its most serious offence (murder is a life sentence, rape a long
  custodial one, never a community order) and starts after the person turned 18;
- people serving a custodial sentence are part way through it: in custody, with their
  release dates ahead (arrival on or after the sentence start), or released on licence
  (the release recorded on the closed custody spell, the licence running past today);
- some are held on remand (no sentence yet: pathway 4), some recalled after release, and a
  few records still show someone in custody after their release date, as real extracts do
  (the case page and the data-quality list point them out);
- everyone who has been in custody has a prison number (``A1234BC``).

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

from omp import clock
from omp.rules.durations import parse_duration, shift_months
from omp.rules.offences import offence_description

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


@dataclass(frozen=True)
class OffenceProfile:
    """An offence the demo draws, and how courts sentence it: the share of custodial and
    suspended sentences (the rest are community orders), the custodial lengths given and
    the share of custodial sentences that are indeterminate. ``severity`` orders offences:
    the most serious of a case's offences is its main one and decides the sentence."""

    code: str
    schedule_15: str | None  # None: the flag is "not recorded"
    weight: float
    severity: int
    custodial: float
    suspended: float
    lengths: tuple[str, ...]
    indeterminate: float = 0.0

    @property
    def description(self) -> str:
        """The offence in words, from the one reference list."""
        return offence_description(self.code) or self.code


#: Mostly acquisitive, drugs and lower-level violence; schedule 15 sexual offences about one
#: case in twenty. Lengths include the 12-month boundary cases (``P11M30D``, ``P52W``).
OFFENCE_PROFILES = (
    OffenceProfile("04600", "none", 20, 1, 0.30, 0.20, ("P4M", "P6M", "P9M", "P11M30D")),
    OffenceProfile("02800", "none", 10, 4, 0.65, 0.15,
                   ("P12M", "P18M", "P2Y", "P2Y6M", "P3Y", "P4Y")),
    OffenceProfile("09210", "none", 15, 4, 0.70, 0.15,
                   ("P18M", "P2Y", "P3Y", "P4Y", "P6Y", "P8Y")),
    OffenceProfile("10400", "none", 12, 2, 0.20, 0.30, ("P4M", "P6M")),
    OffenceProfile("05800", "none", 8, 1, 0.15, 0.25, ("P4M", "P6M", "P9M")),
    OffenceProfile("00802", "violent", 8, 3, 0.45, 0.30,
                   ("P6M", "P9M", "P11M30D", "P52W", "P12M", "P1Y", "P18M", "P2Y", "P3Y")),
    OffenceProfile("00500", "violent", 2, 6, 1.0, 0.0, ("P4Y", "P6Y", "P8Y", "P12Y"), 0.15),
    OffenceProfile("03402", "violent", 4, 5, 0.90, 0.10, ("P2Y", "P2Y6M", "P3Y", "P4Y", "P6Y")),
    OffenceProfile("00100", "violent", 0.3, 9, 1.0, 0.0, (), 1.0),
    OffenceProfile("01900", "sexual", 1, 8, 1.0, 0.0, ("P6Y", "P8Y", "P12Y"), 0.15),
    OffenceProfile("02001", "sexual", 1.5, 4, 0.50, 0.30, ("P12M", "P18M", "P2Y", "P3Y", "P4Y")),
    OffenceProfile("02200", "sexual", 1.5, 6, 0.80, 0.10, ("P18M", "P2Y", "P3Y", "P4Y", "P6Y")),
    OffenceProfile("80700", None, 6, 1, 0.20, 0.30, ("P4M", "P6M")),
)
PROFILE_OF = {profile.code: profile for profile in OFFENCE_PROFILES}
COMMUNITY_LENGTHS = ("P6M", "P12M", "P18M", "P2Y", "P3Y")
#: A suspended sentence order suspends a custodial term of up to 2 years.
SUSPENDED_LENGTHS = ("P6M", "P12M", "P18M", "P2Y")
OTHER_REGISTRATIONS = ("SHPO", "IIOM", "DASO", "WEAP", "CHPR")

#: Shares of the caseload: held on remand; of those serving a determinate custodial sentence,
#: released on licence; of those in custody, recalled after release, and still recorded in
#: custody after their release date (a record not brought up to date).
REMAND_SHARE = 0.07
RELEASED_SHARE = 0.45
RECALL_SHARE = 0.08
STALE_SHARE = 0.02
#: Within this many days of release a man may have moved to open conditions.
OPEN_CONDITIONS_DAYS = 2 * 365


@dataclass
class DemoCase:
    """One synthetic case: the interchange object, the person's name and prison number, the
    dates each fact was recorded (the interchange carries no recording dates), and the
    custody spells that ended before today (a release on licence, or the spell before a
    recall), which the interchange object does not carry."""

    facts: dict[str, Any]
    first_name: str
    last_name: str
    recorded: dict[str, date] = field(default_factory=dict)
    manual_cas: tuple[date, str, str] | None = None
    #: (from prison, to prison, date) when the person was moved during this custody spell.
    transfer: tuple[str, str, date] | None = None
    prison_number: str = ""
    #: Custody spells already ended, each with its ``actual_release_date``, oldest first.
    past_spells: list[dict[str, Any]] = field(default_factory=list)
    #: Where the person stands: "community" (a community or suspended sentence), "custody",
    #: "remand", "recall", "released" or "stale" (still recorded in custody after the
    #: release date).
    stage: str = "community"


def _reference() -> dict[str, Any]:
    text = resources.files("omp.cases").joinpath("reference_data.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


#: Prison numbers: a letter, four digits and two letters (``A1234BC``), one per case number.
_PRISON_NUMBER_LETTERS = "AG"
_PRISON_NUMBERS = len(_PRISON_NUMBER_LETTERS) * 10_000 * 26 * 26


def prison_number(number: int, seed: int) -> str:
    """The prison number of case ``number``: distinct for every case number of one seed
    (multiplying by a number prime to the count of possible numbers is a permutation)."""
    index = (number * 7_919 + seed * 104_729) % _PRISON_NUMBERS
    index, second = divmod(index, 26)
    index, first = divmod(index, 26)
    index, digits = divmod(index, 10_000)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return f"{_PRISON_NUMBER_LETTERS[index]}{digits:04d}{letters[first]}{letters[second]}"


def sentence_end(start: date, length: str) -> date:
    """The day a sentence of ``length`` from ``start`` ends (its licence expiry)."""
    return parse_duration(length).added_to(start)


class CaseGenerator:
    """Seeded synthetic cases as of a date (today unless given); ``cases(n)`` yields ``n``
    :class:`DemoCase`."""

    def __init__(self, seed: int = 2026, as_of: date | None = None,
                 ref_prefix: str = "D") -> None:
        self.seed = seed
        self.random = random.Random(seed)
        # Transfers draw from their own stream, so adding them left every other fact of
        # every case as the seed gave it before.
        self.transfers = random.Random(seed + 1)
        # Likewise the handover dates and the allocated COM (HAND-2, §4.9).
        self.extras = random.Random(seed + 2)
        self.as_of = as_of or clock.today()
        self.ref_prefix = ref_prefix
        reference = _reference()
        self.welsh_pdus = [p["code"] for r in reference["regions"] if r["country"] == "Wales"
                           for p in r["pdus"]]
        self.english_pdus = [p["code"] for r in reference["regions"]
                             if r["country"] == "England" for p in r["pdus"]]
        self.provider_of = {p["code"]: r["provider_code"] for r in reference["regions"]
                            for p in r["pdus"]}
        prisons = reference["prisons"]
        self.prisons = {(womens, open_): [p["code"] for p in prisons
                                          if p["womens"] == womens
                                          and p["open_conditions"] == open_]
                        for womens in (False, True) for open_ in (False, True)}

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

        # Offences: the most serious decides the sentence.
        drawn = [self._offence()]
        if rnd() < 0.2:
            drawn.append(self._offence())
        drawn.sort(key=lambda profile: -profile.severity)
        main = drawn[0]
        offences = [{"code": p.code, "description": p.description, "schedule_15": p.schedule_15}
                    for p in drawn]

        sentence, custody, past, stage = self._sentence_and_custody(main, sex)
        started = (date.fromisoformat(sentence["date"]) if sentence
                   else date.fromisoformat(custody["arrival_date"]))  # type: ignore[index]

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
        if risk["rosh"] == "LOW" and main.severity >= 6:
            risk["rosh"] = "MEDIUM"  # a grave offence is never assessed a low risk of harm
        if risk["rosh"]:
            recorded["risk.rosh"] = self._day_before(900, 10)
        mappa_roll = rnd()
        risk["mappa_level"] = (0 if mappa_roll < 0.86 else 1 if mappa_roll < 0.94 else
                               2 if mappa_roll < 0.975 else 3 if mappa_roll < 0.985 else None)
        if risk["mappa_level"]:
            risk["mappa_category"] = 2 if main.schedule_15 != "sexual" else 1
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
            "person": {"date_of_birth": self._birth(started).isoformat(), "sex": sex,
                       "nationalities": nationalities},
            "probation": probation,
            "risk": risk,
            "event": {"offences": offences, "sentence": sentence},
            "custody": custody,
        }
        manual = None
        if sentence and started < self.as_of - timedelta(days=3 * 365) and rnd() < 0.5:
            manual = (started + timedelta(days=self.random.randint(1, 20)),
                      choice(("RETAINED_ENHANCED", "ALLOCATED_NORMAL")),
                      choice(("Court team, Cardiff", "Court team, Leeds", "Court team, Bristol",
                              "Court team, Liverpool")))
        self._handover_extras(facts, foreign, sex)
        case = DemoCase(facts, choice(FIRST_NAMES[sex]), choice(LAST_NAMES), recorded, manual,
                        past_spells=past, stage=stage)
        if custody or past:
            case.prison_number = prison_number(number, self.seed)
        if custody and self.transfers.random() < 0.25:
            case.transfer = self._transfer(custody, sex)
        return case

    # --- the sentence and where the person stands in it ------------------------------

    def _sentence_and_custody(self, main: OffenceProfile, sex: str) -> tuple[
            dict[str, Any] | None, dict[str, Any] | None, list[dict[str, Any]], str]:
        """The sentence on the current event, the current custody spell, the spells already
        ended and the stage, placed relative to :attr:`as_of`."""
        rnd = self.random.random
        if rnd() < REMAND_SHARE:
            arrived = self._day_before(200, 1)
            custody = {"prison_code": self._prison(sex, open_allowed=False),
                       "arrival_date": arrived.isoformat(), "remand": True,
                       "recall": False, "immigration_case": False}
            return None, custody, [], "remand"
        roll = rnd()
        kind = ("custodial" if roll < main.custodial else
                "suspended" if roll < main.custodial + main.suspended else "community")
        if kind != "custodial":
            length = self.random.choice(COMMUNITY_LENGTHS if kind == "community"
                                        else SUSPENDED_LENGTHS)
            days = (sentence_end(self.as_of, length) - self.as_of).days
            start = self.as_of - timedelta(days=self.random.randint(1, days - 1))
            while sentence_end(start, length) <= self.as_of:  # months differ in length
                start += timedelta(days=1)
            return self._sentence(kind, start, length), None, [], "community"
        if rnd() < main.indeterminate:
            return self._indeterminate(main, sex)
        return self._determinate(self.random.choice(main.lengths), sex)

    @staticmethod
    def _sentence(kind: str, start: date, length: str | None, ipp: bool = False
                  ) -> dict[str, Any]:
        return {"kind": kind, "date": start.isoformat(), "length": length,
                "indeterminate": length is None, "ipp": ipp}

    def _indeterminate(self, main: OffenceProfile, sex: str) -> tuple[
            dict[str, Any], dict[str, Any], list[dict[str, Any]], str]:
        """A life or IPP sentence: in custody, the tariff (the minimum term) ahead or, for
        some, passed while the Parole Board has not yet directed release."""
        rnd = self.random.random
        # IPP sentences were passed from 4 April 2005 to 2 December 2012; most tariffs have
        # expired.
        first, last = date(2005, 4, 4), min(date(2012, 12, 2), self.as_of - timedelta(days=60))
        ipp = main.code != "00100" and first < last and rnd() < 0.6
        if ipp:
            start = first + timedelta(days=self.random.randint(0, (last - first).days))
            years = self.random.randint(2, 8)
        else:  # life: minimum terms from 15 years for murder, from 4 for other offences
            start = self._day_before(15 * 365, 60)
            years = self.random.randint(15, 25) if main.code == "00100" else \
                self.random.randint(4, 12)
        tariff = shift_months(start, 12 * years)
        custody = self._spell(start, sex, tariff)
        custody.update(sentence_start_date=start.isoformat(), tariff_date=tariff.isoformat())
        return self._sentence("custodial", start, None, ipp), custody, [], "custody"

    def _determinate(self, length: str, sex: str) -> tuple[
            dict[str, Any], dict[str, Any] | None, list[dict[str, Any]], str]:
        """A determinate custodial sentence: part way through the custodial half (in
        custody, release ahead) or through the licence (released, licence running)."""
        rnd = self.random.random
        total = (sentence_end(self.as_of, length) - self.as_of).days
        inside = total // 2
        released = rnd() < RELEASED_SHARE
        stage = "released" if released else (
            "recall" if rnd() < RECALL_SHARE else "stale" if rnd() < STALE_SHARE else "custody")
        if stage == "custody":
            elapsed = self.random.randint(1, inside - 1)
        else:  # after the release date, before the licence expires
            elapsed = self.random.randint(inside + 15, total - 1) if total - inside > 16 \
                else inside + 1
        start = self.as_of - timedelta(days=elapsed)
        end = sentence_end(start, length)
        crd = start + (end - start) // 2
        # Counted back from today the months may be shorter: keep the stage's order of days.
        while end <= self.as_of or (stage == "custody" and crd <= self.as_of):
            start += timedelta(days=1)
            end = sentence_end(start, length)
            crd = start + (end - start) // 2
        dates: dict[str, Any] = {"sentence_start_date": start.isoformat(),
                                 "conditional_release_date": crd.isoformat(),
                                 "licence_expiry_date": end.isoformat()}
        hdced = None
        if total < 4 * 365 and rnd() < 0.4:
            hdced = crd - timedelta(days=min(180, total // 4))
            dates["home_detention_curfew_eligibility_date"] = hdced.isoformat()
        sentence = self._sentence("custodial", start, length)
        if stage in ("custody", "stale"):
            custody = {**self._spell(start, sex, crd), **dates}
            return sentence, custody, [], stage
        # Released: on the conditional release date, or earlier on HDC when it was approved.
        release = crd
        first = {**self._spell(start, sex, crd), **dates}
        if hdced and hdced < self.as_of and rnd() < 0.3:
            release = min(crd, hdced + timedelta(days=self.random.randint(0, 30)))
            first["home_detention_curfew_actual_date"] = release.isoformat()
        first["actual_release_date"] = release.isoformat()
        if stage == "released":
            return sentence, None, [first], stage
        # Recalled: back in custody some weeks after release; the dates are the sentence's.
        back = release + timedelta(days=self.random.randint(
            1, max(1, (self.as_of - release).days - 1)))
        custody = {**self._spell(back, sex, end), **dates, "recall": True}
        return sentence, custody, [first], stage

    def _spell(self, start: date, sex: str, release: date) -> dict[str, Any]:
        """A custody spell beginning on ``start`` (the arrival, a day after the sentence or
        recall) in a prison for the person's sex: open conditions only near release."""
        arrival = min(start + timedelta(days=1), self.as_of)
        near = (release - self.as_of).days < OPEN_CONDITIONS_DAYS
        return {"prison_code": self._prison(sex, open_allowed=near),
                "arrival_date": arrival.isoformat(), "recall": False,
                "immigration_case": False}

    def _prison(self, sex: str, open_allowed: bool) -> str:
        womens = sex == "F"
        open_ = open_allowed and self.random.random() < 0.15
        return self.random.choice(self.prisons[(womens, open_)] or self.prisons[(womens, False)])

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
        if foreign and rnd() < 0.3:
            custody["immigration_case"] = True
        if custody.get("remand"):
            return
        start = date.fromisoformat(custody["sentence_start_date"]
                                   if "sentence_start_date" in custody
                                   else facts["event"]["sentence"]["date"])
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
        if hdced and not custody.get("recall") and rnd() < 0.3:
            approved = date.fromisoformat(hdced) + timedelta(days=self.extras.randint(0, 30))
            if approved > self.as_of:  # an approval still ahead: the person is inside
                custody["home_detention_curfew_actual_date"] = min(approved, crd).isoformat()

    def _offence(self) -> OffenceProfile:
        return self.random.choices(OFFENCE_PROFILES, [p.weight for p in OFFENCE_PROFILES])[0]

    def _birth(self, sentenced: date) -> date:
        """A birth date: 18 to 75 today, and 18 or over when sentenced (or remanded)."""
        birth = self.as_of - timedelta(days=self.random.randint(18 * 365 + 5, 75 * 365))
        latest = shift_months(sentenced, -12 * 18)
        if birth > latest:
            birth = latest - timedelta(days=self.random.randint(0, 12 * 365))
        return birth

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
        prisons = self.prisons[(sex == "F", False)]
        arrived = date.fromisoformat(custody["arrival_date"])
        days = (self.as_of - arrived).days
        if days < 2 or len(prisons) < 2:
            return None
        earlier = self.transfers.choice([p for p in prisons if p != custody["prison_code"]])
        # The person arrived at the earlier prison and was moved to the current one.
        moved = arrived + timedelta(days=self.transfers.randint(1, days - 1))
        return earlier, custody["prison_code"], moved


def export_cases_jsonl(path: Any, n: int, seed: int = 2026, as_of: date | None = None) -> int:
    """Write ``n`` synthetic cases as interchange JSON Lines (``decide``/``import`` input)."""
    import orjson

    generator = CaseGenerator(seed, as_of)
    with open(path, "wb") as handle:
        for case in generator.cases(n):
            handle.write(orjson.dumps(case.facts) + b"\n")
    return n
