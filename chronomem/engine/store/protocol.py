"""The storage protocol every backend implements, in terms of schema types only.

A backend is a *graph store*: it persists episodes, entities and fact rows, and answers the
small set of reads the engine and the query layer need. Fact rows are immutable except for
``expired_at``/``invalidated_by*`` and provenance extension: a backend never deletes, except
when told to erase (:meth:`GraphStore.erase`, the right to be forgotten). The temporal
resolver, not the backend, decides what to expire and what to write.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, Literal, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from chronomem.schema import Entity, Episode, Fact, Stats

__all__ = [
    "GROUP_LOCK_WAIT_S",
    "SENTENCES_PER_EPISODE",
    "Erasure",
    "FactFilter",
    "GraphStore",
    "IndexSearch",
    "ScoredId",
    "StoreCapabilities",
    "TextTarget",
    "VectorTarget",
    "WriteBatch",
    "assemble_dump",
    "best_of_turns_and_sentences",
    "entity_revision_key",
    "search_one_by_one",
]

TextTarget = Literal["fact", "entity", "episode"]
VectorTarget = Literal["fact", "entity", "episode"]
ScoredId = tuple[str, float]
"""A uuid and a score (higher is better)."""

GROUP_LOCK_WAIT_S: Final = 600.0
"""How long a writer waits for another process's write lock on a group by default."""

SENTENCES_PER_EPISODE: Final = 3
"""Episode vector search reads at least this many of the group's nearest sentence vectors per
episode asked for (a turn often has several among the nearest); turn vectors fill the rest."""


@dataclass(frozen=True, slots=True)
class StoreCapabilities:
    """What a backend does differently; the core adapts, it never asks which backend it has.

    Tests too branch on these, never on a backend's name."""

    server: bool = False
    """Whether the store is a server that every process connects to: each call is a network
    round trip, and the data outlives the process and is shared by everyone (and every test)
    that connects, so tenants are kept apart by group id, never by wiping."""
    entity_revisions: bool = False
    """Whether every write that touches a group's entities changes the setting
    :func:`entity_revision_key` of that group (in the same transaction): a cheap way for
    readers to know whether what they derived from the entities is still current."""
    reopenable: bool = False
    """Whether what the store holds outlives the store object, so the same memory can be
    opened again, also with ``read_only=True``: a reader whose every write method
    (``write``, ``erase``, ``set_meta``, ``lock_group``) refuses with a
    :class:`~chronomem.errors.StoreError` before touching anything."""
    episode_vectors: bool = False
    """Whether the store keeps episode embeddings (``Episode.content_embedding``) and answers
    :meth:`GraphStore.vector` for the "episode" target; writers embed episodes only then."""


def entity_revision_key(group_id: str) -> str:
    """The setting (:meth:`GraphStore.get_meta`) whose value changes with every write touching
    the entities of ``group_id``, in stores with ``StoreCapabilities.entity_revisions``."""
    return f"entity_revision:{group_id}"


@dataclass(slots=True)
class WriteBatch:
    """Everything one ingest step writes, applied atomically by :meth:`GraphStore.write`.

    ``episodes`` are inserted (an episode whose ``(group_id, source, source_id)`` exists already
    is skipped). ``entities`` and ``facts`` are upserted by uuid: a known uuid gets its mutable
    fields replaced (entity name/labels/aliases/summary/embedding, so a rename keeps the old
    name findable only as an alias the caller lists; fact ``expired_at``,
    ``invalidated_by``, ``invalidated_by_episode``, ``episodes``, ``sources``, ``confidence``).
    """

    episodes: list[Episode] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    mentions: list[tuple[str, str]] = field(default_factory=list)
    """(episode uuid, entity uuid) pairs: which episode mentions which entity."""

    def __bool__(self) -> bool:
        return bool(self.episodes or self.entities or self.facts or self.mentions)


