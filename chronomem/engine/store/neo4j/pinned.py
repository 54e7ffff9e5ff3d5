"""The reads of one search, answered from the client's copy of a small group when the search's
own index searches found that copy current (:meth:`Neo4jStore.pinned`).

A search on Neo4j makes about a dozen reads after its index searches (the facts of the best
episodes, the turns around them, the episodes, facts and entities of the results): each a
round trip, and on a LoCoMo conversation most of the server's CPU per search. A group small
enough for the vector cache (:mod:`.vector_cache`) is held in the client with its episodes,
entities and fact rows (without vectors), stamped with the group's vector revision and
counts. Every index search through a :class:`PinnedReads` view reads the group's stamp in its
own statement; once one has found the held copy current (and none found otherwise), the view
answers ``get_episodes``, ``get_entities``, ``get_facts``, ``list_facts``, ``neighbors``,
``adjacent_episodes`` (all without vectors) and the fact vector searches from that copy,
with no statement. A fact search that comes while index searches are under way (the graph
generator's, sent beside them) waits for them when the store holds a copy of the group.

So the search reads one state of the group: the one its index searches saw (without the
view, a write committing between two of its reads shows in the later one only). A write
through the view, or an index search that finds the stamp changed (or no copy held), ends the
pin for the rest of the search: reads then go to the server. Everything else goes to the
store.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final, TypeVar

import numpy as np
import numpy.typing as npt

from chronomem.engine.store import checks
from chronomem.engine.store.neo4j.vector_cache import GroupVectors
from chronomem.engine.store.protocol import (
    GROUP_LOCK_WAIT_S,
    Erasure,
    FactFilter,
    GraphStore,
    IndexSearch,
    ScoredId,
    StoreCapabilities,
    TextTarget,
    VectorTarget,
    WriteBatch,
)
from chronomem.schema import Entity, Episode, Fact, Stats, utcnow

if TYPE_CHECKING:
    from chronomem.engine.store.neo4j.store import Neo4jStore

__all__ = ["PinnedReads", "in_request_order"]

_EARLIEST: Final = datetime.min.replace(tzinfo=UTC)
_WAIT_S: Final = 30.0
"""At most this long a fact search waits for the index searches under way (a bound: they
finish or fail within the driver's own timeouts)."""

T = TypeVar("T")


class PinnedReads:
    """A :class:`Neo4jStore` for the reads of one search of ``group_id`` (see the module).
    Thread-safe as the store is: the search's worker threads share it."""

    def __init__(self, store: Neo4jStore, group_id: str) -> None:
        self._store = store
        self._group = group_id
        self._held: GroupVectors | None = None
        self._ended = False  # an index search found no current copy: no pin from then on
        self._stamping = 0  # index searches under way that read the group's stamp
        self._settled = threading.Condition()

    def _verified(self, held: GroupVectors | None) -> None:
        """What an index search through the view found: the group's copy, current at its
        statement, or ``None`` (none held, or written since). Once one found none, the view
        stays unpinned: index searches sent side by side may finish in any order, and one
        that saw the group changed must not be followed by a pin to the copy before."""
        with self._settled:  # one verdict at a time: an end is never followed by a pin
            if held is None or self._ended:
                self._ended = True
                self._held = None
            else:
                self._held = held

    def _copy(self, group_id: str) -> GroupVectors | None:
        """The group's copy, when the view is pinned to it."""
        return self._held if group_id == self._group else None

    @property
    def capabilities(self) -> StoreCapabilities:
        return self._store.capabilities

    # ---------------------------------------------------------------- index searches

    def searches(self, group_id: str, searches: Sequence[IndexSearch]) -> list[list[ScoredId]]:
        if group_id != self._group:
            return self._store.searches(group_id, searches)
        stamping = any(search.embedding is not None for search in searches)
        if stamping:
            with self._settled:
                self._stamping += 1
        try:
            return self._store._answer(group_id, searches, self._verified)
        finally:
            if stamping:
                with self._settled:
                    self._stamping -= 1
                    self._settled.notify_all()

    def _pinned_soon(self, group_id: str) -> GroupVectors | None:
        """The group's copy, if the view is pinned to it, or will be once the index searches
        under way have read the stamp (waited for when the store holds a copy of the group:
        the search sent beside them, usually the graph generator's, is then answered here
        instead of by a statement of its own)."""
        if group_id != self._group or self._ended:
            return self._copy(group_id)
        if self._held is None and self._store._holds_copy(group_id):
            with self._settled:
                self._settled.wait_for(lambda: self._stamping == 0, timeout=_WAIT_S)
        return self._copy(group_id)

    def fulltext(
        self, group_id: str, query: str, target: TextTarget, limit: int, where: FactFilter
    ) -> list[ScoredId]:
        search = IndexSearch(target=target, limit=limit, where=where, text=query)
        return self.searches(group_id, [search])[0]

    def vector(
        self,
        group_id: str,
        embedding: npt.NDArray[np.float32],
        target: VectorTarget,
        limit: int,
        where: FactFilter,
    ) -> list[ScoredId]:
        """A fact search of the pinned group is scored here (the rows passing ``where`` in
        the held copy, by their held vectors), as the store scores a cached group's facts
        (there, the rows passing are found by a statement)."""
        held = self._pinned_soon(group_id) if target == "fact" else None
        if held is not None and held.fact_rows is not None:
            query = checks.unit_query(embedding, target, self._store.dimension)
            if query is None or limit <= 0:
                return []
            passing = frozenset(f.uuid for f in _passing(held.fact_rows.values(), where))
            hits = held.facts.best(query, limit, passing)
            return [(uuid, 2.0 * score - 1.0) for uuid, score in hits]
        search = IndexSearch(target=target, limit=limit, where=where, embedding=embedding)
        return self.searches(group_id, [search])[0]

    # ---------------------------------------------------------------- reads

    def get_episodes(
        self, group_id: str, uuids: Sequence[str], *, vectors: bool = True
    ) -> list[Episode]:
        held = self._copy(group_id)
        if vectors or held is None or held.timeline is None:
            return self._store.get_episodes(group_id, uuids, vectors=vectors)
        return in_request_order(held.timeline.episodes, uuids)

    def get_entities(
        self, group_id: str, uuids: Sequence[str], *, vectors: bool = True
    ) -> list[Entity]:
        held = self._copy(group_id)
        if vectors or held is None or held.entity_rows is None:
            return self._store.get_entities(group_id, uuids, vectors=vectors)
        return in_request_order(held.entity_rows, uuids)

    def get_facts(self, group_id: str, uuids: Sequence[str], *, vectors: bool = True) -> list[Fact]:
        held = self._copy(group_id)
        if vectors or held is None or held.fact_rows is None:
            return self._store.get_facts(group_id, uuids, vectors=vectors)
        return in_request_order(held.fact_rows, uuids)

    def list_facts(
        self, group_id: str, where: FactFilter, limit: int | None = None, *, vectors: bool = True
    ) -> list[Fact]:
        held = self._copy(group_id)
        if vectors or held is None or held.fact_rows is None:
            return self._store.list_facts(group_id, where, limit, vectors=vectors)
        if limit is not None and limit <= 0:
            return []
        rows = _in_listing_order(_passing(held.fact_rows.values(), where))
        return rows if limit is None else rows[:limit]

    def neighbors(
        self,
        group_id: str,
        entity_uuids: Sequence[str],
        where: FactFilter,
        limit: int = 1000,
        *,
        vectors: bool = True,
    ) -> list[Fact]:
        held = self._copy(group_id)
        if vectors or held is None or held.fact_rows is None:
            return self._store.neighbors(group_id, entity_uuids, where, limit, vectors=vectors)
        if not entity_uuids or limit <= 0:
            return []
        ends = set(entity_uuids)
        touching = (
            f for f in held.fact_rows.values() if f.subject_uuid in ends or f.object_uuid in ends
        )
        return _in_listing_order(_passing(touching, where))[:limit]

    def adjacent_episodes(
        self, group_id: str, episode_uuids: Sequence[str], before: int = 1, after: int = 1
    ) -> dict[str, list[Episode]]:
        held = self._copy(group_id)
        if held is None or held.timeline is None:
            return self._store.adjacent_episodes(group_id, episode_uuids, before, after)
        return held.timeline.around(episode_uuids, before, after) if episode_uuids else {}

    # ---------------------------------------------------------------- the store's own

    def known_sources(self, group_id: str, source: str, source_ids: Sequence[str]) -> set[str]:
        return self._store.known_sources(group_id, source, source_ids)

    def find_entities(
        self,
        group_id: str,
        names: Sequence[str] | None = None,
        labels: Sequence[str] | None = None,
        *,
        vectors: bool = True,
    ) -> list[Entity]:
        return self._store.find_entities(group_id, names, labels, vectors=vectors)

    def mentions(self, group_id: str, episode_uuids: Sequence[str]) -> dict[str, list[str]]:
        return self._store.mentions(group_id, episode_uuids)

    def stats(self, group_id: str | None = None) -> Stats:
        return self._store.stats(group_id)

    def groups(self) -> list[str]:
        return self._store.groups()

    def dump(self, group_id: str) -> WriteBatch:
        return self._store.dump(group_id)

    def get_meta(self, key: str) -> str | None:
        return self._store.get_meta(key)

    def pinned(self, group_id: str) -> GraphStore:
        return self._store.pinned(group_id)

    # Writes go to the store and end the pin: the held copy is no longer the group's.

    def write(self, batch: WriteBatch) -> None:
        self._verified(None)
        self._store.write(batch)

    def erase(self, erasure: Erasure) -> None:
        self._verified(None)
        self._store.erase(erasure)

    def set_meta(self, key: str, value: str) -> None:
        self._verified(None)
        self._store.set_meta(key, value)

    def lock_group(
        self, group_id: str, *, timeout: float = GROUP_LOCK_WAIT_S
    ) -> AbstractContextManager[None]:
        return self._store.lock_group(group_id, timeout=timeout)

    def close(self) -> None:
        """End the pin (the store stays open: it is not the view's to close)."""
        self._verified(None)


def in_request_order(held: Mapping[str, T], uuids: Sequence[str]) -> list[T]:
    """The items of ``uuids`` in ``held``, in the order of ``uuids``, each once (unknown ones
    left out): the order of the store's reads by uuid."""
    return [held[uuid] for uuid in dict.fromkeys(uuids) if uuid in held]


def _passing(facts: Iterable[Fact], where: FactFilter) -> list[Fact]:
    now = utcnow()
    return [fact for fact in facts if where.accepts(fact, now)]


def _in_listing_order(facts: list[Fact]) -> list[Fact]:
    """As :data:`~chronomem.engine.store.neo4j.cypher.FACT_ORDER`: ``valid_at`` (unknown
    first), then creation, then uuid."""
    return sorted(
        facts,
        key=lambda f: (f.valid_at is not None, f.valid_at or _EARLIEST, f.created_at, f.uuid),
    )
