"""The generic JSONL dialogue format: parsing and every error, reported as file:line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from chronomem.errors import SourceFormatError
from chronomem.ingest.sources import read_dialogue

GOOD = '{"speaker": "Alice", "text": "Hi", "time": "2024-03-04T09:00:00Z"}'


def write(tmp_path: Path, *lines: str, name: str = "chat.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_reads_turns_in_order_with_all_fields(fixtures: Path) -> None:
    (conversation,) = read_dialogue(fixtures / "chat.jsonl")
    assert conversation.source == "chat"
    assert conversation.format == "jsonl"
    assert [t.speaker for t in conversation.turns] == ["Alice", "Bob", "Alice", "Bob"]
    first = conversation.turns[0]
    assert first.id == "s1:1"
    assert first.session == "s1"
    assert first.time == datetime(2024, 3, 4, 9, 0, tzinfo=timezone(timedelta(hours=1)))
    assert conversation.turns[2].caption == "a desk with two monitors"
    assert conversation.turns[3].id is None
    assert conversation.turns[3].session is None
    assert conversation.turns[3].time == datetime(2024, 3, 5, 18, 30, tzinfo=UTC)
    assert conversation.speakers == ("Alice", "Bob")


def test_name_overrides_the_source(fixtures: Path) -> None:
    (conversation,) = read_dialogue(fixtures / "chat.jsonl", name="support-chat")
    episodes = conversation.episodes("user-42")
    assert {e.source for e in episodes} == {"support-chat"}
    assert episodes[2].content == "Look at my desk. [shares a photo: a desk with two monitors]"


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ('{"speaker": "Bob", "text": "Hi"', "invalid JSON"),
        ('["Bob", "Hi"]', "expected a JSON object, got an array"),
        ('{"speaker": "Bob", "time": "2024-03-04T09:00:00Z"}', "missing field 'text'"),
        ('{"text": "Hi", "time": "2024-03-04T09:00:00Z"}', "missing field 'speaker'"),
        ('{"speaker": "Bob", "text": "Hi"}', "missing field 'time'"),
        (
            '{"speaker": "Bob", "text": "Hi", "time": "2024-03-04T09:00:00"}',
            "has no timezone",
        ),
        ('{"speaker": "Bob", "text": "Hi", "time": "yesterday"}', "cannot parse 'yesterday'"),
        (
            '{"speaker": "Bob", "text": 5, "time": "2024-03-04T09:00:00Z"}',
            "'text' must be a string",
        ),
        ('{"speaker": "Bob", "text": "Hi", "time": 1700000000}', "'time' must be a string"),
        ('{"speaker": " ", "text": "Hi", "time": "2024-03-04T09:00:00Z"}', "'speaker' is empty"),
        ('{"speaker": "Bob", "text": "", "time": "2024-03-04T09:00:00Z"}', "'text' is empty"),
        (
            '{"speaker": "Bob", "text": "Hi", "time": "2024-03-04T09:00:00Z", "mood": "happy"}',
            "unknown field(s) 'mood'; allowed: speaker, text, time, id, session, caption",
        ),
        ('{"speaker": "Bob", "text": "Hi", "time": "2024-03-04T09:00:00Z", "id": 3}', "'id'"),
    ],
)
def test_errors_name_the_file_and_line(tmp_path: Path, bad_line: str, message: str) -> None:
    path = write(tmp_path, GOOD, "", bad_line)
    with pytest.raises(SourceFormatError) as info:
        read_dialogue(path)
    assert str(info.value).startswith(f"{path}:3: ")
    assert message in str(info.value)
    assert info.value.path == str(path)
    assert info.value.line == 3


def test_every_problem_is_listed_and_nothing_is_returned(tmp_path: Path) -> None:
    path = write(tmp_path, "not json", GOOD, '{"speaker": "Bob"}')
    with pytest.raises(SourceFormatError) as info:
        read_dialogue(path)
    message = str(info.value)
    assert message.startswith(f"{path}:1: invalid JSON")
    assert f"{path}:3: missing field 'text'" in message
    assert f"{path}:3: missing field 'time'" in message


def test_a_repeated_id_is_an_error(tmp_path: Path) -> None:
    line = '{"speaker": "A", "text": "x", "time": "2024-03-04T09:00:00Z", "id": "t1"}'
    path = write(tmp_path, line, line)
    with pytest.raises(SourceFormatError, match=r":2: id 't1' was already used on line 1"):
        read_dialogue(path)


def test_an_empty_file_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "", "  ")
    with pytest.raises(SourceFormatError, match="no turns found"):
        read_dialogue(path, format="jsonl")


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SourceFormatError, match="no such file"):
        read_dialogue(tmp_path / "absent.jsonl")
