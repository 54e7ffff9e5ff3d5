"""Group ids: one pattern, one default, one way to make a group id of any text."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from chronomem.ingest.sources.turns import DialogueSource
from chronomem.query import SearchRequest
from chronomem.schema import (
    DEFAULT_GROUP,
    GROUP_ID_MAX_CHARS,
    GROUP_ID_PATTERN,
    Entity,
    as_group_id,
    check_group_id,
)


@given(st.text(min_size=1, max_size=300))
def test_any_text_made_a_group_id_is_valid(text: str) -> None:
    made = as_group_id(text)
    assert check_group_id(made) == made
    assert len(made) == min(len(text), GROUP_ID_MAX_CHARS)


def test_unsafe_characters_become_underscores() -> None:
    assert as_group_id("locomo:conv 26/é") == "locomo:conv_26__"
    assert as_group_id("a" * 200) == "a" * GROUP_ID_MAX_CHARS
    assert as_group_id("") == ""
    source = DialogueSource(source="chat log #1", turns=(), format="jsonl")
    assert source.group_id == "chat_log__1"


def test_models_and_requests_share_the_pattern_and_the_default() -> None:
    assert re.fullmatch(GROUP_ID_PATTERN, DEFAULT_GROUP)
    assert Entity(name="A").group_id == DEFAULT_GROUP
    assert SearchRequest(query="q").group_id == DEFAULT_GROUP
    for model in (Entity, SearchRequest):
        assert model.model_fields["group_id"].metadata[0].pattern == GROUP_ID_PATTERN
