"""Turns, their validation, and their conversion to message episodes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from chronomem.errors import InputError
from chronomem.ingest.sources import Turn, as_turns, turn_content, turns_to_episodes
from chronomem.schema import EpisodeKind, stable_uuid

T0 = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)


def test_turn_rejects_naive_time() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        Turn(speaker="Alice", text="hi", time=datetime(2024, 3, 4, 9, 0))


def test_turn_rejects_blank_speaker_and_empty_turn() -> None:
    with pytest.raises(ValidationError, match="speaker is blank"):
        Turn(speaker="  ", text="hi", time=T0)
    with pytest.raises(ValidationError, match="must say something"):
        Turn(speaker="Alice", text=" ", time=T0)


def test_turn_with_only_a_caption_is_a_photo() -> None:
    turn = Turn(speaker="Alice", text="", time=T0, caption="a cat on a sofa")
    assert turn_content(turn) == "[shares a photo: a cat on a sofa]"


def test_caption_is_appended_to_the_content() -> None:
    turn = Turn(speaker="Alice", text="Look!", time=T0, caption="a dog")
    (episode,) = turns_to_episodes([turn], group_id="g", source="chat")
    assert episode.content == "Look! [shares a photo: a dog]"


def test_episode_fields_come_from_the_turn() -> None:
    turn = Turn(speaker="Alice", text="I moved.", time=T0, id="D1:1", session="session_1")
    (episode,) = turns_to_episodes([turn], group_id="user-42", source="locomo:conv-1")
    assert episode.source_id == "D1:1"
    assert episode.speaker == "Alice"
    assert episode.session == "session_1"
    assert episode.kind is EpisodeKind.MESSAGE
    assert episode.reference_time == T0
    assert episode.group_id == "user-42"
    assert episode.source == "locomo:conv-1"
    assert episode.uuid == stable_uuid("user-42", "locomo:conv-1", "D1:1")


def test_source_id_without_turn_id_is_a_stable_content_hash() -> None:
    turns = [
        Turn(speaker="Alice", text="Hello", time=T0),
        Turn(speaker="Bob", text="Hello", time=T0 + timedelta(seconds=1)),
    ]
    first = turns_to_episodes(turns, group_id="g", source="chat")
    again = turns_to_episodes(list(turns), group_id="g", source="chat")
    assert [e.source_id for e in first] == [e.source_id for e in again]
    assert [e.uuid for e in first] == [e.uuid for e in again]
    assert first[0].source_id != first[1].source_id


def test_content_hash_ignores_how_the_zone_is_written() -> None:
    berlin = timezone(timedelta(hours=1))
    utc_turn = Turn(speaker="Alice", text="Hi", time=T0)
    local_turn = Turn(speaker="Alice", text="Hi", time=T0.astimezone(berlin))
    (a,) = turns_to_episodes([utc_turn], group_id="g", source="chat")
    (b,) = turns_to_episodes([local_turn], group_id="g", source="chat")
    assert a.source_id == b.source_id


def test_a_repeated_turn_is_kept_once_but_a_reused_id_is_an_error() -> None:
    turn = Turn(speaker="Alice", text="Hi", time=T0, id="t1")
    assert len(turns_to_episodes([turn, turn], group_id="g", source="chat")) == 1
    other = Turn(speaker="Bob", text="Yo", time=T0, id="t1")
    with pytest.raises(InputError, match="id 't1'"):
        turns_to_episodes([turn, other], group_id="g", source="chat")


def test_as_turns_accepts_mappings_and_names_the_bad_item() -> None:
    turns = as_turns(
        [
            {"speaker": "Alice", "text": "Hi", "time": "2024-03-04T09:00:00+01:00"},
            Turn(speaker="Bob", text="Hey", time=T0),
        ]
    )
    assert [t.speaker for t in turns] == ["Alice", "Bob"]
    with pytest.raises(InputError, match=r"turn 1: time: .*timezone"):
        as_turns(
            [
                {"speaker": "Alice", "text": "Hi", "time": "2024-03-04T09:00:00Z"},
                {"speaker": "Bob", "text": "Hey", "time": "2024-03-04T09:00:00"},
            ]
        )
    with pytest.raises(InputError, match="turn 0: expected a Turn"):
        as_turns(["hello"])  # type: ignore[list-item]
