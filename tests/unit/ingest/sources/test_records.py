"""Record readers: CSV, JSON, JSONL, DataFrames and rows; validation before anything is returned."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chronomem.errors import InputError, MappingError, SourceFormatError
from chronomem.ingest.sources import (
    Record,
    RecordMapping,
    load_records,
    read_records,
    records_from_dataframe,
    records_from_rows,
)

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def mapping(fixtures: Path) -> RecordMapping:
    return RecordMapping.from_yaml(fixtures / "accounts_mapping.yaml")


def summary(records: list[Record]) -> list[tuple[str, str, datetime, dict[str, str]]]:
    return [(r.key, r.name, r.time, dict(r.values)) for r in records]


EXPECTED = [
    (
        "A-2",
        "Globex",
        datetime(2024, 1, 5, 12, 0, tzinfo=UTC),
        {"plan": "Starter"},
    ),
    (
        "A-1",
        "Acme Ltd",
        datetime(2024, 1, 10, 0, 0, tzinfo=BERLIN),
        {"plan": "Pro", "tags": "retail;b2b", "manager": "Dana Kim"},
    ),
    (
        "A-1",
        "Acme Ltd",
        datetime(2024, 6, 1, 9, 30, tzinfo=BERLIN),
        {"plan": "Enterprise", "tags": "retail", "manager": "Dana Kim"},
    ),
]


@pytest.mark.parametrize("name", ["accounts.csv", "accounts.json", "accounts.jsonl"])
def test_every_file_format_gives_the_same_records(
    fixtures: Path, mapping: RecordMapping, name: str
) -> None:
    records = read_records(fixtures / name, mapping)
    assert summary(records) == EXPECTED


def test_records_are_sorted_by_time_and_keep_their_rows(
    fixtures: Path, mapping: RecordMapping
) -> None:
    records = read_records(fixtures / "accounts.csv", mapping)
    assert [r.row for r in records] == [3, 2, 4]  # CSV line numbers
    assert [r.time for r in records] == sorted(r.time for r in records)
    assert records[0].origin == str(fixtures / "accounts.csv")


def test_dataframe_input(fixtures: Path, mapping: RecordMapping) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(fixtures / "accounts.csv")
    assert summary(records_from_dataframe(frame, mapping)) == EXPECTED
    frame["updated_at"] = pd.to_datetime(frame["updated_at"], format="mixed", utc=True)
    records = load_records(frame, mapping)
    assert [r.time for r in records] == [
        datetime(2024, 1, 5, 12, 0, tzinfo=UTC),
        datetime(2024, 1, 10, 0, 0, tzinfo=UTC),
        datetime(2024, 6, 1, 9, 30, tzinfo=UTC),
    ]
    assert all(type(r.time) is datetime for r in records)


def test_dataframe_missing_column(mapping: RecordMapping) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"account_id": ["A-1"], "updated_at": ["2024-01-01"]})
    with pytest.raises(MappingError, match="<DataFrame>: mapping 'accounts' needs columns"):
        records_from_dataframe(frame, mapping)


def test_rows_input_and_value_normalisation(mapping: RecordMapping) -> None:
    rows = [
        {
            "account_id": 7,
            "company": "Initech",
            "plan": 3.0,
            "manager": float("nan"),
            "tags": "  ",
            "updated_at": datetime(2024, 2, 1, 8, 0),
        }
    ]
    (record,) = records_from_rows(rows, mapping)
    assert record.key == "7"
    assert dict(record.values) == {"plan": "3"}
    assert record.time == datetime(2024, 2, 1, 8, 0, tzinfo=BERLIN)
    assert record.origin == "<rows>"


def test_load_records_dispatches_and_rejects_odd_input(
    fixtures: Path, mapping: RecordMapping
) -> None:
    assert len(load_records(fixtures / "accounts.json", mapping)) == 3
    assert len(load_records(str(fixtures / "accounts.jsonl"), mapping)) == 3
    one_row: Any = {"account_id": "A-1"}
    with pytest.raises(InputError, match="got dict"):
        load_records(one_row, mapping)


def test_missing_column_names_file_and_existing_columns(
    tmp_path: Path, mapping: RecordMapping
) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text("account_id,company,plan,updated_at\nA-1,Acme,Pro,2024-01-01\n", "utf-8")
    with pytest.raises(MappingError) as info:
        read_records(path, mapping)
    message = str(info.value)
    assert message.startswith(f"{path}: mapping 'accounts' needs columns 'tags', 'manager'")
    assert "its columns are: 'account_id', 'company', 'plan', 'updated_at'" in message


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("A-9,Zed,Pro,,,not a date", "column 'updated_at': cannot read 'not a date' as a time"),
        ("A-9,Zed,Pro,,,", "column 'updated_at' is empty"),
        (",Zed,Pro,,,2024-01-01", "key column 'account_id' is empty"),
        ("A-9,Zed,Pro,,", "row has 5 fields but the header has 6"),
    ],
)
def test_bad_csv_rows_name_file_and_line(
    tmp_path: Path, mapping: RecordMapping, row: str, message: str
) -> None:
    path = tmp_path / "accounts.csv"
    header = "account_id,company,plan,manager,tags,updated_at"
    path.write_text(f"{header}\nA-1,Acme,Pro,,,2024-01-01\n\n{row}\n", encoding="utf-8")
    with pytest.raises(SourceFormatError) as info:
        read_records(path, mapping)
    assert str(info.value).startswith(f"{path}:4: ")
    assert message in str(info.value)
    assert info.value.line == 4


def test_bad_json_records_name_the_record(tmp_path: Path, mapping: RecordMapping) -> None:
    rows = [
        {"account_id": "A-1", "company": "Acme", "updated_at": "2024-01-01", "plan": "Pro"},
        {"account_id": "A-2", "updated_at": "soon", "manager": None, "tags": ["x"]},
    ]
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    with pytest.raises(SourceFormatError) as info:
        read_records(path, mapping)
    message = str(info.value)
    assert message.startswith(f"{path}: record 2: column 'updated_at': cannot read 'soon'")
    assert "record 2: column 'tags' holds a list" in message


def test_bad_jsonl_line(tmp_path: Path, mapping: RecordMapping) -> None:
    path = tmp_path / "accounts.jsonl"
    good = {"account_id": "A-1", "company": "A", "plan": "P", "manager": "M", "tags": "t"}
    path.write_text(
        json.dumps({**good, "updated_at": "2024-01-01"}) + "\n{broken\n", encoding="utf-8"
    )
    with pytest.raises(SourceFormatError, match=rf"{path}:2: invalid JSON"):
        read_records(path, mapping)


def test_valid_to_must_follow_valid_from(tmp_path: Path, fixtures: Path) -> None:
    mapping = RecordMapping.from_yaml(fixtures / "contracts_mapping.yaml")
    path = tmp_path / "contracts.csv"
    path.write_text("contract,customer,tier,start,end\nK,I,Gold,2024-01-01,2023-01-01\n", "utf-8")
    with pytest.raises(SourceFormatError, match=r":2: 'end' .* is not after 'start'"):
        read_records(path, mapping)


def test_unknown_extension_lists_formats(tmp_path: Path, mapping: RecordMapping) -> None:
    path = tmp_path / "accounts.xlsx"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"supported formats: csv .* json .* jsonl"):
        read_records(path, mapping)


def test_semicolon_delimited_csv(tmp_path: Path, mapping: RecordMapping) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text(
        "account_id;company;plan;manager;tags;updated_at\nA-1;Acme;Pro;Dana;x;2024-01-01\n",
        encoding="utf-8",
    )
    (record,) = read_records(path, mapping)
    assert dict(record.values) == {"plan": "Pro", "tags": "x", "manager": "Dana"}


def test_header_problems(tmp_path: Path, mapping: RecordMapping) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text("account_id,plan,plan\nA,B,C\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r":1: the header repeats column\(s\) 'plan'"):
        read_records(path, mapping)
    path.write_text("", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="empty file"):
        read_records(path, mapping)
