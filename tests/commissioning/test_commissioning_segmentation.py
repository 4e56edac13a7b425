"""COM-2 segmentation page: the population's general against violent risk, its segments and
their needs, narrowed by area, provider and where people are; COM-4 on every figure; refused
to roles that do not commission."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from typing import Any

import pytest

from omp.cases.models import Assessment, CustodySpell, Person, ProbationDeliveryUnit
from omp.commissioning.models import ContractPackageArea
from omp.commissioning.segmentation import forget

pytestmark = pytest.mark.django_db


def _people(prefix: str, count: int, general: float, violent: float, pdu: Any,
            custody: bool = False) -> list[Person]:
    made = Person.objects.bulk_create(
        Person(case_ref=f"{prefix}{n:04d}", first_name="Sam", last_name="Example", pdu=pdu)
        for n in range(count))
    Assessment.objects.bulk_create(
        [Assessment(person=p, kind=kind, score=score, assessed_on=date(2026, 6, 1))
         for p in made for kind, score in (("OGRS", general), ("OVP", violent))])
    if custody:
        CustodySpell.objects.bulk_create(CustodySpell(person=p, is_current=True,
                                                      prison_code="LEI") for p in made)
    return made


@pytest.fixture
def population() -> dict[str, Any]:
    forget()
    cpa = ContractPackageArea.objects.filter(pdus__isnull=False).first()
    pdu = cpa.pdus.first()
    other = ProbationDeliveryUnit.objects.exclude(cpas=cpa).first()
    _people("A", 30, 80, 70, pdu)         # high general, high violent
    _people("B", 12, 20, 10, pdu)         # low, low
    _people("C", 3, 32, 12, pdu)          # low, low: a small square of its own
    _people("D", 25, 60, 40, other)       # elsewhere: medium, medium
    _people("E", 15, 85, 20, pdu, custody=True)
    yield {"cpa": cpa}
    forget()


@pytest.fixture
def commissioner(client_for: Any) -> Any:
    return client_for("commissioner", "commissioner")


def _cells(page: str, table_id: str) -> list[list[str]]:
    table = re.search(rf'<table class="govuk-table" id="{table_id}">(.*?)</table>', page,
                      re.S).group(1)
    return [re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row)
            for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>",
                                  table.split("<tbody")[1], re.S)]


def test_com_2_the_community_by_segment_with_small_counts_withheld(commissioner, population):
    page = commissioner.get("/commissioning/segmentation/").content.decode()
    assert "In the community: 70 people with both scores" in page
    rows = _cells(page, "segments")
    # Low/low holds 15 (12 and 3): shown, as it is not small; its squares are not.
    assert rows[0][:2] == ["Low", "15"]
    assert rows[1][2] == "25" and rows[2][3] == "30"
    spec = json.loads(re.search(r'id="segmentation-chart-spec"[^>]*>(.*?)</script>', page,
                                re.S).group(1))
    squares = spec["layer"][0]["data"]["values"]
    assert {(s["general"], s["violent"], s["people"]) for s in squares} == {
        (80, 70, 30), (60, 40, 25)}  # 12 and 3 in low/low: the 3 withheld, so the 12 too
    assert "2 squares with fewer than 10 people" in page
    labels = {label["label"] for label in spec["layer"][3]["data"]["values"]}
    assert "High general, high violent" in labels and len(labels) == 9


def test_com_2_filters_narrow_the_population_and_a_bad_choice_is_named(commissioner,
                                                                       population):
    cpa = population["cpa"]
    page = commissioner.get("/commissioning/segmentation/", {"cpa": cpa.code}).content.decode()
    assert "70 people" not in page and "45 people with both scores" in page
    custody = commissioner.get("/commissioning/segmentation/",
                               {"where": "custody"}).content.decode()
    assert "In custody: 15 people with both scores" in custody
    bad = commissioner.get("/commissioning/segmentation/", {"where": "moon"})
    assert bad.status_code == 400
    assert "Choose a where people are from the list" in bad.content.decode()


def test_com_2_the_squares_download_as_csv_withheld_ones_blank(commissioner, population):
    response = commissioner.get("/commissioning/segmentation/", {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_square = {(r["general_from"], r["violent_from"]): r for r in rows}
    assert by_square[("80", "70")]["people"] == "30"
    assert by_square[("80", "70")]["segment"] == "High general, high violent risk"
    assert by_square[("20", "10")]["people"] == "" and by_square[("20", "10")]["withheld"]


@pytest.mark.parametrize("role", ["court_staff", "pom", "com", "case_manager", "provider"])
def test_com_4_roles_that_do_not_commission_are_refused(client_for, role):
    assert client_for(role, role).get("/commissioning/segmentation/").status_code == 403
