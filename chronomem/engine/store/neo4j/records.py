"""Conversion between chronomem's schema types and Neo4j parameters/records.

Times are stored as native Neo4j ``DateTime`` values in UTC (so Cypher date filters work in
Neo4j Browser) and come back as timezone-aware UTC datetimes. Episodes keep graphiti-core's
meaning of ``source`` (an ``EpisodeType``: message, text or json) and store chronomem's source
name (a chat or table name) in ``source_description``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from chronomem.engine.store import checks
from chronomem.engine.store.neo4j.cypher import NODE_LABELS
from chronomem.errors import InputError, IntegrityError
from chronomem.schema import (
    Entity,
    Episode,
    EpisodeKind,
    Fact,
    at_offset,
    content_hash,
    name_key,
    offset_minutes,
    stable_uuid,
)

__all__ = [
    "entity_from_record",
    "entity_params",
    "episode_from_record",
    "episode_params",
    "fact_from_record",
    "fact_params",
    "fact_update_params",
    "from_db_time",
    "mention_params",
    "to_db_time",
]

# chronomem's episode kinds as graphiti-core EpisodeType values, and back.
_GRAPHITI_SOURCE: Final = {
    EpisodeKind.MESSAGE: "message",
    EpisodeKind.TEXT: "text",
    EpisodeKind.RECORD: "json",
}
_KIND_OF_SOURCE: Final = {value: kind for kind, value in _GRAPHITI_SOURCE.items()}


def to_db_time(value: datetime | None) -> datetime | None:
    """A tz-aware datetime as the UTC value stored in Neo4j (None stays None)."""
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputError(f"naive datetime {value.isoformat()!r}; give a timezone-aware value")
    return value.astimezone(UTC)


def from_db_time(value: object) -> datetime | None:
    """A Neo4j ``DateTime`` (or a datetime, or the text of one as Cypher's ``toString`` gives
    it: ``2024-01-01T10:00:00.5Z``, ``...+02:00[Europe/Paris]``) as a tz-aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        native: object = _parsed_time(value)
    else:
        to_native = getattr(value, "to_native", None)
        native = to_native() if callable(to_native) else value
    if not isinstance(native, datetime):
        raise IntegrityError(f"stored time has type {type(value).__name__}, expected DateTime")
    if native.tzinfo is None:
        raise IntegrityError(
            f"stored time {native.isoformat()} has no timezone; chronomem stores zoned "
            "DateTime values (a LocalDateTime was written by another tool?)"
        )
    return native.astimezone(UTC)


def _parsed_time(text: str) -> datetime:
    """The datetime of ``toString(time)`` (a named zone after the offset is dropped: the
    offset gives the instant)."""
    try:
        return datetime.fromisoformat(text.split("[", 1)[0])
    except ValueError:
        raise IntegrityError(f"stored time {text!r} is not a DateTime") from None


def _required_time(value: object, what: str) -> datetime:
    converted = from_db_time(value)
    if converted is None:
        raise IntegrityError(f"stored {what} has no time")
    return converted


def _stored(vector: npt.NDArray[np.float32] | None) -> list[float] | None:
    """An embedding checked by :mod:`~chronomem.engine.store.checks`, as stored: float32
    precision (as in the embedded store)."""
    if vector is None:
        return None
    stored: list[float] = vector.astype(np.float64).tolist()
    return stored


# ---------------------------------------------------------------------------------- episodes


def episode_source_key(episode: Episode) -> str:
    """One value for an episode's ``(group_id, source, source_id)``, which a uniqueness
    constraint keeps unique: two episodes with one source id cannot both be stored."""
    return content_hash(episode.group_id, episode.source, episode.source_id)


def episode_params(episode: Episode, dimension: int) -> dict[str, Any]:
    """The row of ``WRITE_EPISODES`` for ``episode``."""
    return {
        "content_embedding": _stored(checks.content_vector(episode, dimension)),
        "sentence_embeddings": [
            _stored(vector) for vector in checks.sentence_vectors(episode, dimension)
        ],
        "uuid": episode.uuid,
        "group_id": episode.group_id,
        "name": f"{episode.source}:{episode.source_id}",
        "source": _GRAPHITI_SOURCE[episode.kind],
        "source_description": episode.source,
        "kind": episode.kind.value,
        "content": episode.content,
        "valid_at": to_db_time(episode.reference_time),
        "created_at": to_db_time(episode.created_at),
        "source_id": episode.source_id,
        "source_key": episode_source_key(episode),
        "speaker": episode.speaker,
        "session": episode.session,
    }


def episode_from_record(record: Mapping[str, Any]) -> Episode:
    """An :class:`Episode` from an ``EPISODE_RETURN`` row (a ``GET_EPISODES`` row also holds
    its ``sentence_embeddings``, in order; an empty list is an episode without them)."""
    graphiti_source = record.get("source") or "text"
    kind = record.get("kind") or _KIND_OF_SOURCE.get(graphiti_source, EpisodeKind.TEXT)
    return Episode(
        uuid=record["uuid"],
        group_id=record["group_id"],
        source=record.get("source_description") or graphiti_source,
        kind=EpisodeKind(kind),
        content=record.get("content") or "",
        reference_time=_required_time(record.get("valid_at"), "episode valid_at"),
        created_at=_required_time(record.get("created_at"), "episode created_at"),
        source_id=record.get("source_id") or "",
        speaker=record.get("speaker"),
        session=record.get("session"),
        content_embedding=record.get("content_embedding"),
        sentence_embeddings=record.get("sentence_embeddings") or None,
    )


