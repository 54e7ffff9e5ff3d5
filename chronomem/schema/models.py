"""The data model: episodes, entities, facts (bi-temporal) and search results.

Times: ``valid_at``/``invalid_at`` are valid time (when a fact held in the world);
``created_at``/``expired_at`` are transaction time (when the memory believed it). A stored fact
row is never deleted; when the memory's belief about it changes, the row is expired and a new
row with the revised interval is written (see ``chronomem.engine.temporal``).
"""

from __future__ import annotations

import hashlib
import re
import uuid as uuid_lib
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chronomem.errors import InputError
from chronomem.schema.limits import (
    ALIAS_MAX_CHARS,
    ID_MAX_CHARS,
    NAME_MAX_CHARS,
    SOURCE_ID_MAX_CHARS,
    TEXT_MAX_CHARS,
)
from chronomem.schema.time import AwareTime, utcnow

__all__ = [
    "DEFAULT_GROUP",
    "GROUP_ID_CHARS",
    "GROUP_ID_MAX_CHARS",
    "GROUP_ID_PATTERN",
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
    "content_hash",
    "new_uuid",
    "stable_uuid",
]

_NAMESPACE = uuid_lib.UUID("5b0c9f3e-2f7a-4d8e-9c61-0f6c1f0c7d11")


def new_uuid() -> str:
    """A random uuid4 as a string."""
    return str(uuid_lib.uuid4())


def stable_uuid(*parts: str) -> str:
    """A uuid5 derived from ``parts``: the same inputs always give the same id."""
    return str(uuid_lib.uuid5(_NAMESPACE, "\x1f".join(parts)))


