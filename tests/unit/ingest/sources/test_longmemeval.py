"""The LongMemEval reader: one conversation per item, dated sessions, user/assistant turns."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chronomem.errors import SourceFormatError
from chronomem.ingest.sources import read_dialogue
from chronomem.ingest.sources.longmemeval import parse_haystack_date


def test_one_conversation_per_item(fixtures: Path) -> None:
    conversations = read_dialogue(fixtures / "longmemeval_mini.json")
    assert [c.source for c in conversations] == ["longmemeval:q-001", "longmemeval:q-002"]
    assert all(c.format == "longmemeval" for c in conversations)


def test_sessions_are_ordered_by_date_and_use_their_ids(fixtures: Path) -> None:
    first = read_dialogue(fixtures / "longmemeval_mini.json")[0]
    assert [t.session for t in first.turns] == ["sess-a", "sess-a", "sess-b", "sess-b"]
    assert [t.id for t in first.turns] == ["sess-a:1", "sess-a:3", "sess-b:1", "sess-b:2"]
    start = datetime(2023, 5, 20, 2, 21, tzinfo=UTC)
    assert first.turns[0].time == start
    assert first.turns[1].time == start + timedelta(seconds=2)
    assert first.turns[2].time == datetime(2023, 5, 21, 9, 15, tzinfo=UTC)
    assert [t.speaker for t in first.turns] == ["user", "assistant", "user", "assistant"]


def test_session_ids_default_to_positions(fixtures: Path) -> None:
    second = read_dialogue(fixtures / "longmemeval_mini.json")[1]
    assert [t.id for t in second.turns] == ["session_1:1"]


def test_question_and_answer_are_not_read(fixtures: Path) -> None:
    for conversation in read_dialogue(fixtures / "longmemeval_mini.json"):
        assert conversation.turns
        assert all("LEAK-SENTINEL" not in t.text for t in conversation.turns)


def test_haystack_date_parsing() -> None:
    assert parse_haystack_date("2023/05/20 (Sat) 02:21", UTC) == datetime(
        2023, 5, 20, 2, 21, tzinfo=UTC
    )
    assert parse_haystack_date("20 May 2023", UTC) is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"haystack_dates": ["yesterday"]}, "cannot read haystack_dates[0] 'yesterday'"),
        ({"haystack_dates": []}, "1 haystack_sessions but 0 haystack_dates"),
        ({"haystack_sessions": [[{"role": "system", "content": "x"}]]}, "role 'system'"),
        ({"haystack_sessions": [[{"role": "user", "content": 3}]]}, "'content' must be a string"),
        ({"haystack_session_ids": ["a", "b"]}, "one id per session"),
        ({"question_id": ""}, "missing 'question_id'"),
    ],
)
def test_malformed_items_are_errors(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    item: dict[str, object] = {
        "question_id": "q1",
        "haystack_dates": ["2023/05/20 (Sat) 02:21"],
        "haystack_sessions": [[{"role": "user", "content": "hi"}]],
    }
    item.update(change)
    path = tmp_path / "lme.json"
    path.write_text(json.dumps([item]), encoding="utf-8")
    with pytest.raises(SourceFormatError) as info:
        read_dialogue(path, format="longmemeval")
    assert message in str(info.value)
    assert str(info.value).startswith(f"{path}: item 0")
