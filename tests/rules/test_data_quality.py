"""A release date passed while the person is still recorded in custody (issue 12: the case
page warns and the prison's data-quality list collects the case)."""

from __future__ import annotations

from datetime import date

import pytest

from omp.rules.data_quality import release_date_passed
from omp.rules.facts import Custody

TODAY = date(2026, 12, 3)


def test_a_conditional_release_date_in_the_past_is_pointed_out_with_its_date():
    found = release_date_passed(Custody(conditional_release_date=date(2026, 3, 14),
                                        licence_expiry_date=date(2027, 9, 14)), TODAY)
    assert found is not None
    assert (found.field, found.date, found.days_ago) == (
        "custody.conditional_release_date", date(2026, 3, 14), 264)
    assert found.explanation == (
        "Still recorded in custody, but the conditional release date (CRD) was 14 March "
        "2026, 264 days ago: a release, recall or further sentence may not have been recorded")


@pytest.mark.parametrize("crd", [TODAY, date(2027, 1, 1)])
def test_a_release_date_today_or_ahead_is_not_a_problem(crd):
    assert release_date_passed(Custody(conditional_release_date=crd), TODAY) is None


def test_the_automatic_release_date_counts_where_no_crd_is_recorded():
    found = release_date_passed(Custody(automatic_release_date=date(2026, 12, 2)), TODAY)
    assert found is not None and found.field == "custody.automatic_release_date"
    assert "yesterday" in found.explanation


def test_the_licence_expiry_counts_when_no_release_date_is_recorded():
    found = release_date_passed(Custody(licence_expiry_date=date(2025, 1, 1)), TODAY)
    assert found is not None and found.field == "custody.licence_expiry_date"


def test_a_recall_is_back_after_release_so_only_an_expired_licence_is_a_problem():
    recalled = Custody(recall=True, conditional_release_date=date(2025, 1, 1),
                       licence_expiry_date=date(2027, 1, 1))
    assert release_date_passed(recalled, TODAY) is None
    expired = Custody(recall=True, conditional_release_date=date(2024, 1, 1),
                      licence_expiry_date=date(2026, 1, 1))
    found = release_date_passed(expired, TODAY)
    assert found is not None and found.field == "custody.licence_expiry_date"


@pytest.mark.parametrize("custody", [
    None,
    Custody(remand=True, conditional_release_date=date(2020, 1, 1)),
    Custody(tariff_date=date(2015, 1, 1)),  # indeterminate: a tariff is not a release date
    Custody(),
])
def test_no_release_date_that_can_pass(custody):
    assert release_date_passed(custody, TODAY) is None
