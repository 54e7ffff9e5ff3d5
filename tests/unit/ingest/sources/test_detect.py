"""Dialogue format detection and unknown formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chronomem.errors import SourceFormatError
from chronomem.ingest.sources import DialogueFormat, detect_dialogue_format, read_dialogue


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("chat.jsonl", "jsonl"),
        ("locomo_mini.json", "locomo"),
        ("longmemeval_mini.json", "longmemeval"),
    ],
)
def test_fixture_formats_are_detected(fixtures: Path, name: str, expected: str) -> None:
    assert detect_dialogue_format(fixtures / name) == expected


def test_jsonl_content_without_the_extension_is_detected(fixtures: Path, tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_bytes((fixtures / "chat.jsonl").read_bytes())
    assert detect_dialogue_format(path) == "jsonl"
    assert len(read_dialogue(path)[0].turns) == 4


def test_a_single_locomo_object_is_one_conversation(fixtures: Path, tmp_path: Path) -> None:
    data = json.loads((fixtures / "locomo_mini.json").read_text(encoding="utf-8"))
    path = tmp_path / "one.json"
    path.write_text(json.dumps(data[1]), encoding="utf-8")
    assert [c.source for c in read_dialogue(path)] == ["locomo:conv-x2"]


@pytest.mark.parametrize(
    ("name", "content"),
    [("a.json", '[{"foo": 1}]'), ("b.txt", "hello world"), ("c.json", "{}"), ("d.dat", "[]")],
)
def test_unknown_content_lists_the_supported_formats(
    tmp_path: Path, name: str, content: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SourceFormatError) as info:
        read_dialogue(path)
    message = str(info.value)
    assert message.startswith(str(path))
    for fmt in ("jsonl", "locomo", "longmemeval"):
        assert fmt in message


def test_an_unknown_format_name_is_an_error(fixtures: Path) -> None:
    with pytest.raises(SourceFormatError, match="unknown dialogue format 'csv'"):
        read_dialogue(fixtures / "chat.jsonl", format="csv")  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["auto", "locomo"])
def test_invalid_json_reports_its_line(tmp_path: Path, fmt: DialogueFormat) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[\n  {"sample_id": "c1",\n  oops}\n]', encoding="utf-8")
    with pytest.raises(SourceFormatError, match=rf"{path}:3: invalid JSON"):
        read_dialogue(path, format=fmt)


def test_a_binary_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "blob.jsonl"
    path.write_bytes(b"\xff\xfe\x00\x81garbage")
    with pytest.raises(SourceFormatError, match="not UTF-8"):
        read_dialogue(path)
