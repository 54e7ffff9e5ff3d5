"""Pydantic models and time helpers; depends on nothing else in chronomem."""

from chronomem.schema.models import (
    DEFAULT_GROUP,
    GROUP_ID_CHARS,
    GROUP_ID_MAX_CHARS,
    GROUP_ID_PATTERN,
    Entity,
    EntityLabel,
    Episode,
    EpisodeKind,
    Fact,
    ResultKind,
    SearchResult,
    Stats,
    as_group_id,
    check_group_id,
    content_hash,
    new_uuid,
    stable_uuid,
)
from chronomem.schema.names import name_key
from chronomem.schema.rendering import speaker_line
from chronomem.schema.time import AwareTime, check_time, from_micros, parse_time, to_micros, utcnow

__all__ = [
    "DEFAULT_GROUP",
    "GROUP_ID_CHARS",
    "GROUP_ID_MAX_CHARS",
    "GROUP_ID_PATTERN",
    "AwareTime",
    "Entity",
    "EntityLabel",
    "Episode",
    "EpisodeKind",
    "Fact",
    "ResultKind",
    "SearchResult",
    "Stats",
    "as_group_id",
    "check_group_id",
    "check_time",
    "content_hash",
    "from_micros",
    "name_key",
    "new_uuid",
    "parse_time",
    "speaker_line",
    "stable_uuid",
    "to_micros",
    "utcnow",
]
