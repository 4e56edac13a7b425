"""The court-outcome importer (OUT-2 input): every kind of bad record is counted, shown by
example and written to the rejects file; good records are appended, nothing is lost."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from omp.outcomes.court_outcomes import CourtOutcomesFileError, import_court_outcomes

GOOD = {"case_ref": "G0000001", "offence_date": "2013-04-01", "disposal_date": "2013-05-01",
        "disposal_type": "court", "offence_code": "04600"}


@pytest.fixture
def store(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    pq.write_table(pa.table({"case_ref": ["G0000001", "G0000002"]}), data / "people.parquet")
    return data


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_each_kind_of_bad_record_is_counted_with_examples_and_rejected(tmp_path, store):
    records = [
        GOOD,
        {**GOOD, "case_ref": "G0000002", "disposal_type": "caution"},
        {**GOOD, "offence_date": "2013-06-01"},                      # after the disposal
        {**GOOD, "offence_code": "99999"},                           # not in the list
        {**GOOD, "case_ref": "NOBODY"},                              # not in the case store
        {**GOOD, "disposal_date": "2013-02-30"},                     # not a date
        {**GOOD, "disposal_type": "fine"},                           # not a disposal type
        {k: v for k, v in GOOD.items() if k != "offence_code"},      # field absent
        GOOD,                                                        # twice in the file
    ]
    source = write_jsonl(tmp_path / "outcomes.jsonl", records)
    report = import_court_outcomes(source, store)
    assert (report.read, report.accepted, report.rejected_total) == (9, 2, 7)
    assert dict(report.rejected) == {
        "offence_after_disposal": 1, "unknown_offence_code": 1, "unknown_person": 1,
        "bad_date": 1, "unknown_disposal_type": 1, "missing_field": 1, "duplicate": 1}
    example = report.examples["offence_after_disposal"][0]
    assert (example.line, example.field, example.case_ref) == (3, "offence_date", "G0000001")
    assert report.examples["unknown_person"][0].field == "case_ref"
    assert report.examples["missing_field"][0].field == "offence_code"
    rejects = [json.loads(line) for line in report.rejects_file.read_text().splitlines()]
    assert [r["line"] for r in rejects] == [3, 4, 5, 6, 7, 8, 9]
    assert rejects[2]["record"]["case_ref"] == "NOBODY"
    held = pq.read_table(store / "court_outcomes.parquet").to_pylist()
    assert held == [
        {"case_ref": "G0000001", "offence_date": date(2013, 4, 1),
         "disposal_date": date(2013, 5, 1), "disposal_type": "court", "offence_code": "04600"},
        {"case_ref": "G0000002", "offence_date": date(2013, 4, 1),
         "disposal_date": date(2013, 5, 1), "disposal_type": "caution",
         "offence_code": "04600"}]


def test_a_second_import_appends_and_reports_records_already_held(tmp_path, store):
    first = write_jsonl(tmp_path / "first.jsonl", [GOOD])
    import_court_outcomes(first, store)
    second = write_jsonl(tmp_path / "second.jsonl",
                         [GOOD, {**GOOD, "offence_date": "2013-04-02"}])
    report = import_court_outcomes(second, store)
    assert (report.accepted, dict(report.rejected)) == (1, {"duplicate": 1})
    assert pq.read_table(store / "court_outcomes.parquet").num_rows == 2


def test_csv_lines_count_the_header_and_parquet_is_read(tmp_path, store):
    csv_file = tmp_path / "outcomes.csv"
    csv_file.write_text("case_ref,offence_date,disposal_date,disposal_type,offence_code\n"
                        "G0000001,2013-04-01,2013-05-01,court,04600\n"
                        "G0000001,2013-07-01,2013-05-01,court,04600\n")
    report = import_court_outcomes(csv_file, store)
    assert report.accepted == 1
    assert report.examples["offence_after_disposal"][0].line == 3
    parquet_file = tmp_path / "more.parquet"
    pq.write_table(pa.table({"case_ref": ["G0000002"], "offence_date": [date(2014, 1, 1)],
                             "disposal_date": [date(2014, 2, 1)], "disposal_type": ["court"],
                             "offence_code": ["12345"]}), parquet_file)
    report = import_court_outcomes(parquet_file, store)
    assert dict(report.rejected) == {"unknown_offence_code": 1}


def test_a_line_that_is_not_json_is_rejected_with_its_line(tmp_path, store):
    source = tmp_path / "broken.jsonl"
    source.write_text(json.dumps(GOOD) + "\n{not json\n")
    report = import_court_outcomes(source, store)
    assert report.accepted == 1
    assert report.examples["unreadable"][0].line == 2


def test_no_people_table_is_a_clear_error(tmp_path):
    source = write_jsonl(tmp_path / "outcomes.jsonl", [GOOD])
    with pytest.raises(CourtOutcomesFileError, match="people.parquet not found"):
        import_court_outcomes(source, tmp_path)
