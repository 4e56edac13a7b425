"""The handover eras (HANDOVER.md §2 to §5) as tables in the expression language.

Each era is one decision tree: rows tried in order, the first whose condition holds giving
the rule, the reason code, the responsibility (fixed, or counted from the dates under §4.7)
and the handover date. The inputs are read off the facts (§1.3); the tree and what follows
it (the §4.6 start date, the explanation, the §4.8 handover type) are compiled once to
Python, which :func:`omp.rules.handover.decide_handover` calls for every case, and to SQL,
which ``decide``'s column path runs over a whole file (:mod:`omp.interchange.columns`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from omp.rules.expressions import (
    Expr,
    Family,
    all_,
    always,
    any_,
    day_words,
    eq,
    fact,
    first_letter,
    first_of,
    ge,
    int_text,
    is_null,
    le,
    lit,
    lookup,
    lt,
    months_after,
    months_before,
    ne,
    not_,
    one_of,
    present,
    text,
    upper,
    when,
)
from omp.rules.handover_terms import (
    COM,
    ENGLISH_HUB_PRISONS,
    ENGLISH_PRIVATE_PRISONS,
    FEMALE_OPEN_CATEGORY,
    MENS_OPEN_PRISONS,
    POM_ONLY,
    POM_WITH_COM,
    PRESCOED,
    REASON_TITLES,
)

PROBATION, PRISON = "PROBATION", "PRISON"

#: The facts an era table reads: the case's day and policy, the person, the custody spell.
#: ``welsh`` is true exactly when the case is Welsh (§1.3: England by default);
#: ``handover_resourcing`` is the resourcing the allocation gives (HAND-1), ``None`` if none.
HANDOVER_INPUTS = (
    "as_of", "policy_name", "date_of_birth", "welsh", "handover_resourcing", "mappa_level",
    "sentence_indeterminate", "prison_code", "womens_prison", "category",
    "category_active_since", "arrival_date", "sentence_start_date",
    "conditional_release_date", "automatic_release_date", "parole_eligibility_date",
    "tariff_date", "home_detention_curfew_eligibility_date",
    "home_detention_curfew_actual_date", "parole_review_date", "target_hearing_date",
    "recall", "immigration_case", "early_allocation", "parole_outcome_not_release",
    "additional_future_isp", "civil_sentence",
)
#: What a table gives, in this order.
HANDOVER_OUTPUTS = ("responsibility", "start", "handover", "reason", "rule", "release_name",
                    "release_date", "explanation", "handover_type")

_TODAY = fact("as_of")
_SSD, _TED, _THD = fact("sentence_start_date"), fact("tariff_date"), fact("target_hearing_date")
_PED, _PRD = fact("parole_eligibility_date"), fact("parole_review_date")
_CRD, _ARD = fact("conditional_release_date"), fact("automatic_release_date")
_WOMAN, _WELSH = eq(fact("womens_prison"), True), eq(fact("welsh"), True)
_INDETERMINATE = eq(fact("sentence_indeterminate"), True)


def _flag(name: str) -> Expr:
    return eq(fact(name), True)


#: The facts every era derives the same way (§1.3): the policy gate, open conditions, the
#: earlier of the CRD and ARD (ARD wins a tie, §7.7), the open-conditions anchor (§4.6).
_COMMON: tuple[tuple[str, Expr], ...] = (
    ("indeterminate", _INDETERMINATE),
    ("sentenced", all_(present(_SSD), any_(_INDETERMINATE, *(present(fact(name)) for name in (
        "conditional_release_date", "automatic_release_date", "parole_eligibility_date",
        "home_detention_curfew_eligibility_date", "home_detention_curfew_actual_date",
        "tariff_date"))))),
    ("outside", first_of(
        (lt(_TODAY, when(present(fact("date_of_birth")),
                         months_after(fact("date_of_birth"), 12 * 18))),
         "the person is under 18"),
        (_flag("civil_sentence"), "the sentence is a civil sentence"),
        (not_(any_(fact("sentenced"), _flag("immigration_case"))),
         "there is no sentence calculation (sentence start date and a release date)"))),
    ("open_conditions", when(_WOMAN, eq(fact("category"), FEMALE_OPEN_CATEGORY),
                             one_of(fact("prison_code"), sorted(MENS_OPEN_PRISONS)))),
    # §2.3: the Prescoed Welsh pilot from 2020-10-19, men's open prisons from 2021-03-31,
    # women with category T.
    ("open_rules", when(_WOMAN, eq(fact("category"), FEMALE_OPEN_CATEGORY), any_(
        all_(eq(fact("prison_code"), PRESCOED), ge(fact("arrival_date"), date(2020, 10, 19)),
             _WELSH),
        all_(one_of(fact("prison_code"), sorted(MENS_OPEN_PRISONS)),
             ge(fact("arrival_date"), date(2021, 3, 31)))))),
    ("crd_ard_name", first_of((all_(present(_ARD), not_(lt(_CRD, _ARD))), "ARD"),
                              (present(_CRD), "CRD"))),
    ("anchor", when(_WOMAN, fact("category_active_since"), fact("arrival_date"))),
    ("anchor_words", when(
        _WOMAN, "Open conditions: the COM starts supporting from the date the category "
                "became T",
        "Open conditions: the COM starts supporting from arrival in the open prison")),
)


def _release_date(name: Expr) -> Expr:
    """The date a release date's name stands for."""
    return first_of(*((eq(name, code), fact(column)) for code, column in (
        ("TED", "tariff_date"), ("THD", "target_hearing_date"), ("PRD", "parole_review_date"),
        ("PED", "parole_eligibility_date"), ("ARD", "automatic_release_date"),
        ("CRD", "conditional_release_date"), ("HDCAD", "home_detention_curfew_actual_date"),
        ("HDCED", "home_detention_curfew_eligibility_date"))))


