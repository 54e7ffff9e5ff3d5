"""Turning stored objects into :class:`SearchResult` values, with names and provenance."""

from __future__ import annotations

from collections.abc import Mapping

from chronomem.schema import Entity, Episode, Fact, SearchResult, speaker_line, stated_name

__all__ = ["entity_result", "episode_result", "fact_result"]


def fact_result(fact: Fact, score: float, entities: Mapping[str, Entity]) -> SearchResult:
    """A fact as a result (of a search, or of a listing scored by confidence); subject and
    object are given by name, from ``entities`` (uuid -> entity), or None when the entity is
    not there: a name field never holds a uuid (the context builder then leaves out the
    "subject relation object" triple and keeps the statement). The object of a fact about its
    subject itself (a record's name fact) is the name it states, not today's name."""
    subject = entities.get(fact.subject_uuid)
    obj = entities.get(fact.object_uuid)
    own = stated_name(fact.fact) if fact.object_uuid == fact.subject_uuid else None
    return SearchResult(
        kind="fact",
        uuid=fact.uuid,
        text=fact.fact,
        score=score,
        group_id=fact.group_id,
        subject=subject.name if subject is not None else None,
        relation=fact.relation,
        object=own or (obj.name if obj is not None else None),
        valid_at=fact.valid_at,
        invalid_at=fact.invalid_at,
        created_at=fact.created_at,
        expired_at=fact.expired_at,
        episodes=list(fact.episodes),
        sources=list(fact.sources),
    )


def entity_result(entity: Entity, score: float) -> SearchResult:
    """An entity hit: its name, and its summary when it has one."""
    text = f"{entity.name}: {entity.summary}" if entity.summary else entity.name
    return SearchResult(
        kind="entity",
        uuid=entity.uuid,
        text=text,
        score=score,
        group_id=entity.group_id,
        created_at=entity.created_at,
        labels=list(entity.labels),
    )


def episode_result(episode: Episode, score: float) -> SearchResult:
    """An episode hit; its source is the episode's own ``source_id`` (e.g. a turn id)."""
    return SearchResult(
        kind="episode",
        uuid=episode.uuid,
        text=speaker_line(episode.speaker, episode.content),
        score=score,
        group_id=episode.group_id,
        created_at=episode.created_at,
        episodes=[episode.uuid],
        sources=[episode.source_id],
        reference_time=episode.reference_time,
    )
