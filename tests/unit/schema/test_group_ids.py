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
    assert len(made) <= GROUP_ID_MAX_CHARS


@given(st.text(max_size=300), st.text(max_size=300))
def test_different_texts_never_share_a_group(a: str, b: str) -> None:
    """Issue 17 item 4: "user 1", "user_1" and "user/1" all became "user_1", in any file or
    run; the mapping is now one to one."""
    assert (as_group_id(a) == as_group_id(b)) == (a == b)


def test_unsafe_characters_become_underscores_with_a_hash() -> None:
    assert as_group_id("conv-26") == "conv-26"
    made = {as_group_id(text) for text in ("user 1", "user_1", "user/1", "user_1@" + "0" * 16)}
    assert len(made) == 4
    assert as_group_id("locomo:conv 26/é").startswith("locomo:conv_26__@")
    assert as_group_id("a" * 200) == "a" * (GROUP_ID_MAX_CHARS - 17) + as_group_id("a" * 200)[-17:]
    assert as_group_id("") == ""
    source = DialogueSource(source="chat log #1", turns=(), format="jsonl")
    assert source.group_id.startswith("chat_log__1@")


def test_models_and_requests_share_the_pattern_and_the_default() -> None:
    assert re.fullmatch(GROUP_ID_PATTERN, DEFAULT_GROUP)
    assert Entity(name="A").group_id == DEFAULT_GROUP
    assert SearchRequest(query="q").group_id == DEFAULT_GROUP
    for model in (Entity, SearchRequest):
        assert model.model_fields["group_id"].metadata[0].pattern == GROUP_ID_PATTERN
