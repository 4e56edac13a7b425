"""Parse one interchange case object into :class:`~omp.rules.facts.CaseFacts`.

Every problem is raised as :class:`FieldError` naming the dotted field, so ``decide`` and
``import`` can report it per line.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any, cast, get_args

from omp.rules.durations import DurationError, parse_duration
from omp.rules.facts import (
    CaseFacts,
    Custody,
    Offence,
    Rosh,
    Schedule15,
    Sentence,
    SentenceKind,
)
from omp.rules.inputs import date_problem, iso_date, plain_decimal, sentence_length_problem

ROSH_LEVELS = frozenset(get_args(Rosh))
SEXES = frozenset({"M", "F", "X"})
CASE_REF_LENGTH = 20
SENTENCE_KINDS = frozenset(get_args(SentenceKind))
SCHEDULE_15 = frozenset(get_args(Schedule15))
CUSTODY_DATES = tuple(
    name for name in Custody.__dataclass_fields__ if name.endswith("_date") or name ==
    "category_active_since"
)
CUSTODY_FLAGS = ("womens_prison", "remand", "recall", "immigration_case", "early_allocation",
                 "parole_outcome_not_release", "additional_future_isp", "civil_sentence")
# Field names spelled out once: building them per line costs more than the parsing itself.
_CUSTODY_DATE_FIELDS = tuple((name, f"custody.{name}") for name in CUSTODY_DATES)
_CUSTODY_FLAG_FIELDS = tuple((name, f"custody.{name}") for name in CUSTODY_FLAGS)
_SENTENCE_FLAG_FIELDS = tuple((flag, f"event.sentence.{flag}") for flag in (
    "indeterminate", "ipp", "breach_of_court_order", "time_served"))
_RESOURCING = frozenset({"ENHANCED", "NORMAL"})


def _pdu_providers() -> dict[str, str]:
    text = resources.files("omp.cases").joinpath("reference_data.json").read_text("utf-8")
    return {pdu["code"]: region["provider_code"]
            for region in json.loads(text)["regions"] for pdu in region["pdus"]}


#: The provider of each PDU in the reference data: an extract that names a known PDU but
#: no provider is read as that PDU's provider (so ``N03UAT`` is Welsh), as the database does.
PDU_PROVIDERS = _pdu_providers()


class FieldError(ValueError):
    """A field of an input case is invalid; ``field`` is its dotted interchange name."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _is_object(value: Any) -> bool:
    # Decoded JSON objects are dicts: test that first, as the ABC check is slow per line.
    return type(value) is dict or isinstance(value, Mapping)


