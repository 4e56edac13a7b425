"""The words and codes of responsibility and handover (HANDOVER.md §1): the states, the
prison classes the rules read, the reasons and their plain words. Shared by the era
functions (:mod:`omp.rules.handover`) and the era tables (:mod:`omp.rules.handover_tables`).
"""

from __future__ import annotations

from typing import Literal

Responsibility = Literal["POM_RESPONSIBLE", "POM_RESPONSIBLE_COM_SUPPORTING", "COM_RESPONSIBLE"]
POM_ONLY: Responsibility = "POM_RESPONSIBLE"
POM_WITH_COM: Responsibility = "POM_RESPONSIBLE_COM_SUPPORTING"
COM: Responsibility = "COM_RESPONSIBLE"
PomType = Literal["PROBATION", "PRISON"]
OverrideValue = Literal["Prison", "Probation"]

#: How each state reads on a page (HANDOVER.md §1.1).
RESPONSIBILITY_LABELS: dict[str, str] = {
    POM_ONLY: "POM responsible",
    POM_WITH_COM: "POM responsible, COM supporting",
    COM: "COM responsible",
}
#: Who supports, by responsibility state.
SUPPORTING: dict[str, str | None] = {POM_ONLY: None, POM_WITH_COM: "COM", COM: "POM"}

#: HANDOVER.md §1.3 prison classes.
MENS_OPEN_PRISONS = frozenset(
    "HDI HBI HVI KMI KVI LYI NSI UPI SPI EHI SUI TCI FDI".split())
PRESCOED = "UPI"
ENGLISH_HUB_PRISONS = frozenset({"IWI", "SLI", "VEI"})
ENGLISH_PRIVATE_PRISONS = frozenset("ACI ASI DNI DGI FBI LGI OWI NLI PBI RHI TSI".split())
FEMALE_OPEN_CATEGORY = "T"

#: §1.1: the reasons a head of offender management may give for an override.
OVERRIDE_REASONS = {
    "less_than_10_months": "Less than 10 months left to serve",
    "community_team": "The community team is to work with the person",
    "recalled": "Recalled",
    "open_prison": "Moved to an open prison",
    "other": "Other",
}

#: Plain words for each reason code, used in explanations and on pages.
REASON_TITLES: dict[str, str] = {
    "outside_omic_policy": "Outside the OMiC policy: no handover is calculated",
    "recall_case": "Recalled: the COM is responsible",
    "immigration_case": "Immigration case: the COM is responsible",
    "release_date_unknown": "No release date yet: the POM is responsible",
    "crc_case": "Normal resourcing (CRC case): handover 12 weeks before release",
    "less_than_10_months_left_to_serve": "10 months or less to serve: the COM is responsible",
    "pre_omic_rules": "Sentenced before the OMiC policy applied: the COM is responsible",
    "nps_early_allocation": "Early allocation: handover 15 months before release",
    "nps_indeterminate": "Indeterminate sentence: handover 8 months before release",
    "nps_indeterminate_open": "Indeterminate sentence in open conditions: handover 8 months "
                              "before release",
    "nps_determinate_parole_case": "Determinate sentence with parole eligibility: handover "
                                   "8 months before the PED",
    "nps_determinate": "Enhanced resourcing, determinate sentence",
    "nps_determinate_mappa_2_3": "Enhanced resourcing, MAPPA level 2 or 3: the COM takes over "
                                 "7.5 months before release",
    "additional_isp": "A further indeterminate sentence starts later: the POM is responsible",
    "recall_thd_over_12_months": "Recalled indeterminate sentence, parole hearing more than "
                                 "12 months away: the POM is responsible",
    "parole_mappa_2_3": "Parole not granted, MAPPA level 2 or 3: the COM is responsible",
    "thd_over_12_months": "Parole not granted, next hearing more than 12 months away: the POM "
                          "is responsible",
    "early_allocation": "Early allocation: handover 15 months before release",
    "indeterminate": "Indeterminate sentence: handover 12 months before release",
    "indeterminate_open": "Indeterminate sentence in open conditions: handover 12 months "
                          "before release",
    "determinate_short": "10 months or less to serve: the COM is responsible",
    "determinate_parole": "Determinate sentence with parole eligibility: handover 12 months "
                          "before the PED",
    "determinate": "Determinate sentence: handover 8 months 14 days before release",
    "override_prison": "Responsibility set to the prison by a head of offender management",
    "override_probation": "Responsibility set to probation by a head of offender management",
}
