"""Conversion between schema models and SQLite rows.

Times are INTEGER microseconds since the epoch (UTC), vectors float32 little-endian BLOBs,
lists JSON text. Rows read back are trusted (they were validated on the way in), so models
are rebuilt with ``model_construct``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from chronomem.engine.store import checks
from chronomem.schema import (
    Entity,
    Episode,
    EpisodeKind,
    Fact,
    at_offset,
    from_micros,
    offset_minutes,
    to_micros,
)

__all__ = [
    "decode_vector",
    "entity_from_row",
    "entity_row",
    "entity_vector",
    "episode_from_row",
    "episode_row",
    "fact_from_row",
    "fact_row",
    "fact_vector",
    "json_list",
]

_F32: Final = np.dtype("<f4")


_JSON: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def json_list(values: Sequence[str]) -> str:
    """A list of strings as compact JSON text."""
    return _JSON.encode(list(values)) if values else "[]"


def _blob(vector: npt.NDArray[np.float32] | None) -> bytes | None:
    """A vector checked by :mod:`~chronomem.engine.store.checks` as a float32 BLOB."""
    return None if vector is None else vector.astype(_F32).tobytes()


def decode_vector(blob: bytes | None) -> npt.NDArray[np.float32] | None:
    """The float32 array stored in ``blob``."""
    if blob is None:
        return None
    return np.frombuffer(blob, dtype=_F32)


def _micros(value: datetime | None) -> int | None:
    return None if value is None else to_micros(value)


def _time(value: int | None) -> datetime | None:
    return None if value is None else from_micros(value)


def _vector_list(blob: bytes | None) -> list[float] | None:
    array = decode_vector(blob)
    if array is None:
        return None
    values: list[float] = array.tolist()
    return values


def episode_row(ep: Episode) -> tuple[Any, ...]:
    """The row of an episode (column order of ``statements.INSERT_EPISODES``)."""
    return (
        ep.uuid,
        ep.group_id,
        ep.source,
        ep.kind.value,
        ep.content,
        to_micros(ep.reference_time),
        to_micros(ep.created_at),
        ep.source_id,
        ep.speaker,
        ep.session,
    )


def episode_vector(episode: Episode, dimension: int) -> bytes | None:
    """The content embedding of an episode as a BLOB (None without one)."""
    return _blob(checks.content_vector(episode, dimension))


def episode_sentence_vectors(episode: Episode, dimension: int) -> list[bytes]:
    """The sentence embeddings of an episode as BLOBs, in order (none without them)."""
    return [vector.astype(_F32).tobytes() for vector in checks.sentence_vectors(episode, dimension)]


def episode_from_row(row: Sequence[Any]) -> Episode:
    """Inverse of :func:`episode_row`; an 11th column, when read, is the embedding."""
    return Episode.model_construct(
        uuid=row[0],
        group_id=row[1],
        source=row[2],
        kind=EpisodeKind(row[3]),
        content=row[4],
        reference_time=from_micros(row[5]),
        created_at=from_micros(row[6]),
        source_id=row[7],
        speaker=row[8],
        session=row[9],
        content_embedding=_vector_list(row[10]) if len(row) > 10 else None,
    )


def entity_row(entity: Entity) -> tuple[Any, ...]:
    """The row of an entity (column order of ``statements.UPSERT_ENTITIES``)."""
    return (
        entity.uuid,
        entity.group_id,
        entity.name,
        json_list(entity.labels),
        json_list(entity.aliases),
        entity.summary,
        to_micros(entity.created_at),
    )


def entity_vector(entity: Entity, dimension: int) -> bytes | None:
    """The name embedding of an entity as a BLOB (None without one)."""
    return _blob(checks.name_vector(entity, dimension))


def entity_from_row(row: Sequence[Any]) -> Entity:
    """Inverse of :func:`entity_row`."""
    return Entity.model_construct(
        uuid=row[0],
        group_id=row[1],
        name=row[2],
        labels=json.loads(row[3]),
        aliases=json.loads(row[4]),
        summary=row[5],
        created_at=from_micros(row[6]),
        name_embedding=_vector_list(row[7]),
    )


def fact_vector(fact: Fact, dimension: int) -> bytes | None:
    """The embedding of a fact as a BLOB (None without one)."""
    return _blob(checks.fact_vector(fact, dimension))


def fact_row(fact: Fact) -> tuple[Any, ...]:
    """The row of a fact (column order of ``statements.UPSERT_FACTS``)."""
    return (
        fact.uuid,
        fact.group_id,
        fact.subject_uuid,
        fact.relation,
        fact.object_uuid,
        fact.fact,
        _micros(fact.valid_at),
        _micros(fact.invalid_at),
        to_micros(fact.created_at),
        _micros(fact.expired_at),
        json_list(fact.episodes),
        json_list(fact.sources),
        fact.confidence,
        fact.invalidated_by,
        fact.invalidated_by_episode,
        fact.lineage,
        json.dumps([to_micros(t) for t in fact.observed_at]),
        offset_minutes(fact.valid_at),
        offset_minutes(fact.invalid_at),
    )


def fact_from_row(row: Sequence[Any]) -> Fact:
    """Inverse of :func:`fact_row`."""
    return Fact.model_construct(
        uuid=row[0],
        group_id=row[1],
        subject_uuid=row[2],
        relation=row[3],
        object_uuid=row[4],
        fact=row[5],
        valid_at=at_offset(_time(row[6]), row[17]),
        invalid_at=at_offset(_time(row[7]), row[18]),
        created_at=from_micros(row[8]),
        expired_at=_time(row[9]),
        episodes=json.loads(row[10]),
        sources=json.loads(row[11]),
        confidence=float(row[12]),
        invalidated_by=row[13],
        invalidated_by_episode=row[14],
        lineage=row[15],
        observed_at=[from_micros(t) for t in json.loads(row[16])],
        fact_embedding=_vector_list(row[19]),
    )