@dataclass(slots=True)
class Erasure:
    """What :meth:`GraphStore.erase` removes from one group, in one transaction.

    ``episodes``, ``entities`` and ``facts`` are uuids of rows to delete with everything that
    hangs on them (mentions, vectors, sentence vectors, full-text entries); the caller lists
    every fact row touching an erased entity. ``updated_facts`` are rows kept with the erased
    provenance taken out (upserted like :attr:`WriteBatch.facts`) and with their valid-time
    interval recomputed without the erased statements: unlike a write, an erasure also
    replaces a kept row's ``valid_at`` and ``invalid_at`` (the dates the erased text gave must
    not stay, not even in an expired version). ``updated_entities`` are
    entities kept without the aliases only erased text held (upserted like
    :attr:`WriteBatch.entities`). ``settings`` are keys of :meth:`GraphStore.get_meta` to
    delete."""

    group_id: str
    episodes: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    updated_facts: list[Fact] = field(default_factory=list)
    updated_entities: list[Entity] = field(default_factory=list)
    settings: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(
            self.episodes
            or self.entities
            or self.facts
            or self.updated_facts
            or self.updated_entities
            or self.settings
        )


@dataclass(frozen=True, slots=True)
class FactFilter:
    """Which fact rows a read may return.

    - ``known_at``: transaction time. ``None`` means "what the memory believes now" (rows not
      expired); otherwise rows with ``created_at <= known_at < expired_at``.
    - ``as_of``: valid time. Only facts valid at that instant (``valid_at <= as_of <
      invalid_at``, open ends unbounded).
    - ``current_only``: with ``as_of`` unset, keep only facts whose ``invalid_at`` is unset or
      later than now.
    - ``valid_from``/``valid_to``: keep facts whose validity overlaps ``[valid_from, valid_to)``.
    - ``relations``/``subject_uuids``/``object_uuids``: restrict by edge ends and relation.
    - ``episode_uuids``: keep facts extracted from at least one of these episodes (provenance).
    - ``entity_uuids``: keep facts with one of these entities at either end.
    """

    as_of: datetime | None = None
    known_at: datetime | None = None
    current_only: bool = False
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    relations: tuple[str, ...] | None = None
    subject_uuids: tuple[str, ...] | None = None
    object_uuids: tuple[str, ...] | None = None
    episode_uuids: tuple[str, ...] | None = None
    entity_uuids: tuple[str, ...] | None = None

    def accepts(self, fact: Fact, now: datetime) -> bool:
        """Reference semantics of the filter, used by tests and by in-memory backends."""
        if self.known_at is None:
            if fact.expired_at is not None:
                return False
        elif not fact.known_at(self.known_at):
            return False
        if self.as_of is not None:
            if not fact.holds_at(self.as_of):
                return False
        elif self.current_only and fact.invalid_at is not None and fact.invalid_at <= now:
            return False
        if (
            self.valid_from is not None
            and fact.invalid_at is not None
            and fact.invalid_at <= self.valid_from
        ):
            return False
        if (
            self.valid_to is not None
            and fact.valid_at is not None
            and fact.valid_at >= self.valid_to
        ):
            return False
        if self.relations is not None and fact.relation not in self.relations:
            return False
        if self.subject_uuids is not None and fact.subject_uuid not in self.subject_uuids:
            return False
        if self.object_uuids is not None and fact.object_uuid not in self.object_uuids:
            return False
        if self.entity_uuids is not None and not (
            fact.subject_uuid in self.entity_uuids or fact.object_uuid in self.entity_uuids
        ):
            return False
        return self.episode_uuids is None or any(e in self.episode_uuids for e in fact.episodes)


@dataclass(frozen=True, eq=False)
class IndexSearch:
    """One index lookup of a search: full text over ``target`` (``text`` given, as
    :meth:`GraphStore.fulltext`) or vectors (``embedding`` given, as :meth:`GraphStore.vector`)."""

    target: TextTarget
    limit: int
    where: FactFilter
    text: str | None = None
    embedding: npt.NDArray[np.float32] | None = None

    def __post_init__(self) -> None:
        if (self.text is None) == (self.embedding is None):
            raise ValueError("an IndexSearch takes either text or an embedding")


