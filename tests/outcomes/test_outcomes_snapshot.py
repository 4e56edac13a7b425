"""``omp snapshot``: the case store written as Parquet, with index events the cohorts read
(OUT-1), so a discharge recorded in the case store is measured (OUT-2)."""

from __future__ import annotations

import json
from datetime import date

import pyarrow.parquet as pq

from omp.outcomes.court_outcomes import import_court_outcomes
from omp.outcomes.measures import measure
from omp.outcomes.snapshot import write_snapshot


def test_snapshot_writes_the_case_store_and_its_discharges_are_measured(make_case,
                                                                         tmp_path):
    from omp.cases.models import CustodySpell

    released = make_case(case_ref="S1")
    make_case(case_ref="S2", **{"person.nationalities": ["Albanian"],
                                "custody.immigration_case": True})
    make_case(case_ref="S3", **{"event.sentence.kind": "community", "custody": None,
                                "event.sentence.date": "2013-05-01"})
    CustodySpell.objects.filter(person__case_ref__in=["S1", "S2"]).update(
        actual_release_date=date(2027, 3, 1))
    counts = write_snapshot(tmp_path)
    assert counts["people"] == 3 and counts["index_events"] == 3
    people = {p["case_ref"]: p for p in pq.read_table(tmp_path / "people.parquet").to_pylist()}
    assert people["S1"]["cpa_code"] == "LDN" and people["S1"]["provider_code"] == "N07"
    events = {e["case_ref"]: e for e in
              pq.read_table(tmp_path / "index_events.parquet").to_pylist()}
    assert events["S1"]["index_kind"] == "discharge" and events["S1"]["prison_code"] == "DNI"
    assert events["S1"]["ogrs3"] == 52.0 and events["S1"]["risk_band"] == "medium"
    assert events["S2"]["deported_or_irc"] is True
    assert events["S3"]["index_kind"] == "supervision_start"

    source = tmp_path / "outcomes.jsonl"
    source.write_text(json.dumps({"case_ref": released.case_ref,
                                  "offence_date": "2027-06-01",
                                  "disposal_date": "2027-07-01", "disposal_type": "court",
                                  "offence_code": "04600"}) + "\n")
    assert import_court_outcomes(source, tmp_path).accepted == 1
    [result] = measure(tmp_path, "doncaster-2027")
    assert (result.size, result.reoffenders) == (1, 1)
    assert result.excluded == {"deported_or_irc": 1}
    assert result.mean_predicted_risk == 52.0