def content_hash(*parts: str) -> str:
    """A short, stable SHA-256 hex digest of ``parts`` (used as a source id)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:32]


class EpisodeKind(StrEnum):
    """What an episode holds."""

    MESSAGE = "message"
    TEXT = "text"
    RECORD = "record"


class EntityLabel(StrEnum):
    """Entity types known to the extractor. Users may add labels of their own."""

    PERSON = "Person"
    ORGANIZATION = "Organization"
    PLACE = "Place"
    EVENT = "Event"
    DATE = "Date"
    PRODUCT = "Product"
    CONCEPT = "Concept"


GROUP_ID_CHARS: Final = "A-Za-z0-9_.:@-"
"""The characters of a group id, as a regular-expression character class body."""
GROUP_ID_MAX_CHARS: Final = 128
GROUP_ID_PATTERN: Final = rf"^[{GROUP_ID_CHARS}]{{1,{GROUP_ID_MAX_CHARS}}}$"
"""Group ids: 1-128 letters, digits and ``_ . : @ -`` (they name tenants in every backend)."""
DEFAULT_GROUP: Final = "default"
"""The group used when none is given."""


_GROUP_UNSAFE: Final = re.compile(f"[^{GROUP_ID_CHARS}]")


_HASHED: Final = re.compile(r"@[0-9a-f]{16}$")
_HASH_SUFFIX_CHARS: Final = 17


def as_group_id(text: str) -> str:
    """``text`` made a group id, one to one, so that two texts (conversation ids, in any file
    or run) never share a group. A text that is a group id already stays as it is ("conv-26");
    any other (holding characters a group id cannot hold, or too long) has those replaced by
    "_", is cut, and ends with "@" and 16 hex digits of a hash of the whole text ("user 1" ->
    "user_1@<hash>", which "user_1" and "user/1" never become). "" stays ""."""
    if not text:
        return ""
    if (
        len(text) <= GROUP_ID_MAX_CHARS
        and _GROUP_UNSAFE.search(text) is None
        and _HASHED.search(text) is None
    ):
        return text
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{_GROUP_UNSAFE.sub('_', text)[: GROUP_ID_MAX_CHARS - _HASH_SUFFIX_CHARS]}@{digest}"


def check_group_id(value: str) -> str:
    """``value`` if it is a valid group id, else an :class:`InputError` saying how to fix it."""
    if not isinstance(value, str) or re.fullmatch(GROUP_ID_PATTERN, value) is None:
        raise InputError(
            f"invalid group id {value!r}: use 1-{GROUP_ID_MAX_CHARS} letters, digits or the "
            "characters _ . : @ -"
        )
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Episode(_Model):
    """One unit of input: a chat turn, a text or a business record, at a point in time."""

    uuid: str = Field(default_factory=new_uuid)
    group_id: str = Field(default=DEFAULT_GROUP, pattern=GROUP_ID_PATTERN)
    source: str = Field(
        default="chat", min_length=1, max_length=ID_MAX_CHARS, description="e.g. a chat or table"
    )
    kind: EpisodeKind = EpisodeKind.MESSAGE
    content: str = Field(max_length=TEXT_MAX_CHARS)
    reference_time: AwareTime
    created_at: AwareTime = Field(default_factory=utcnow)
    source_id: str = Field(
        default="",
        max_length=SOURCE_ID_MAX_CHARS,
        description="stable id in its source (turn id, row key) or a content hash",
    )
    speaker: str | None = Field(default=None, max_length=NAME_MAX_CHARS)
    session: str | None = Field(default=None, max_length=NAME_MAX_CHARS)
    content_embedding: list[float] | None = Field(
        default=None,
        repr=False,
        description="embedding of ``speaker: content`` (first person replaced by the speaker's "
        "name), on stores that keep episode vectors",
    )
    sentence_embeddings: list[list[float]] | None = Field(
        default=None,
        repr=False,
        description="embeddings of each sentence (``speaker: sentence``) of a turn of several "
        "sentences, from the same model pass as ``content_embedding``; vector search scores an "
        "episode by the best of its vectors",
    )

    def model_post_init(self, __context: object) -> None:
        if not self.source_id:
            self.source_id = content_hash(
                self.source, self.speaker or "", self.content, self.reference_time.isoformat()
            )


class Entity(_Model):
    """A node: a person, organisation, place, thing or value."""

    uuid: str = Field(default_factory=new_uuid)
    group_id: str = Field(default=DEFAULT_GROUP, pattern=GROUP_ID_PATTERN)
    name: str = Field(min_length=1, max_length=NAME_MAX_CHARS)
    labels: list[Annotated[str, Field(max_length=NAME_MAX_CHARS)]] = Field(default_factory=list)
    aliases: list[Annotated[str, Field(max_length=ALIAS_MAX_CHARS)]] = Field(default_factory=list)
    summary: str = Field(default="", max_length=TEXT_MAX_CHARS)
    created_at: AwareTime = Field(default_factory=utcnow)
    name_embedding: list[float] | None = Field(default=None, repr=False)

    @field_validator("name")
    @classmethod
    def _strip_name(cls, value: str) -> str:
        stripped = " ".join(value.split())
        if not stripped:
            raise ValueError("entity name is blank; give a non-empty name")
        return stripped


class Fact(_Model):
    """An edge ``subject -[relation]-> object`` with its statement, validity and provenance."""

    uuid: str = Field(default_factory=new_uuid)
    group_id: str = Field(default=DEFAULT_GROUP, pattern=GROUP_ID_PATTERN)
    subject_uuid: str
    relation: str = Field(pattern=r"^[A-Z][A-Z0-9_]{0,63}$")
    object_uuid: str
    fact: str = Field(
        min_length=1, max_length=TEXT_MAX_CHARS, description="the natural-language statement"
    )
    valid_at: AwareTime | None = None
    invalid_at: AwareTime | None = None
    created_at: AwareTime = Field(default_factory=utcnow)
    expired_at: AwareTime | None = None
    episodes: list[str] = Field(default_factory=list, description="episode uuids behind it")
    sources: list[str] = Field(
        default_factory=list, description="source ids of those episodes (e.g. dialogue turn ids)"
    )
    observed_at: list[AwareTime] = Field(
        default_factory=list,
        description="the valid-time starts stated by the statements merged into this row",
    )
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)
    invalidated_by: str | None = Field(
        default=None, description="uuid of the fact that closed or expired this one"
    )
    invalidated_by_episode: str | None = None
    lineage: str = Field(default="", description="id shared by every stored version of one fact")
    fact_embedding: list[float] | None = Field(default=None, repr=False)

    def model_post_init(self, __context: object) -> None:
        if not self.lineage:
            self.lineage = self.uuid

    def holds_at(self, moment: datetime) -> bool:
        """Whether the fact is valid at ``moment`` (valid time only)."""
        if self.valid_at is not None and moment < self.valid_at:
            return False
        return self.invalid_at is None or moment < self.invalid_at

    def known_at(self, moment: datetime) -> bool:
        """Whether the memory believed this row at ``moment`` (transaction time)."""
        if moment < self.created_at:
            return False
        return self.expired_at is None or moment < self.expired_at


ResultKind = Literal["fact", "entity", "episode"]


class SearchResult(_Model):
    """One hit of a search: a fact, an entity or an episode, with scores and provenance."""

    kind: ResultKind
    uuid: str
    text: str
    score: float
    group_id: str
    subject: str | None = None
    relation: str | None = None
    object: str | None = None
    valid_at: AwareTime | None = None
    invalid_at: AwareTime | None = None
    created_at: AwareTime | None = None
    expired_at: AwareTime | None = None
    episodes: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    labels: list[str] = Field(default_factory=list)
    reference_time: AwareTime | None = None

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON shape of the CLI and of ``--json`` output."""
        return self.model_dump(mode="json")


class Stats(_Model):
    """Counts of what a memory holds."""

    episodes: int
    entities: int
    facts: int
    current_facts: int
    groups: int