@dataclass(frozen=True)
class Row:
    """One row of an era's tree: the rule that fires, its reason code, its condition, the
    responsibility it fixes (``None``: counted from the dates, §2.5 and §4.7), the handover
    date it counts back (``None``: none) and the start date (``None``: the handover date),
    whether the explanation names the release date, and the detail it adds."""

    rule: str
    reason: str
    condition: Expr
    responsibility: str | None = None
    handover: Expr | None = None
    counted: bool = False
    names_release: bool = False
    start: Expr | None = None
    detail: Expr | str | None = None


def _general(rule: str, reason: str, condition: Expr, handover: Expr | None,
             start: Expr | None = None, detail: Expr | str | None = None) -> Row:
    return Row(rule, reason, condition, None, handover, counted=True, names_release=True,
               start=start, detail=detail)


_ERD, _SHORT = fact("erd_date"), fact("short")
_GATE = Row("HAND-2 gate", "outside_omic_policy", present(fact("outside")),
            detail=text("No handover is calculated because ", fact("outside"), " (§1.3)"))
_SHORT_DETAIL = text(
    "Sentence start ", day_words(_SSD), ": release no later than ",
    day_words(months_after(_SSD, 10)), " is 10 months or less")

#: §4.3, §7.8: "THD 12 months or more from now" holds when the THD falls after the
#: anniversary (the hearing is at midnight, "now" is later in the day).
_THD_FAR = all_(_INDETERMINATE, lt(months_after(_TODAY, 12), _THD))
_LOW_MAPPA = any_(is_null(fact("mappa_level")), one_of(fact("mappa_level"), (0, 1)))

#: §4.2: the earliest release date for handover (ERD): for an indeterminate sentence a
#: future TED, else a future THD, else the closer of the two to today (TED wins a tie).
_ERD_E = first_of(
    (all_(_INDETERMINATE, lt(_TODAY, _TED)), "TED"),
    (all_(_INDETERMINATE, lt(_TODAY, _THD)), "THD"),
    (all_(_INDETERMINATE, present(_TED), not_(lt(_TED, _THD))), "TED"),
    (all_(_INDETERMINATE, present(_THD)), "THD"),
    (_INDETERMINATE, None),
    (present(_PED), "PED"),
    otherwise=fact("crd_ard_name"))

