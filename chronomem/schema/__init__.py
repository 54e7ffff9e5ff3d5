"""Pydantic models and time helpers; depends on nothing else in chronomem."""

from chronomem.schema.models import (
    Entity,
    EntityLabel,
    Episode,
    EpisodeKind,
    Fact,
    ResultKind,
    SearchResult,
    Stats,
    content_hash,
    new_uuid,
    stable_uuid,
)
from chronomem.schema.time import AwareTime, from_micros, parse_time, to_micros, utcnow

__all__ = [
    "AwareTime",
    "Entity",
    "EntityLabel",
    "Episode",
    "EpisodeKind",
    "Fact",
    "ResultKind",
    "SearchResult",
    "Stats",
    "content_hash",
    "from_micros",
    "new_uuid",
    "parse_time",
    "stable_uuid",
    "to_micros",
    "utcnow",
]
