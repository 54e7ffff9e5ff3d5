"""The text an episode is embedded as: labelled with its speaker, sentences found in it."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from hypothesis import given, settings

from chronomem.engine.embed import part_text
from chronomem.engine.episode_text import embedding_text, sentence_parts
from chronomem.schema import Episode
from tests.strategies import TURN_TEXTS

WHEN = datetime(2023, 5, 8, 13, 56, tzinfo=UTC)


def test_embedding_text_labels_and_grounds_a_turn_but_not_an_unspoken_text() -> None:
    turn = Episode(content="I love my dogs.", reference_time=WHEN, speaker="Audrey")
    note = Episode(content="I love my dogs.", reference_time=WHEN)
    assert embedding_text(turn) == "Audrey: Audrey love Audrey's dogs."
    assert embedding_text(note) == "I love my dogs."
    assert turn.content == "I love my dogs."  # what is stored is what was said


def test_sentence_parts_follow_the_grounded_text() -> None:
    turn = Episode(
        content="I won! My team too. [shares a photo: a cup]",
        reference_time=WHEN,
        speaker="Jon",
    )
    text = embedding_text(turn)
    parts = sentence_parts(turn, text)
    assert [part_text(text, p) for p in parts] == [
        "Jon: Jon won!",
        "Jon: Jon's team too.",
        "Jon: [shares a photo: a cup]",
    ]


def test_one_sentence_has_no_parts() -> None:
    turn = Episode(content="I won!", reference_time=WHEN, speaker="Jon")
    assert sentence_parts(turn, embedding_text(turn)) == []


@settings(max_examples=300, deadline=None)
@given(text=TURN_TEXTS)
def test_sentence_parts_cover_the_text_in_order_without_overlap(text: str) -> None:
    turn = Episode(content=text, reference_time=WHEN, speaker="Ann")
    embedded = embedding_text(turn)
    parts = sentence_parts(turn, embedded)
    if not parts:
        return
    spans = [part[-1] for part in parts]
    assert all(part[0] == (0, len("Ann") + 1) for part in parts)  # each with the label
    assert all(0 <= a < b <= len(embedded) for a, b in spans)
    assert all(b1 <= a2 for (_, b1), (a2, _) in itertools.pairwise(spans))
    body = embedded[len("Ann: ") :]
    assert " ".join(embedded[a:b] for a, b in spans).split() == body.split()
