"""Reading business records (CSV, JSON, JSONL, pandas DataFrames, Python rows) for a mapping.

Every reader checks the mapping against the data's columns before reading a row (a missing
column raises :class:`MappingError`), then validates every row (a bad time, an empty key:
:class:`SourceFormatError` with the file and row) and returns nothing unless all rows are good.
Records come back sorted by time (ties keep input order), so each key's records are in time
order.

Cells: surrounding blanks are stripped and an empty cell, null or NaN is "no value". Numbers
are written as text (a whole float as an integer: 3.0 -> "3"). Times are ISO-8601 strings,
dates or datetimes; one without a zone is taken in the mapping's ``timezone``.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeGuard, cast, get_args

from chronomem.errors import InputError, SourceFormatError
from chronomem.ingest.sources.jsontext import InvalidJsonError, load_json, parse_json
from chronomem.ingest.sources.mapping import RecordMapping
from chronomem.ingest.sources.problems import Problems, read_source_text
from chronomem.schema import check_time

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "RECORD_FORMATS",
    "Record",
    "RecordFormat",
    "load_records",
    "read_records",
    "records_from_dataframe",
    "records_from_rows",
]

RecordFormat = Literal["auto", "csv", "json", "jsonl"]
RECORD_FORMATS: tuple[str, ...] = get_args(RecordFormat)[1:]
_EXTENSIONS = {".csv": "csv", ".tsv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}
_TIME_HINT = "write ISO-8601, e.g. '2024-03-01', '2024-03-01 09:30' or '2024-03-01T09:30:00+01:00'"


@dataclass(frozen=True, slots=True)
class Record:
    """One validated row: its entity key and name, its time, and its mapped values.

    ``time`` is the record time (or ``valid_from``); ``valid_to`` ends its validity when the
    mapping has that column. ``values`` holds the non-empty cells of the mapped attribute and
    reference columns. ``origin`` is the file (or "<DataFrame>", "<rows>") and ``row`` the line
    number for CSV/JSONL, else the 1-based position.
    """

    key: str
    name: str
    time: datetime
    valid_to: datetime | None
    values: Mapping[str, str]
    origin: str
    row: int


@dataclass(frozen=True, slots=True)
class _RawRow:
    row: int
    line: int | None
    label: str
    cells: Mapping[str, object]


def read_records(
    path: str | Path, mapping: RecordMapping, format: RecordFormat = "auto"
) -> list[Record]:
    """Validated records of a CSV, JSON (a list of objects) or JSONL file.

    ``format="auto"`` goes by the extension: .csv/.tsv, .json, .jsonl/.ndjson.
    """
    file = Path(path)
    chosen = _EXTENSIONS.get(file.suffix.lower()) if format == "auto" else format
    if chosen not in RECORD_FORMATS:
        what = f"format {format!r}" if format != "auto" else f"extension {file.suffix!r}"
        raise SourceFormatError(
            f"unknown records {what}; supported formats: csv (.csv, .tsv), "
            "json (a list of objects, .json), jsonl (one object per line, .jsonl); "
            "pass format=... to choose one",
            path=str(file),
        )
    text = read_source_text(file)
    origin = str(file)
    if chosen == "csv":
        columns, rows = _csv_rows(text, origin, tab=file.suffix.lower() == ".tsv")
    elif chosen == "json":
        columns, rows = _json_rows(text, origin)
    else:
        columns, rows = _jsonl_rows(text, origin)
    return _validate(rows, columns, mapping, origin)


def records_from_dataframe(frame: pd.DataFrame, mapping: RecordMapping) -> list[Record]:
    """Validated records of a pandas DataFrame (pandas is imported only by the caller)."""
    columns = [str(column) for column in frame.columns]
    if len(set(columns)) != len(columns):
        raise SourceFormatError("the DataFrame has repeated column names", path="<DataFrame>")
    clean = frame.astype(object).where(frame.notna(), None)
    rows = [
        _RawRow(
            position,
            None,
            f"row {position} (index {label!r})",
            dict(zip(columns, values, strict=True)),
        )
        for position, (label, values) in enumerate(
            zip(clean.index, clean.itertuples(index=False, name=None), strict=True), start=1
        )
    ]
    return _validate(rows, columns, mapping, "<DataFrame>")


def records_from_rows(
    rows: Iterable[Mapping[str, object]], mapping: RecordMapping, *, origin: str = "<rows>"
) -> list[Record]:
    """Validated records of in-memory rows (mappings of column -> value)."""
    raw: list[_RawRow] = []
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise SourceFormatError(
                f"rows[{index}] is a {type(row).__name__}; give a mapping of column -> value",
                path=origin,
            )
        raw.append(_RawRow(index + 1, None, f"rows[{index}]", {str(k): v for k, v in row.items()}))
    return _validate(raw, _union_columns(raw), mapping, origin)


def load_records(
    data: str | Path | pd.DataFrame | Iterable[Mapping[str, object]],
    mapping: RecordMapping,
    format: RecordFormat = "auto",
) -> list[Record]:
    """Validated records from a file path, a DataFrame or in-memory rows."""
    if isinstance(data, str | Path):
        return read_records(data, mapping, format=format)
    if _is_dataframe(data):
        return records_from_dataframe(data, mapping)
    if isinstance(data, Mapping) or not isinstance(data, Iterable):
        raise InputError(
            f"records: got {type(data).__name__}; give a file path, a pandas DataFrame or a "
            "list of rows (mappings of column -> value)"
        )
    return records_from_rows(cast("Iterable[Mapping[str, object]]", data), mapping)


def _is_dataframe(value: object) -> TypeGuard[pd.DataFrame]:
    return type(value).__module__.startswith("pandas") and hasattr(value, "itertuples")


def _csv_rows(text: str, origin: str, *, tab: bool) -> tuple[list[str], list[_RawRow]]:
    lines = text.splitlines()
    header_line = next((line for line in lines if line.strip()), "")
    if not header_line:
        raise SourceFormatError("empty file; the first line must name the columns", path=origin)
    delimiter = "\t" if tab else _guess_delimiter(header_line)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    rows: list[_RawRow] = []
    problems = Problems(origin)
    start = 1
    try:
        for fields in reader:
            line, start = start, reader.line_num + 1
            if not any(field.strip() for field in fields):
                continue
            if header is None:
                header = [field.strip() for field in fields]
                _check_header(header, origin, line)
                continue
            if len(fields) != len(header):
                problems.add(
                    line,
                    f"row has {len(fields)} fields but the header has {len(header)}; "
                    f"check the delimiter {delimiter!r} and quoting",
                )
                continue
            rows.append(_RawRow(line, line, "", dict(zip(header, fields, strict=True))))
    except csv.Error as exc:
        raise SourceFormatError(f"malformed CSV: {exc}", path=origin, line=start) from None
    problems.raise_if_any()
    if header is None:
        raise SourceFormatError("no header line; the first line must name the columns", path=origin)
    return header, rows


def _guess_delimiter(header_line: str) -> str:
    counts = {candidate: header_line.count(candidate) for candidate in (",", ";", "\t", "|")}
    best = max(counts, key=lambda candidate: counts[candidate])
    return best if counts[best] else ","


def _check_header(header: list[str], origin: str, line: int) -> None:
    if any(not name for name in header):
        raise SourceFormatError("the header has an empty column name", path=origin, line=line)
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise SourceFormatError(
            f"the header repeats column(s) {', '.join(map(repr, repeated))}; names must be unique",
            path=origin,
            line=line,
        )


def _json_rows(text: str, origin: str) -> tuple[list[str], list[_RawRow]]:
    data = load_json(text, origin)
    if not isinstance(data, list):
        raise SourceFormatError(
            "expected a JSON list of objects (one per record); for one object per line use .jsonl",
            path=origin,
        )
    problems = Problems(origin)
    rows: list[_RawRow] = []
    for index, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            problems.add(None, f"record {index}: expected an object, got {type(item).__name__}")
            continue
        rows.append(_RawRow(index, None, f"record {index}", item))
    problems.raise_if_any()
    return _union_columns(rows), rows


def _jsonl_rows(text: str, origin: str) -> tuple[list[str], list[_RawRow]]:
    problems = Problems(origin)
    rows: list[_RawRow] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = parse_json(line)
        except InvalidJsonError as exc:
            problems.add(number, exc.reason)
            continue
        if not isinstance(item, dict):
            problems.add(number, f"expected a JSON object, got {type(item).__name__}")
            continue
        rows.append(_RawRow(number, number, "", item))
    problems.raise_if_any()
    return _union_columns(rows), rows


def _union_columns(rows: Sequence[_RawRow]) -> list[str]:
    return list(dict.fromkeys(name for row in rows for name in row.cells))


def _validate(
    rows: Sequence[_RawRow], columns: list[str], mapping: RecordMapping, origin: str
) -> list[Record]:
    mapping.check_columns(columns, origin)
    problems = Problems(origin)
    records: list[Record] = []
    for raw in rows:
        record = _to_record(raw, mapping, origin, problems)
        if record is not None:
            records.append(record)
    if not rows:
        problems.add(None, "no records found")
    problems.raise_if_any()
    records.sort(key=lambda record: record.time)
    return records


def _to_record(
    raw: _RawRow, mapping: RecordMapping, origin: str, problems: Problems
) -> Record | None:
    prefix = f"{raw.label}: " if raw.label else ""
    before = len(problems.found)

    def text(column: str) -> str | None:
        try:
            return _cell_text(raw.cells.get(column))
        except ValueError as exc:
            problems.add(raw.line, f"{prefix}column {column!r} {exc}")
            return None

    def moment(column: str | None, required: bool) -> datetime | None:
        if column is None:
            return None
        value = raw.cells.get(column)
        try:
            parsed = _cell_time(value, mapping.tz)
        except ValueError as exc:
            problems.add(raw.line, f"{prefix}column {column!r}: {exc}")
            return None
        if parsed is None and required:
            problems.add(raw.line, f"{prefix}column {column!r} is empty; every record needs a time")
        return parsed

    key = text(mapping.entity.key)
    if key is None and len(problems.found) == before:
        problems.add(
            raw.line, f"{prefix}key column {mapping.entity.key!r} is empty; every record needs one"
        )
    name = text(mapping.entity.name_column) or key
    start = moment(mapping.time.start_column, required=True)
    end = moment(mapping.time.valid_to, required=False)
    if start is not None and end is not None and end <= start:
        problems.add(
            raw.line,
            f"{prefix}{mapping.time.valid_to!r} ({end.isoformat()}) is not after "
            f"{mapping.time.start_column!r} ({start.isoformat()})",
        )
    values: dict[str, str] = {}
    for column in mapping.relation_columns:
        value = text(column.column)
        if value is not None:
            values[column.column] = value
    if len(problems.found) > before or key is None or name is None or start is None:
        return None
    return Record(key, name, start, end, values, origin, raw.row)


def _cell_text(value: object) -> str | None:
    """A cell as text; ``None`` when empty. Raises ValueError for nested values."""
    if value is None:
        return None
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("contains a NUL character (\\u0000); remove it from the data")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(
                "contains a lone surrogate (invalid Unicode); fix its encoding"
            ) from None
        return value.strip() or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | dict | tuple | set):
        raise ValueError(f"holds a {type(value).__name__}; records need one plain value per cell")
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item):
        return _cell_text(item())
    return str(value).strip() or None


def _cell_time(value: object, tz: tzinfo) -> datetime | None:
    """A cell as an aware datetime (naive values taken in ``tz``); ``None`` when empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            parsed = datetime.fromisoformat(text.replace("z", "Z"))
        except ValueError:
            raise ValueError(f"cannot read {value!r} as a time; {_TIME_HINT}") from None
        value = parsed
    if isinstance(value, datetime):
        convert = getattr(value, "to_pydatetime", None)  # pandas Timestamp
        if callable(convert):
            value = convert()
    if isinstance(value, datetime):
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            return check_time(value.replace(tzinfo=tz), field="")
        return check_time(value, field="")
    if isinstance(value, date):
        return check_time(datetime(value.year, value.month, value.day, tzinfo=tz), field="")
    raise ValueError(f"expected a time, got {type(value).__name__} {value!r}; {_TIME_HINT}")
