"""The write preconditions every backend applies (:mod:`chronomem.engine.store.checks`)."""

from __future__ import annotations

import math

import pytest

from chronomem.engine.store import checks
from chronomem.errors import IntegrityError
from chronomem.schema import Entity, Episode, Fact, parse_time


def _fact(group: str, subject: str, obj: str) -> Fact:
    return Fact(group_id=group, subject_uuid=subject, relation="KNOWS", object_uuid=obj, fact="x")


def test_vectors_of_the_store_dimension_pass_as_float32() -> None:
    vector = checks.checked_vector([1.0, 2.0, 3.0], 3, "v")
    assert vector is not None
    assert vector.dtype.name == "float32"
    assert vector.tolist() == [1.0, 2.0, 3.0]
    assert checks.checked_vector(None, 3, "v") is None


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([1.0, 2.0], "v has 2 dimensions but this memory stores 3-dimensional vectors"),
        ([1.0, math.nan, 0.0], "v contains NaN or infinite values"),
        ([1.0, math.inf, 0.0], "v contains NaN or infinite values"),
    ],
)
def test_vectors_of_another_dimension_or_not_finite_are_refused(
    values: list[float], message: str
) -> None:
    with pytest.raises(IntegrityError, match=message):
        checks.checked_vector(values, 3, "v")


def test_each_vector_is_named_by_what_holds_it() -> None:
    episode = Episode(
        group_id="g",
        content="Hi. Bye.",
        reference_time=parse_time("2024-01-01"),
        sentence_embeddings=[[1.0, 0.0], [1.0]],
    )
    with pytest.raises(
        IntegrityError, match=rf"sentence_embeddings\[1\] of episode {episode.uuid}"
    ):
        checks.sentence_vectors(episode, 2)
    entity = Entity(group_id="g", name="A", name_embedding=[0.0])
    with pytest.raises(IntegrityError, match=f"name_embedding of entity {entity.uuid}"):
        checks.name_vector(entity, 2)


def test_fact_ends_must_be_entities_of_the_facts_group() -> None:
    checks.check_fact_ends([_fact("g", "a", "b")], {"a": "g", "b": "g"})
    with pytest.raises(IntegrityError, match=r"entity 'b', which is not stored in group 'g' \(1"):
        checks.check_fact_ends([_fact("g", "a", "b")], {"a": "g"})
    # "b" is stored in another group, "c" nowhere: two references, the first named
    with pytest.raises(IntegrityError, match=r"entity 'b', which is not stored in group 'g' \(2"):
        checks.check_fact_ends([_fact("g", "a", "b"), _fact("g", "c", "a")], {"a": "g", "b": "h"})


def test_mentions_keep_each_pair_once_with_its_group() -> None:
    rows = checks.checked_mentions(
        [("e1", "a"), ("e2", "a"), ("e1", "a")], {"a": "g"}, {"e1": "g", "e2": "g"}, set()
    )
    assert rows == [("g", "e1", "a"), ("g", "e2", "a")]


def test_mentions_of_a_skipped_episode_of_the_batch_go_with_it() -> None:
    rows = checks.checked_mentions(
        [("skipped", "a"), ("e1", "a")], {"a": "g"}, {"skipped": None, "e1": "g"}, {"skipped"}
    )
    assert rows == [("g", "e1", "a")]


def test_mentions_need_both_ends_stored_in_one_group() -> None:
    with pytest.raises(IntegrityError, match="entity 'x', which is not stored"):
        checks.checked_mentions([("e1", "x")], {}, {"e1": "g"}, set())
    with pytest.raises(IntegrityError, match="episode 'e9', which is not stored in the group 'g'"):
        checks.checked_mentions([("e9", "a")], {"a": "g"}, {}, set())
    with pytest.raises(IntegrityError, match="episode 'e1', which is not stored in the group 'g'"):
        checks.checked_mentions([("e1", "a")], {"a": "g"}, {"e1": "h"}, set())