#: §4.1, first match wins.
ERA_E_ROWS = (
    _GATE,
    Row("HAND-2 E.1", "additional_isp", all_(_INDETERMINATE, _flag("additional_future_isp")),
        POM_ONLY),
    Row("HAND-2 E.2", "recall_thd_over_12_months",
        all_(_THD_FAR, _flag("recall"), _LOW_MAPPA), POM_WITH_COM),
    Row("HAND-2 E.3", "parole_mappa_2_3",
        all_(_THD_FAR, _flag("parole_outcome_not_release"), not_(_LOW_MAPPA)), COM),
    Row("HAND-2 E.4", "thd_over_12_months",
        all_(_THD_FAR, _flag("parole_outcome_not_release")), POM_WITH_COM),
    Row("HAND-2 E.5", "recall_case", _flag("recall"), COM),
    Row("HAND-2 E.6", "immigration_case", _flag("immigration_case"), COM),
    Row("HAND-2 E.7", "release_date_unknown", is_null(_ERD), POM_ONLY),
    _general("HAND-2 E.8", "early_allocation", _flag("early_allocation"),
             months_before(_ERD, 15)),
    _general("HAND-2 E.8", "indeterminate_open", all_(_INDETERMINATE, fact("open_conditions")),
             months_before(_ERD, 12)),
    _general("HAND-2 E.8", "indeterminate", _INDETERMINATE, months_before(_ERD, 12)),
    _general("HAND-2 E.8", "determinate_short", _SHORT, None, detail=_SHORT_DETAIL),
    _general("HAND-2 E.8", "determinate_parole", present(_PED), months_before(_ERD, 12)),
    _general("HAND-2 E.8", "determinate", always(), months_before(_ERD, 8, 14)),
)

#: §5: the April 2023 earliest release date: for an indeterminate sentence a future TED,
#: else the earlier of a future PRD and a future PED (PRD wins a tie).
_ERD_D = first_of(
    (all_(_INDETERMINATE, lt(_TODAY, _TED)), "TED"),
    (all_(_INDETERMINATE, lt(_TODAY, _PRD),
          not_(all_(lt(_TODAY, _PED), lt(_PED, _PRD)))), "PRD"),
    (all_(_INDETERMINATE, lt(_TODAY, _PED)), "PED"),
    (_INDETERMINATE, None),
    (present(_PED), "PED"),
    otherwise=fact("crd_ard_name"))

#: §2.3: a policy case is sentenced on or after the policy start, or released on or after
#: the cutoff, for the first population that applies; in open conditions, open-prison rules
#: must apply.
_ENGLISH_HUBS = sorted(ENGLISH_HUB_PRISONS | ENGLISH_PRIVATE_PRISONS)
_POLICY_START = first_of((_WOMAN, date(2021, 4, 30)), (_WELSH, date(2019, 2, 4)),
                         otherwise=date(2019, 10, 1))
_POLICY_CUTOFF = first_of((_WOMAN, date(2022, 9, 30)), (_WELSH, date(2020, 5, 4)),
                          (one_of(fact("prison_code"), _ENGLISH_HUBS), date(2021, 6, 1)),
                          otherwise=date(2021, 2, 15))
_POLICY_CASE = all_(any_(ge(_SSD, _POLICY_START), ge(_ERD, _POLICY_CUTOFF)),
                    not_(all_(fact("open_conditions"), not_(fact("open_rules")))))