def _section(obj: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = obj.get(name)
    if value is None:
        return {}
    if not _is_object(value):
        raise FieldError(name, "must be an object")
    return cast(Mapping[str, Any], value)


def parse_date(value: Any, field: str) -> date | None:
    """A ``YYYY-MM-DD`` string in the accepted range (:mod:`omp.rules.inputs`), or ``None``
    when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        day = value
    elif not isinstance(value, str):
        raise FieldError(field, f"must be a date as YYYY-MM-DD, not {value!r}")
    else:
        parsed = iso_date(value)
        if parsed is None:
            raise FieldError(field, f"{value!r} is not a real date in the form YYYY-MM-DD")
        day = parsed
    problem = date_problem(day)
    if problem is not None:
        raise FieldError(field, problem)
    return day


def _bool(value: Any, field: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"  # CSV cells arrive as text
    raise FieldError(field, f"must be true or false, not {value!r}")


def _decimal(value: Any, field: str, low: int, high: int) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise FieldError(field, f"must be a number, not {value!r}")
    try:
        number = plain_decimal(value) if isinstance(value, str) else Decimal(str(value))
    except InvalidOperation:
        number = None
    if number is None:
        raise FieldError(field, f"must be a number such as 6.9, not {value!r}")
    if not number.is_finite() or not low <= number <= high:
        raise FieldError(field, f"must be between {low} and {high}, not {value}")
    return number


def _choice(value: Any, field: str, allowed: frozenset[str], upper: bool = False) -> Any:
    if value is None or value == "":
        return None
    text = str(value).upper() if upper else str(value).lower()
    if text not in allowed:
        raise FieldError(field, f"{value!r} is not one of {', '.join(sorted(allowed))}")
    return text


def _text(value: Any, field: str, longest: int = 200) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise FieldError(field, f"must be text, not {value!r}")
    text = str(value)
    if "\x00" in text:  # no record holds one, and PostgreSQL refuses it in text
        raise FieldError(field, "must not contain a NUL character")
    if len(text) > longest:
        raise FieldError(field, f"must be at most {longest} characters, not {len(text)}")
    return text


def _mappa_level(value: Any) -> int | None:
    if value is None or value == "":
        return None
    text = str(value).strip()
    if isinstance(value, bool) or text not in ("0", "1", "2", "3"):
        raise FieldError("risk.mappa_level", f"must be 0, 1, 2 or 3, not {value!r}")
    return int(text)


def _string_list(value: Any, field: str, longest: int) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [v for v in value.split("|") if v]  # CSV: values joined with '|'
    if not isinstance(value, list) or not all(isinstance(v, str) and "\x00" not in v
                                             for v in value):
        raise FieldError(field, "must be a list of text values")
    if any(len(v) > longest for v in value):
        raise FieldError(field, f"each value must be at most {longest} characters")
    return tuple(value)


def parse_offences(value: Any) -> tuple[Offence, ...]:
    """The ``event.offences`` list."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise FieldError("event.offences", "must be a list of offence objects")
    offences = []
    for index, item in enumerate(value):
        if not _is_object(item):
            raise FieldError(f"event.offences[{index}]", "must be an object")
        code, description = item.get("code"), item.get("description")
        flag = item.get("schedule_15")
        if flag is False:
            flag = "none"
        if not (isinstance(code, str) and code and len(code) <= 10 and "\x00" not in code and (
                description is None or isinstance(description, str) and "\x00" not in
                description and len(description) <= 200) and (
                flag is None or flag in SCHEDULE_15)):
            # The slow path, only for a doubtful offence: it names the field at fault.
            where = f"event.offences[{index}]"
            code = _text(code, f"{where}.code", 10)
            if code is None:
                raise FieldError(f"{where}.code", "is required")
            description = _text(description, f"{where}.description", 200)
            flag = _choice(flag, f"{where}.schedule_15", SCHEDULE_15)
        offences.append(Offence(code, description or None, flag))
    return tuple(offences)


def parse_sentence(value: Any) -> Sentence | None:
    """The ``event.sentence`` object, checking the ISO 8601 length."""
    if value is None:
        return None
    if not _is_object(value):
        raise FieldError("event.sentence", "must be an object")
    length = _text(value.get("length"), "event.sentence.length", 20)
    if length is not None:
        try:
            problem = sentence_length_problem(parse_duration(length))
        except DurationError as error:
            raise FieldError("event.sentence.length", str(error)) from None
        if problem is not None:
            raise FieldError("event.sentence.length", f"{length!r} {problem}")
    return Sentence(
        kind=_choice(value.get("kind"), "event.sentence.kind", SENTENCE_KINDS),
        date=parse_date(value.get("date"), "event.sentence.date"),
        length=length,
        **{flag: _bool(value.get(flag), field) for flag, field in _SENTENCE_FLAG_FIELDS},
    )


def parse_custody(value: Any) -> Custody | None:
    """The ``custody`` object, or ``None`` for a case with no custody."""
    if value is None:
        return None
    if not _is_object(value):
        raise FieldError("custody", "must be an object")
    values: dict[str, Any] = {name: parse_date(value.get(name), field)
                              for name, field in _CUSTODY_DATE_FIELDS}
    values.update({name: _bool(value.get(name), field) for name, field in _CUSTODY_FLAG_FIELDS})
    values["prison_code"] = _text(value.get("prison_code"), "custody.prison_code", 5)
    values["category"] = _text(value.get("category"), "custody.category", 2)
    return Custody(**values)


def parse_case(obj: Any, today: date) -> CaseFacts:
    """Turn one decoded JSON object into facts; ``today`` is used when ``as_of`` is absent."""
    if not _is_object(obj):
        raise FieldError("case", "each line must be a JSON object")
    raw_ref = obj.get("case_ref")
    if raw_ref is not None and not isinstance(raw_ref, str):
        raise FieldError("case_ref", f"must be text, not {raw_ref!r}")
    case_ref = _text(raw_ref, "case_ref", CASE_REF_LENGTH)
    if not case_ref or not case_ref.strip() or not case_ref.isprintable():
        raise FieldError("case_ref", "is required, as printable text")
    person, probation = _section(obj, "person"), _section(obj, "probation")
    risk, event = _section(obj, "risk"), _section(obj, "event")
    country = _text(probation.get("country"), "probation.country")
    if country is not None and country not in ("England", "Wales"):
        raise FieldError("probation.country", f"must be England or Wales, not {country!r}")
    tier = _text(risk.get("tier"), "risk.tier")
    if tier is not None and (tier[0].upper() not in "ABCD" or tier[1:] not in ("", "0", "1",
                                                                           "2", "3")):
        raise FieldError("risk.tier", f"{tier!r} is not a tier such as B2 (A–D, then 0–3)")
    facts = CaseFacts(
        case_ref=case_ref,
        as_of=parse_date(obj.get("as_of"), "as_of") or today,
        date_of_birth=parse_date(person.get("date_of_birth"), "person.date_of_birth"),
        sex=_choice(person.get("sex"), "person.sex", SEXES, upper=True),
        nationalities=_string_list(person.get("nationalities"), "person.nationalities", 60),
        pdu_code=_text(probation.get("pdu_code"), "probation.pdu_code", 10),
        com_name=_text(probation.get("com_name"), "probation.com_name", 100),
        com_email=_text(probation.get("com_email"), "probation.com_email", 254),
        provider_code=_text(probation.get("provider_code"), "probation.provider_code")
        or PDU_PROVIDERS.get(_text(probation.get("pdu_code"), "probation.pdu_code") or ""),
        country=country,
        region_code=_text(probation.get("region_code"), "probation.region_code", 10),
        tier=tier.upper() if tier else None,
        rosh=_choice(risk.get("rosh"), "risk.rosh", ROSH_LEVELS, upper=True),
        rsr_percent=_decimal(risk.get("rsr_percent"), "risk.rsr_percent", 0, 100),
        osp=_text(risk.get("osp"), "risk.osp", 10),
        ogrs3_2yr_percent=_decimal(risk.get("ogrs3_2yr_percent"), "risk.ogrs3_2yr_percent",
                                   0, 100),
        mappa_level=_mappa_level(risk.get("mappa_level")),
        mappa_category=_mappa_level_category(risk.get("mappa_category")),
        registrations=_string_list(risk.get("registrations"), "risk.registrations", 10) or (),
        offences=parse_offences(event.get("offences")),
        sentence=parse_sentence(event.get("sentence")),
        custody=parse_custody(obj.get("custody")),
        resourcing=_choice(obj.get("resourcing"), "resourcing", _RESOURCING, upper=True),
    )
    # Contradictory custody dates are not refused here: an extract is decided with a
    # warning for each (omp.rules.pipeline.data_warnings); a person typing them is refused
    # by the action that takes them.
    return facts


def _mappa_level_category(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if str(value).strip() not in ("1", "2", "3", "4"):
        raise FieldError("risk.mappa_category", f"must be 1, 2, 3 or 4, not {value!r}")
    return int(value)
