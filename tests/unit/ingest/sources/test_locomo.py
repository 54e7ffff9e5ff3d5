"""The LoCoMo reader: sessions, times, captions, and no leak of the annotations."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from chronomem.errors import SourceFormatError
from chronomem.ingest.sources import read_dialogue
from chronomem.ingest.sources.locomo import parse_session_time

from .conftest import LOCOMO_DEV


def test_reads_every_conversation_with_its_sample_id(fixtures: Path) -> None:
    conversations = read_dialogue(fixtures / "locomo_mini.json")
    assert [c.source for c in conversations] == ["locomo:conv-x1", "locomo:conv-x2"]
    assert all(c.format == "locomo" for c in conversations)
    first = conversations[0]
    assert [t.id for t in first.turns] == ["D1:1", "D1:2", "D1:3", "D2:1", "D2:2"]
    assert first.speakers == ("Ana", "Ben")


def test_turn_time_is_session_time_plus_one_second_per_turn(fixtures: Path) -> None:
    first = read_dialogue(fixtures / "locomo_mini.json")[0]
    start = datetime(2023, 5, 8, 13, 56, tzinfo=UTC)
    assert [t.time for t in first.turns[:3]] == [start + timedelta(seconds=i) for i in range(3)]
    assert first.turns[3].time == datetime(2023, 6, 12, 10, 5, tzinfo=UTC)
    assert [t.session for t in first.turns] == ["session_1"] * 3 + ["session_2"] * 2


def test_sessions_are_read_in_number_order(fixtures: Path) -> None:
    second = read_dialogue(fixtures / "locomo_mini.json")[1]
    assert [t.id for t in second.turns] == ["D1:1", "D2:1"]
    assert second.turns[0].time < second.turns[1].time


def test_caption_becomes_part_of_the_episode(fixtures: Path) -> None:
    first = read_dialogue(fixtures / "locomo_mini.json")[0]
    assert first.turns[1].caption == "a photo of a tram on a hill"
    episodes = first.episodes("bench")
    assert episodes[1].content == "Wow, look at this. [shares a photo: a photo of a tram on a hill]"
    assert episodes[1].source_id == "D1:2"
    assert "lisbon tram" not in episodes[1].content  # the image search query is not said


def test_annotations_and_qa_never_reach_the_turns(fixtures: Path) -> None:
    for conversation in read_dialogue(fixtures / "locomo_mini.json"):
        contents = [episode.content for episode in conversation.episodes("bench")]
        assert contents
        assert not any("LEAK-SENTINEL" in content for content in contents)


def test_timezone_can_be_chosen(fixtures: Path) -> None:
    berlin = ZoneInfo("Europe/Berlin")
    first = read_dialogue(fixtures / "locomo_mini.json", tz=berlin)[0]
    assert first.turns[0].time == datetime(2023, 5, 8, 13, 56, tzinfo=berlin)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1:56 pm on 8 May, 2023", datetime(2023, 5, 8, 13, 56, tzinfo=UTC)),
        ("12:48 am on 1 February, 2023", datetime(2023, 2, 1, 0, 48, tzinfo=UTC)),
        ("12:09 pm on 13 September, 2022", datetime(2022, 9, 13, 12, 9, tzinfo=UTC)),
        ("9:27 am on 7 Feb, 2022", datetime(2022, 2, 7, 9, 27, tzinfo=UTC)),
    ],
)
def test_session_time_parsing(text: str, expected: datetime) -> None:
    assert parse_session_time(text, UTC) == expected


def test_unreadable_session_time_is_an_error(tmp_path: Path) -> None:
    data = [
        {
            "sample_id": "c1",
            "conversation": {
                "session_1_date_time": "sometime in May",
                "session_1": [{"speaker": "A", "dia_id": "D1:1", "text": "hi"}],
            },
        }
    ]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"conversation 0 \(c1\).*'sometime in May'"):
        read_dialogue(path)


@pytest.mark.parametrize(
    ("turn", "message"),
    [
        ({"speaker": "A", "text": "hi"}, "missing or non-string 'dia_id'"),
        ({"speaker": "A", "dia_id": "D1:1"}, "missing or non-string 'text'"),
        ({"speaker": "A", "dia_id": "D1:1", "text": "hi", "blip_caption": 3}, "blip_caption"),
        ({"speaker": "", "dia_id": "D1:1", "text": "hi"}, "empty speaker"),
    ],
)
def test_malformed_turns_are_errors(tmp_path: Path, turn: dict[str, object], message: str) -> None:
    data = {
        "sample_id": "c1",
        "conversation": {"session_1_date_time": "1:56 pm on 8 May, 2023", "session_1": [turn]},
    }
    path = tmp_path / "one.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SourceFormatError, match="session_1, turn 0") as info:
        read_dialogue(path, format="locomo")
    assert message in str(info.value)
    assert str(info.value).startswith(str(path))


def test_session_without_a_date_is_an_error(tmp_path: Path) -> None:
    data = [
        {
            "sample_id": "c1",
            "conversation": {"session_1": [{"speaker": "A", "dia_id": "D1:1", "text": "x"}]},
        }
    ]
    path = tmp_path / "nodate.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SourceFormatError, match="no 'session_1_date_time'"):
        read_dialogue(path, format="locomo")


@pytest.mark.skipif(not LOCOMO_DEV.is_file(), reason="LoCoMo dev file not present")
def test_real_locomo_dev_file() -> None:
    conversations = read_dialogue(LOCOMO_DEV)
    assert [c.source for c in conversations] == [
        "locomo:conv-26",
        "locomo:conv-30",
        "locomo:conv-41",
        "locomo:conv-42",
        "locomo:conv-43",
        "locomo:conv-44",
    ]
    assert [len(c.turns) for c in conversations] == [419, 369, 663, 629, 680, 675]
    raw = json.loads(LOCOMO_DEV.read_text(encoding="utf-8"))
    for item, conversation in zip(raw, conversations, strict=True):
        dialog = item["conversation"]
        assert set(conversation.speakers) == {dialog["speaker_a"], dialog["speaker_b"]}
        times = [t.time for t in conversation.turns]
        assert times == sorted(times)
        assert len({t.id for t in conversation.turns}) == len(conversation.turns)
        episodes = conversation.episodes("bench")
        contents = {e.content for e in episodes}
        leaks = _annotation_texts(item)
        assert leaks, "the file should carry annotations to check against"
        assert not contents & leaks
        captions = sum(1 for t in conversation.turns if t.caption)
        assert captions == sum(e.content.count("[shares a photo: ") for e in episodes)
    first = conversations[0].turns[0]
    assert first.time == datetime(2023, 5, 8, 13, 56, tzinfo=UTC)


def _annotation_texts(item: dict[str, object]) -> set[str]:
    """Every string inside the annotations the reader must not use (read only to check)."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str):
            if len(value) > 30:
                found.add(value)
        elif isinstance(value, dict):
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    for key in ("observation", "event_summary", "session_summary"):
        walk(item.get(key))
    return found
