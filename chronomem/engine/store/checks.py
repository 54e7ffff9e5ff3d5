"""What every backend checks before :meth:`GraphStore.write` stores a batch, written once.

Each backend reads what the rules need from its own database (the stored groups of the
entities and episodes a batch refers to) and lets these functions decide; a rule broken raises
:class:`~chronomem.errors.IntegrityError` and the backend stores nothing of the batch.

- vectors: each embedding has the store's dimension and only finite values (:func:`checked_vector`);
- fact ends: the subject and the object of a fact are entities of the fact's group
  (:func:`check_fact_ends`);
- mentions: both ends stored, in one group; a mention of an episode of the batch that was
  skipped (ingested before) goes with it (:func:`checked_mentions`).

And before :meth:`GraphStore.vector` searches: a known target and a query vector of the store's
dimension (:func:`unit_query`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from chronomem.errors import InputError, IntegrityError
from chronomem.schema import Entity, Episode, Fact

__all__ = [
    "check_fact_ends",
    "checked_mentions",
    "checked_vector",
    "content_vector",
    "fact_vector",
    "name_vector",
    "sentence_vectors",
    "unit_query",
]

Vector = npt.NDArray[np.float32]

_VECTOR_TARGETS = ("fact", "entity", "episode")


def checked_vector(values: Sequence[float] | None, dimension: int, what: str) -> Vector | None:
    """``values`` as float32 (None stays None); raises IntegrityError when their number is not
    ``dimension`` or one is NaN or infinite. ``what`` names the vector in the message."""
    if values is None:
        return None
    array = np.asarray(values, dtype=np.float32)
    if array.ndim != 1 or array.shape[0] != dimension:
        raise IntegrityError(
            f"{what} has {array.size} dimensions but this memory stores {dimension}-dimensional "
            "vectors; embed it with the memory's embedder"
        )
    if not np.isfinite(array).all():
        raise IntegrityError(f"{what} contains NaN or infinite values")
    return array


def content_vector(episode: Episode, dimension: int) -> Vector | None:
    """The checked content embedding of an episode (None without one)."""
    return checked_vector(
        episode.content_embedding, dimension, f"content_embedding of episode {episode.uuid}"
    )


def sentence_vectors(episode: Episode, dimension: int) -> list[Vector]:
    """The checked sentence embeddings of an episode, in order (none without them)."""
    found: list[Vector] = []
    for i, values in enumerate(episode.sentence_embeddings or []):
        vector = checked_vector(
            values, dimension, f"sentence_embeddings[{i}] of episode {episode.uuid}"
        )
        if vector is not None:
            found.append(vector)
    return found


def name_vector(entity: Entity, dimension: int) -> Vector | None:
    """The checked name embedding of an entity (None without one)."""
    return checked_vector(
        entity.name_embedding, dimension, f"name_embedding of entity {entity.uuid}"
    )


def fact_vector(fact: Fact, dimension: int) -> Vector | None:
    """The checked embedding of a fact (None without one)."""
    return checked_vector(fact.fact_embedding, dimension, f"fact_embedding of fact {fact.uuid}")


def check_fact_ends(facts: Iterable[Fact], entity_groups: Mapping[str, str]) -> None:
    """Raise IntegrityError unless every subject and object is an entity of the fact's group.

    ``entity_groups``: the stored group of each entity (uuid -> group id) among the ends."""
    wanted = {(f.group_id, end) for f in facts for end in (f.subject_uuid, f.object_uuid)}
    missing = sorted((group, uuid) for group, uuid in wanted if entity_groups.get(uuid) != group)
    if missing:
        group, uuid = missing[0]
        raise IntegrityError(
            f"a fact refers to entity {uuid!r}, which is not stored in group {group!r} "
            f"({len(missing)} such reference(s)); write the entities before or with the facts"
        )


def checked_mentions(
    pairs: Iterable[tuple[str, str]],
    entity_groups: Mapping[str, str | None],
    episode_groups: Mapping[str, str | None],
    batch_episodes: Collection[str],
) -> list[tuple[str, str, str]]:
    """The mentions to store, as (group, episode, entity), each pair once, in order.

    ``pairs`` are (episode uuid, entity uuid); ``entity_groups`` and ``episode_groups`` give the
    stored group of each end (uuid -> group id; absent or None when not stored, as an episode
    of this batch is when it was skipped); ``batch_episodes`` are the uuids of the batch's
    episodes. A mention of a skipped episode of the batch is dropped with it; any other missing
    end, or ends in two groups, raises IntegrityError."""
    rows: list[tuple[str, str, str]] = []
    for episode, entity in dict.fromkeys(pairs):
        if episode_groups.get(episode) is None and episode in batch_episodes:
            continue
        group = entity_groups.get(entity)
        if group is None:
            raise IntegrityError(
                f"a mention refers to entity {entity!r}, which is not stored; write the entity "
                "before or with the mention"
            )
        if episode_groups.get(episode) != group:
            raise IntegrityError(
                f"a mention refers to episode {episode!r}, which is not stored in the group "
                f"{group!r} of entity {entity!r}"
            )
        rows.append((group, episode, entity))
    return rows


def unit_query(embedding: npt.ArrayLike, target: str, dimension: int) -> Vector | None:
    """The query vector of a vector search, scaled to unit length; None when it cannot match
    anything (all zeros, NaN or infinite). Raises InputError for an unknown ``target`` or a
    vector of another dimension than the store's."""
    if target not in _VECTOR_TARGETS:
        raise InputError(f"unknown vector target {target!r}; use fact, entity or episode")
    query = np.asarray(embedding, dtype=np.float32).reshape(-1)
    if query.shape[0] != dimension:
        raise InputError(
            f"query vector has {query.shape[0]} dimensions, this memory stores "
            f"{dimension}; embed the query with the memory's embedder"
        )
    norm = float(np.linalg.norm(query))
    if not np.isfinite(norm) or norm == 0.0:
        return None
    return query / np.float32(norm)