#: §5, the April 2023 policy: recall, immigration, no ERD, policy dates, general rules.
ERA_D_ROWS = (
    _GATE,
    Row("HAND-2 D.1", "recall_case", _flag("recall"), COM),
    Row("HAND-2 D.2", "immigration_case", _flag("immigration_case"), COM),
    Row("HAND-2 D.3", "release_date_unknown", is_null(_ERD), POM_ONLY),
    Row("HAND-2 D.4", "pre_omic_rules", not_(_POLICY_CASE), COM, names_release=True),
    _general("HAND-2 D.5", "indeterminate_open", all_(_INDETERMINATE, fact("open_conditions")),
             months_before(_ERD, 8)),
    _general("HAND-2 D.5", "indeterminate", _INDETERMINATE, months_before(_ERD, 8)),
    _general("HAND-2 D.5", "determinate_parole", present(_PED), months_before(_ERD, 8)),
    _general("HAND-2 D.5", "determinate_short", _SHORT, None, detail=_SHORT_DETAIL),
    _general("HAND-2 D.5", "early_allocation", _flag("early_allocation"),
             months_before(_ERD, 15)),
    _general("HAND-2 D.5", "determinate", always(), months_before(_ERD, 8, 14)),
)


#: §2.1: the release date eras B and C count back from. For an indeterminate sentence a
#: future TED, else the earlier of the PRD and PED not yet passed (PRD wins a tie); for
#: enhanced resourcing (NPS) the PED, else the earlier of the CRD and ARD; for normal
#: resourcing (CRC) the HDCAD, else the earliest of the ARD, CRD and HDCED (in that order on
#: a tie, §7.7).
_HDCAD, _HDCED = fact("home_detention_curfew_actual_date"), fact(
    "home_detention_curfew_eligibility_date")
_NPS = fact("nps")
_ERD_BC = first_of(
    (all_(_INDETERMINATE, lt(_TODAY, _TED)), "TED"),
    (all_(_INDETERMINATE, ge(_PRD, _TODAY), not_(all_(ge(_PED, _TODAY), lt(_PED, _PRD)))),
     "PRD"),
    (all_(_INDETERMINATE, ge(_PED, _TODAY)), "PED"),
    (_INDETERMINATE, None),
    (all_(_NPS, present(_PED)), "PED"),
    (_NPS, fact("crd_ard_name")),
    (present(_HDCAD), "HDCAD"),
    (all_(present(_ARD), not_(lt(_CRD, _ARD)), not_(lt(_HDCED, _ARD))), "ARD"),
    (all_(present(_CRD), not_(lt(_HDCED, _CRD))), "CRD"),
    (present(_HDCED), "HDCED"))

#: What eras B and C derive besides the common facts: enhanced resourcing (an indeterminate
#: case recorded as CRC is NPS, and a missing decision is NPS, §1.2, §2.1), the earlier of
#: the CRD and ARD, and the two dates counted back from it (§2.4).
_BC_FACTS: tuple[tuple[str, Expr], ...] = (
    ("nps", any_(is_null(fact("handover_resourcing")),
                 ne(fact("handover_resourcing"), "NORMAL"), _INDETERMINATE)),
    ("crd_ard", _release_date(fact("crd_ard_name"))),
    ("window", when(present(fact("crd_ard")), months_before(fact("crd_ard"), 7, 15))),
    ("hdc_window", when(present(fact("crd_ard")), months_before(fact("crd_ard"), 4, 15))),
)
_WINDOW = fact("window")


