"""What an extractor produces, and the protocol every extractor implements.

An extractor reads episodes and proposes *candidates*: entity mentions and facts named by
surface strings. It never touches the store: entity resolution maps names to stored entities
and the temporal resolver decides what becomes of each candidate fact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, Protocol, runtime_checkable

from chronomem.language.vocabulary import Scope
from chronomem.schema import Episode

__all__ = ["CandidateFact", "EntityMention", "Extraction", "Extractor"]


@dataclass(frozen=True, slots=True)
class EntityMention:
    """An entity named in an episode: its surface name and type label (e.g. "Person").

    ``key`` is an authoritative identifier from the source (a record's entity key, e.g. a
    customer id): mentions with a key resolve by the key alone, never by name similarity, and
    their name is kept exactly as given.

    ``exact``: the mention is a value (a record's cell, e.g. a job title or a price): it is
    the same entity as a known one only when their names are equal after normalisation, never
    by fuzzy or embedding similarity ("Payroll Manager" is not "Payroll Specialist").
    """

    name: str
    label: str
    is_speaker: bool = False
    key: str | None = None
    exact: bool = False


# The relation of an ending or retraction that names a value but no relation ("I'm not in
# The Lorikeets anymore"): matched against every state of the holder about it, never stored.
ANY_RELATION: Final = "ENDS"


@dataclass(frozen=True, slots=True)
class CandidateFact:
    """A fact proposed by an extractor.

    ``relation`` is normalised (``WORKS_AT``, ``LIVES_IN``...). ``fact`` is the clause it came
    from, readable on its own (first person replaced by the speaker's name where possible).
    ``valid_at``/``invalid_at`` come from temporal expressions; when both are ``None`` the
    fact is taken as valid from the episode's reference time.
    ``ends``: the statement says the relation stopped holding ("I left Acme"): it closes an
    interval at ``invalid_at`` (or at the episode time) instead of opening one.
    ``retracts``: the statement says an earlier belief was wrong ("actually I never moved"):
    matching facts are expired in transaction time, the world is not said to have changed.
    ``scope`` of an ending or a retraction: ``fact`` (this relation and object), ``object``
    (every state of the subject about this object, whatever the relation: "I sold the Mazda"
    ends ``DRIVES Mazda 3``) or ``slot`` (the subject's current value of ``relation``, whatever
    it is: "I retired"; the object is a placeholder and is never stored).
    """

    episode_uuid: str
    subject: EntityMention
    relation: str
    object: EntityMention
    fact: str
    valid_at: datetime | None = None
    invalid_at: datetime | None = None
    ends: bool = False
    retracts: bool = False
    confidence: float = 1.0
    scope: Scope = "fact"


@dataclass(slots=True)
class Extraction:
    """Everything extracted from one episode."""

    episode_uuid: str
    entities: list[EntityMention] = field(default_factory=list)
    facts: list[CandidateFact] = field(default_factory=list)


@runtime_checkable
class Extractor(Protocol):
    """Turns episodes into candidate entities and facts.

    ``episodes`` arrive in conversation order, so an extractor may use earlier turns as
    context (who the addressee is, who "she" refers to). The result has one
    :class:`Extraction` per episode, in the same order.
    """

    @property
    def name(self) -> str: ...

    def extract(self, episodes: Sequence[Episode]) -> list[Extraction]: ...