@runtime_checkable
class GraphStore(Protocol):
    """The storage protocol. Every method is scoped to one ``group_id`` (tenant)."""

    @property
    def capabilities(self) -> StoreCapabilities: ...

    def write(self, batch: WriteBatch) -> None:
        """Apply a batch atomically: all of it is stored, or none of it."""

    def get_episodes(
        self, group_id: str, uuids: Sequence[str], *, vectors: bool = True
    ) -> list[Episode]:
        """Episodes by uuid (unknown uuids are left out), in no particular order. Without
        ``vectors`` their ``content_embedding`` and ``sentence_embeddings`` are not read (None):
        search needs only the text, and vectors are most of what an episode weighs."""

    def known_sources(self, group_id: str, source: str, source_ids: Sequence[str]) -> set[str]:
        """Which of ``source_ids`` of ``source`` are stored already (idempotent ingest)."""

    def get_entities(
        self, group_id: str, uuids: Sequence[str], *, vectors: bool = True
    ) -> list[Entity]:
        """Entities by uuid (unknown uuids are left out). Here and below, without ``vectors``
        the embeddings are not read (None): search reads only text, and a vector is most of
        what a row weighs."""

    def find_entities(
        self,
        group_id: str,
        names: Sequence[str] | None = None,
        labels: Sequence[str] | None = None,
        *,
        vectors: bool = True,
    ) -> list[Entity]:
        """Entities whose name or an alias equals one of ``names`` (case-insensitive, spaces
        folded); all entities of the group when ``names`` is None; optionally restricted to
        entities carrying one of ``labels``."""

    def get_facts(self, group_id: str, uuids: Sequence[str], *, vectors: bool = True) -> list[Fact]:
        """Fact rows by uuid, expired or not (unknown uuids are left out)."""

    def list_facts(
        self, group_id: str, where: FactFilter, limit: int | None = None, *, vectors: bool = True
    ) -> list[Fact]:
        """Fact rows passing ``where``, ordered by ``valid_at`` (unknown first) then creation."""

    def fulltext(
        self, group_id: str, query: str, target: TextTarget, limit: int, where: FactFilter
    ) -> list[ScoredId]:
        """BM25-style full-text hits, best first. ``where`` applies to facts only. The query is
        plain user text: backends must neutralise their query syntax (FTS5, Lucene)."""

    def vector(
        self,
        group_id: str,
        embedding: npt.NDArray[np.float32],
        target: VectorTarget,
        limit: int,
        where: FactFilter,
    ) -> list[ScoredId]:
        """Nearest neighbours by cosine similarity, best first (an index, not a scan where the
        backend has one). ``where`` applies to facts only. A store without
        ``capabilities.episode_vectors`` returns no episodes."""

    def searches(self, group_id: str, searches: Sequence[IndexSearch]) -> list[list[ScoredId]]:
        """The hits of each search, as :meth:`fulltext` and :meth:`vector` give them, in
        order. A server store sends them together (one statement, one round trip); the
        others run them one by one (:func:`search_one_by_one`)."""

    def pinned(self, group_id: str) -> GraphStore:
        """A view of this store for the reads of one search of ``group_id``. A store may
        answer the view's reads of the group from a copy it verified current at the view's
        index searches (one state for the whole search, and no round trip per read); a
        store without such a copy returns itself."""

    def neighbors(
        self,
        group_id: str,
        entity_uuids: Sequence[str],
        where: FactFilter,
        limit: int = 1000,
        *,
        vectors: bool = True,
    ) -> list[Fact]:
        """Fact rows passing ``where`` with one of ``entity_uuids`` as subject or object."""

    def mentions(self, group_id: str, episode_uuids: Sequence[str]) -> dict[str, list[str]]:
        """For each episode uuid, the entity uuids it mentions."""

    def adjacent_episodes(
        self, group_id: str, episode_uuids: Sequence[str], before: int = 1, after: int = 1
    ) -> dict[str, list[Episode]]:
        """For each episode, up to ``before`` episodes of the same source and session just
        before it and ``after`` just after it (by ``reference_time``), in time order, without
        their vectors (as ``get_episodes(..., vectors=False)``); episodes with none (or
        unknown) are left out. Search reads them as conversation context: an answer often
        sits one turn away from the words a question shares with the conversation."""

    def stats(self, group_id: str | None = None) -> Stats:
        """Counts, for one group or (``None``) the whole memory."""

    def groups(self) -> list[str]:
        """Every group id that holds anything, sorted."""

    def dump(self, group_id: str) -> WriteBatch:
        """Everything of one group, expired fact rows included, as a batch that another store's
        :meth:`write` reproduces exactly (used to copy a memory between backends)."""

    def lock_group(
        self, group_id: str, *, timeout: float = GROUP_LOCK_WAIT_S
    ) -> AbstractContextManager[None]:
        """Hold the write lock of ``group_id`` for the ``with`` block: writers of one group
        (in any process) take turns, so what one resolves against is what the others wrote.
        A server store enforces it in the database (a lease renewed while held, that expires
        if its holder dies); a store with one writing process (the embedded store's file
        lock) or one process needs nothing more. Waits at most ``timeout`` seconds, then
        raises :class:`~chronomem.errors.MemoryLockedError`."""

    def erase(self, erasure: Erasure) -> None:
        """Delete what ``erasure`` lists, atomically, so that no read, index or search finds
        it again; a store that keeps files leaves none of the erased text in them."""

    def get_meta(self, key: str) -> str | None:
        """A memory-wide setting (e.g. the embedder's name), or None."""

    def set_meta(self, key: str, value: str) -> None:
        """Store a memory-wide setting."""

    def close(self) -> None:
        """Release resources; the store must not be used afterwards."""


