"""NEED-1: the seven needs pathways, and which of them each kind of commissioned service
works on — in one place, for the needs assessments, the support plan, the analytics tables
and the duplication check of OUT-6.

Two spellings of the same seven areas exist and both stay: the case store's short codes
(``ete``, ``finance``, ``thinking``; in the needs assessments and support plans, and in their
migrations) and the analytics tables' long ones (``education_training_employment``,
``finance_debt``, ``thinking_skills``; in ``need_work``, published in docs/interchange.md).
:data:`ANALYTICS_NEED` turns the first into the second.

A service of Refer and Monitor is in one category, and a category meets one need (a need
that spans two categories is two referrals; a service that spans two needs is recorded under
the one it mostly meets). :data:`SERVICE_CATEGORY_AREAS` says which, for the categories of the
catalogue; a category added in the admin and not listed here meets no known need, and its
referrals' work is left out of the duplication check until it is listed (see
docs/decisions.md, "Which need a service category works on"). Pure Python.
"""

from __future__ import annotations

#: NEED-1: the seven needs pathways, in the seed's order: the case store's code and the words.
NEED_AREAS = (
    ("accommodation", "Accommodation"),
    ("ete", "Education, training and employment"),
    ("health", "Health"),
    ("substance_misuse", "Substance misuse"),
    ("families", "Families"),
    ("finance", "Finance and debt"),
    ("thinking", "Thinking skills"),
)

#: The analytics tables' code (``need_work.need``) of each area of :data:`NEED_AREAS`.
ANALYTICS_NEED = {
    "accommodation": "accommodation",
    "ete": "education_training_employment",
    "health": "health",
    "substance_misuse": "substance_misuse",
    "families": "families",
    "finance": "finance_debt",
    "thinking": "thinking_skills",
}

#: The analytics codes of the seven needs in words, in the seed's order.
ANALYTICS_NEED_WORDS = {ANALYTICS_NEED[area]: words for area, words in NEED_AREAS}

#: The area (case store code) each service category of the catalogue works on, by the
#: category's code: accommodation; education, training and employment; finance, benefits and
#: debt; dependency and recovery (drugs and alcohol); personal wellbeing (health above all:
#: a GP, health appointments, emotional wellbeing; its relationships outcome is the one part
#: that touches families).
SERVICE_CATEGORY_AREAS = {
    "ACC": "accommodation",
    "ETE": "ete",
    "FBD": "finance",
    "DNR": "substance_misuse",
    "PWB": "health",
}


def analytics_need(area: str) -> str | None:
    """The analytics code of the case store's ``area`` (``None`` for no NEED-1 area)."""
    return ANALYTICS_NEED.get(area)


def service_category_need(category_code: str) -> str | None:
    """The analytics code of the need a service of the category ``category_code`` works on,
    or ``None`` when the category is not in :data:`SERVICE_CATEGORY_AREAS`."""
    area = SERVICE_CATEGORY_AREAS.get(category_code)
    return None if area is None else ANALYTICS_NEED[area]