def _era_bc_rows(era: str) -> tuple[Row, ...]:
    """§2.2's order of checks, then §2.4's NPS dates; era C changes only the NPS
    determinate dates (§3)."""
    nps = f"HAND-2 {era}.2.4"
    common = (
        _GATE,
        Row(f"HAND-2 {era}.2", "recall_case", _flag("recall"), COM),
        Row(f"HAND-2 {era}.3", "immigration_case", _flag("immigration_case"), COM),
        Row(f"HAND-2 {era}.4", "release_date_unknown", is_null(_ERD), POM_ONLY),
        _general(f"HAND-2 {era}.5", "crc_case", not_(_NPS), months_before(_ERD, 0, 84),
                 detail="Normal resourcing: the COM takes over 12 weeks (84 days) before "
                        "release, with no handover window"),
        Row(f"HAND-2 {era}.6", "less_than_10_months_left_to_serve", _SHORT, COM,
            names_release=True, detail=_SHORT_DETAIL),
        Row(f"HAND-2 {era}.8", "pre_omic_rules", not_(_POLICY_CASE), COM, names_release=True),
        _general(f"{nps} EA", "nps_early_allocation", _flag("early_allocation"),
                 months_before(_ERD, 15)),
        _general(f"{nps} ISP", "nps_indeterminate_open",
                 all_(_INDETERMINATE, fact("open_conditions")), months_before(_ERD, 8)),
        _general(f"{nps} ISP", "nps_indeterminate", _INDETERMINATE, months_before(_ERD, 8)),
        _general(f"{nps} PED", "nps_determinate_parole_case", present(_PED),
                 months_before(_PED, 8)),
    )
    if era == "C":
        return (*common, _general(
            "HAND-2 C.3", "nps_determinate", always(),
            when(lt(_WINDOW, _SSD), _SSD, _WINDOW),
            detail="The COM takes over 7 months 15 days before release, never before the "
                   "sentence start"))
    return (
        *common,
        _general(f"{nps} MAPPA", "nps_determinate_mappa_2_3",
                 one_of(fact("mappa_level"), (2, 3)),
                 when(lt(_WINDOW, _TODAY), _TODAY, _WINDOW), start=_WINDOW, detail=text(
                     "MAPPA level ", int_text(fact("mappa_level")), ": the COM takes over 7 "
                     "months 15 days before release, or today once that has passed")),
        _general(f"{nps} determinate", "nps_determinate", present(_HDCAD), _HDCAD,
                 start=_WINDOW,
                 detail=text("Home detention curfew approved for ", day_words(_HDCAD))),
        _general(f"{nps} determinate", "nps_determinate", lt(_HDCED, fact("hdc_window")),
                 _HDCED, start=_WINDOW,
                 detail=text("Home detention curfew eligibility on ", day_words(_HDCED))),
        _general(f"{nps} determinate", "nps_determinate", always(), fact("hdc_window"),
                 start=_WINDOW),
    )


def _rows_in(rows: tuple[Row, ...], keep: str) -> Expr:
    """True for the rows with ``keep`` set."""
    return one_of(fact("row"), [i for i, row in enumerate(rows) if getattr(row, keep)])


def _by_row(rows: tuple[Row, ...], value: str, otherwise: Expr | None = None) -> Expr:
    """Each row's ``value`` (an expression), for the row that fired."""
    return first_of(*((eq(fact("row"), i), getattr(row, value)) for i, row in enumerate(rows)
                      if getattr(row, value) is not None), otherwise=otherwise)