def search_one_by_one(
    store: GraphStore, group_id: str, searches: Sequence[IndexSearch]
) -> list[list[ScoredId]]:
    """:meth:`GraphStore.searches` through the store's own :meth:`~GraphStore.fulltext` and
    :meth:`~GraphStore.vector`, one call each."""
    found: list[list[ScoredId]] = []
    for search in searches:
        if search.embedding is not None:
            hits = store.vector(
                group_id, search.embedding, search.target, search.limit, search.where
            )
        else:
            hits = store.fulltext(
                group_id, search.text or "", search.target, search.limit, search.where
            )
        found.append(hits)
    return found


def best_of_turns_and_sentences(
    turns: Sequence[ScoredId], sentences: Sequence[ScoredId], limit: int
) -> list[ScoredId]:
    """Episodes by the best score of their turn and sentence vectors, best first (ties in the
    order found: turn hits, then episodes found by a sentence only), at most ``limit``."""
    best = dict(turns)
    for uuid, score in sentences:
        if score > best.get(uuid, float("-inf")):
            best[uuid] = score
    return sorted(best.items(), key=lambda hit: -hit[1])[:limit]


def assemble_dump(
    store: GraphStore, group_id: str, episode_uuids: Sequence[str], fact_uuids: Sequence[str]
) -> WriteBatch:
    """The :meth:`GraphStore.dump` of a group, given the uuids of all its episodes and fact
    rows (each backend lists those its own way; the rest is read through the protocol)."""
    mentions = store.mentions(group_id, episode_uuids)
    return WriteBatch(
        episodes=store.get_episodes(group_id, episode_uuids),
        entities=store.find_entities(group_id),
        facts=store.get_facts(group_id, fact_uuids),
        mentions=[(ep, ent) for ep in episode_uuids for ent in mentions.get(ep, [])],
    )