# ---------------------------------------------------------------------------------- entities


def entity_params(entity: Entity, dimension: int) -> dict[str, Any]:
    """The row of ``WRITE_ENTITIES`` for ``entity``."""
    return {
        "uuid": entity.uuid,
        "group_id": entity.group_id,
        "name": entity.name,
        "name_key": name_key(entity.name),
        "labels": list(entity.labels),
        "aliases": list(entity.aliases),
        "alias_keys": sorted({name_key(a) for a in entity.aliases if a.strip()}),
        "summary": entity.summary,
        "created_at": to_db_time(entity.created_at),
        "name_embedding": _stored(checks.name_vector(entity, dimension)),
    }


def entity_from_record(record: Mapping[str, Any]) -> Entity:
    """An :class:`Entity` from an ``ENTITY_RETURN`` row."""
    labels = record.get("labels")
    if labels is None:  # a node written by another tool: its node labels are its types
        labels = [x for x in record.get("node_labels") or [] if x in NODE_LABELS]
    embedding = record.get("name_embedding")
    return Entity(
        uuid=record["uuid"],
        group_id=record["group_id"],
        name=record["name"],
        labels=list(labels),
        aliases=list(record.get("aliases") or []),
        summary=record.get("summary") or "",
        created_at=_required_time(record.get("created_at"), "entity created_at"),
        name_embedding=None if embedding is None else [float(v) for v in embedding],
    )


# ------------------------------------------------------------------------------------ facts


def fact_params(fact: Fact, dimension: int) -> dict[str, Any]:
    """The row of ``CREATE_FACTS`` for ``fact``: its ends and its relationship properties
    (None values left out: Neo4j stores no nulls)."""
    props = {
        "uuid": fact.uuid,
        "group_id": fact.group_id,
        "name": fact.relation,
        "fact": fact.fact,
        "fact_embedding": _stored(checks.fact_vector(fact, dimension)),
        "episodes": list(fact.episodes),
        "valid_at": to_db_time(fact.valid_at),
        "invalid_at": to_db_time(fact.invalid_at),
        "created_at": to_db_time(fact.created_at),
        "expired_at": to_db_time(fact.expired_at),
        "sources": list(fact.sources),
        "observed_at": [to_db_time(t) for t in fact.observed_at],
        "confidence": fact.confidence,
        "lineage": fact.lineage,
        "invalidated_by": fact.invalidated_by,
        "invalidated_by_episode": fact.invalidated_by_episode,
        "valid_offset": offset_minutes(fact.valid_at),
        "invalid_offset": offset_minutes(fact.invalid_at),
    }
    return {
        "uuid": fact.uuid,
        "subject_uuid": fact.subject_uuid,
        "object_uuid": fact.object_uuid,
        "props": {key: value for key, value in props.items() if value is not None},
    }


def fact_update_params(fact: Fact) -> dict[str, Any]:
    """The row of ``UPDATE_FACTS``: the mutable fields of a stored fact row."""
    return {
        "uuid": fact.uuid,
        "group_id": fact.group_id,
        "expired_at": to_db_time(fact.expired_at),
        "invalidated_by": fact.invalidated_by,
        "invalidated_by_episode": fact.invalidated_by_episode,
        "episodes": list(fact.episodes),
        "sources": list(fact.sources),
        "observed_at": [to_db_time(t) for t in fact.observed_at],
        "confidence": fact.confidence,
    }


def fact_from_record(record: Mapping[str, Any]) -> Fact:
    """A :class:`Fact` from a ``FACT_RETURN`` row."""
    embedding = record.get("fact_embedding")
    confidence = record.get("confidence")
    return Fact(
        uuid=record["uuid"],
        group_id=record["group_id"],
        subject_uuid=record["subject_uuid"],
        relation=record["relation"],
        object_uuid=record["object_uuid"],
        fact=record["fact"],
        valid_at=at_offset(from_db_time(record.get("valid_at")), record.get("valid_offset")),
        invalid_at=at_offset(from_db_time(record.get("invalid_at")), record.get("invalid_offset")),
        created_at=_required_time(record.get("created_at"), "fact created_at"),
        expired_at=from_db_time(record.get("expired_at")),
        episodes=list(record.get("episodes") or []),
        sources=list(record.get("sources") or []),
        observed_at=[
            _required_time(t, "fact observed_at") for t in record.get("observed_at") or []
        ],
        confidence=1.0 if confidence is None else float(confidence),
        invalidated_by=record.get("invalidated_by"),
        invalidated_by_episode=record.get("invalidated_by_episode"),
        lineage=record.get("lineage") or "",
        fact_embedding=None if embedding is None else [float(v) for v in embedding],
    )


# --------------------------------------------------------------------------------- mentions


def mention_params(episode_uuid: str, entity_uuid: str) -> dict[str, str]:
    """The row of ``WRITE_MENTIONS``; the relationship uuid is derived from its ends."""
    return {
        "episode": episode_uuid,
        "entity": entity_uuid,
        "uuid": stable_uuid("mentions", episode_uuid, entity_uuid),
    }