def era_family(era: str, rows: tuple[Row, ...], erd_name: Expr,
               extra: tuple[tuple[str, Expr], ...] = (), typed: bool = True) -> Family:
    """An era's table as a rule family: the common facts (and the era's ``extra`` ones), the
    ERD, the tree, then the start and handover dates with the open-conditions anchor (§2.4,
    §4.6), the responsibility (§2.5, §4.7), the explanation and, when ``typed``, the type
    (§4.8, eras D and E).

    In open conditions, under open-prison rules, an indeterminate sentence's start date is
    its anchor: in eras B and C always, the handover then moving to the start when it came
    before it (§2.4's tie-break); in eras D and E only when the anchor comes first (§4.6)."""
    handover, start = fact("handover"), fact("start")
    counted = _rows_in(rows, "counted")
    row_handover = fact("row_handover")
    anchored = all_(present(row_handover), _INDETERMINATE, fact("open_rules"),
                    lt(fact("anchor"), row_handover) if typed else present(fact("anchor")))
    derived: tuple[tuple[str, Expr], ...] = (
        *_COMMON,
        *extra,
        ("erd_name", erd_name),
        ("erd_date", _release_date(fact("erd_name"))),
        # 10 months or less to serve: release no later than SSD + 10 months (boundary short).
        ("short", le(_ERD, when(present(_SSD), months_after(_SSD, 10)))),
        ("row", first_of(*((row.condition, index) for index, row in enumerate(rows)))),
        ("reason", lookup(fact("row"), {i: row.reason for i, row in enumerate(rows)})),
        ("rule", lookup(fact("row"), {i: row.rule for i, row in enumerate(rows)})),
        ("row_handover", _by_row(rows, "handover")),
        ("anchored", anchored),
        ("start", when(fact("anchored"), fact("anchor"),
                       _by_row(rows, "start", otherwise=row_handover))),
        ("handover", when(lt(row_handover, start), start, row_handover)),
        ("responsibility", when(counted, first_of(
            (is_null(handover), COM), (lt(_TODAY, start), POM_ONLY),
            (lt(_TODAY, handover), POM_WITH_COM), otherwise=COM),
            lookup(fact("row"), {i: row.responsibility for i, row in enumerate(rows)
                                 if row.responsibility is not None}))),
        ("release_name", when(_rows_in(rows, "names_release"), fact("erd_name"))),
        ("release_date", when(present(fact("release_name")), _ERD)),
        ("detail", when(fact("anchored"), fact("anchor_words"), _by_row(rows, "detail"))),
        ("explanation", text(
            lookup(fact("reason"), REASON_TITLES), ".",
            when(present(fact("release_name")), text(
                " Earliest release date used: ", fact("release_name"), " ",
                day_words(fact("release_date")), "."), ""),
            when(present(fact("detail")), text(" ", fact("detail"), "."), ""),
            when(ne(start, handover), text(
                " The COM starts supporting on ", day_words(start), "."), ""),
            when(present(handover), text(
                " The COM becomes responsible on ", day_words(handover), "."), ""),
            " Rule ", fact("rule"), f", handover era {era} (policy ", fact("policy_name"),
            ").")),
        ("handover_type", first_of(
            (is_null(fact("responsibility")), "missing"),
            (eq(fact("reason"), "determinate_short"), "none"),
            (eq(fact("handover_resourcing"), "NORMAL"), "standard"), otherwise="enhanced")
         if typed else lit(None)),
    )
    return Family(f"handover_era_{era.lower()}", HANDOVER_INPUTS, derived,
                  outputs=HANDOVER_OUTPUTS)


#: The tables, by era.
ERA_FAMILIES = {
    "B": era_family("B", _era_bc_rows("B"), _ERD_BC, _BC_FACTS, typed=False),
    "C": era_family("C", _era_bc_rows("C"), _ERD_BC, _BC_FACTS, typed=False),
    "D": era_family("D", ERA_D_ROWS, _ERD_D),
    "E": era_family("E", ERA_E_ROWS, _ERD_E),
}


_LETTER = when(present(fact("pom_tier")), upper(first_letter(fact("pom_tier"))))
_POM_RESPONSIBLE = one_of(fact("responsibility"), (POM_ONLY, POM_WITH_COM))

#: §4.10, the tier strategy, the same in every era: no recommendation without a calculated
#: responsibility; a prison POM for an immigration case or when the COM is responsible;
#: else a probation POM for tiers A and B, a prison POM for the others.
POM_TYPE_FAMILY = Family(
    "pom_type",
    inputs=("responsibility", "immigration_case", "pom_tier"),
    derived=(("pom_type", first_of(
        (is_null(fact("responsibility")), None),
        (_flag("immigration_case"), PRISON),
        (not_(_POM_RESPONSIBLE), PRISON),
        (one_of(_LETTER, ("A", "B")), PROBATION),
        otherwise=PRISON)),),
    outputs=("pom_type",),
)
