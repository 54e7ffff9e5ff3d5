"""The node vectors of small groups held in the client, so that a search scores them in numpy
instead of reading every one from the server.

Exact vector search over a small group (at most ``exact_max`` vectors of a kind) reads each
vector from Neo4j's store: on a LoCoMo conversation (419 turns, 1,434 sentences, 181
entities) that is most of a search's time. A :class:`VectorCache` keeps, per group, the turn,
sentence, entity and fact vectors of a group whose four kinds are all small, stamped with what
:data:`~chronomem.engine.store.neo4j.cypher.VECTOR_STAMP` reads: the group's vector revision
(renewed by every write of the group, in its transaction) and its counts of turns, sentences,
entities and fact rows (so nodes added or removed by another tool are noticed too). A search
uses the cached vectors only when the stamp read in its own statement is the cached one.

A group's vectors are loaded when two searches in a row saw the same stamp (no write
between them): a memory that is written between every two searches never loads (the
searches score on the server as before), one that is searched more often loads once per write.
A fact search still sends a statement: the fact filter runs in Cypher, which returns the uuids
of the rows passing it (without their vectors), and the cached vectors of those are scored.

With the vectors the group's :class:`Timeline` is read (its episodes without vectors, on the
lines of their conversations): the turns around a turn (``adjacent_episodes``, the search's
conversation context) are then found in the client after one statement reading the stamp,
instead of a statement finding and returning them all (on LoCoMo, about 80 turns a search).

Like the vectors, the timeline is as current as the stamp: a write through chronomem renews
the revision, nodes added or removed by other tools change the counts; an episode's text or
time edited in place by another tool is not noticed until the group's next write.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Generic, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from chronomem.engine.store.protocol import ScoredId
from chronomem.schema import Entity, Episode, Fact

__all__ = [
    "GroupVectors",
    "LargeCache",
    "LargeVectors",
    "Stamp",
    "Timeline",
    "VectorCache",
    "Vectors",
    "stamp_of",
    "vector_revision_key",
]

LARGE_RECHECK_S: Final = 60.0
"""A group found too large to cache is not stamped again (no counting in its searches) for
this long."""

Stamp = tuple[str, int, int, int, int]
"""A group's vector revision and its counts of turns, sentences, entities and fact rows."""


def vector_revision_key(group_id: str) -> str:
    """The setting renewed by every write of ``group_id`` (a fresh uuid): cached vectors of
    the group are used only while it holds the value they were read with."""
    return f"vector_revision:{group_id}"


def stamp_of(row: Mapping[str, Any]) -> Stamp | None:
    """The stamp in the columns of a :data:`cypher.VECTOR_STAMP` row; ``None`` for a group
    without a vector revision (written before revisions existed: never cached)."""
    revision = row["revision"]
    if revision is None:
        return None
    counts = (int(row["turns"]), int(row["sentences"]), int(row["entities"]), int(row["facts"]))
    return (str(revision), *counts)


@dataclass(frozen=True)
class Vectors:
    """One kind of a group's vectors: the uuid each row scores (a sentence scores its
    episode) and the rows, scaled to unit length (kept in float64, the precision scoring
    uses, so no search converts them again)."""

    keys: tuple[str, ...]
    unit: npt.NDArray[np.float64]
    uuids: tuple[str, ...]  # the distinct keys, in uuid order
    owner: npt.NDArray[np.intp]  # of each row, its key's position in ``uuids``

    @classmethod
    def of(cls, keys: Sequence[str], vectors: Sequence[Sequence[float]], dimension: int) -> Vectors:
        """Rows of ``vectors`` (those of length zero or not finite are left out: Neo4j's
        cosine scores them null, and exact search leaves them out too)."""
        matrix = np.asarray(vectors, dtype=np.float32).reshape(len(vectors), dimension)
        norms = np.linalg.norm(matrix, axis=1)
        usable = np.isfinite(norms) & (norms > 0)
        kept = tuple(k for k, ok in zip(keys, usable.tolist(), strict=True) if ok)
        unit = (matrix[usable] / norms[usable][:, None]).astype(np.float32).astype(np.float64)
        uuids = tuple(sorted(set(kept)))
        position = {uuid: i for i, uuid in enumerate(uuids)}
        owner = np.fromiter((position[k] for k in kept), dtype=np.intp, count=len(kept))
        return cls(kept, unit, uuids, owner)

    @property
    def nbytes(self) -> int:
        return int(self.unit.nbytes + self.owner.nbytes) + 64 * len(self.keys)

    def best(
        self,
        query: npt.NDArray[np.float32],
        limit: int,
        among: frozenset[str] | None = None,
    ) -> list[ScoredId]:
        """The ``limit`` best uuids (of ``among`` only, if given) by cosine to the unit
        ``query`` (a uuid scored by several rows: its best), best first, ties by uuid: as the
        exact search in Cypher orders them. Scores are ``(1 + cosine) / 2``, as Neo4j's
        ``vector.similarity.cosine``."""
        if not self.keys or limit <= 0:
            return []
        # In float64, then rounded to float32: equal vectors score exactly equal whatever
        # their rows (a product's last bits can depend on the row), so ties go by uuid.
        # einsum, not @: its own loop in this thread. A BLAS product of this size wakes the
        # library's threads, which then spin, taking CPU from the database server on a
        # small machine (about 20 ms of CPU per search on LoCoMo, for no gain in time).
        product = np.einsum("ij,j->i", self.unit, query.astype(np.float64))
        cosines = product.astype(np.float32).astype(np.float64)
        scores = (1.0 + cosines) / 2.0
        if len(self.uuids) == len(self.keys):  # one row per uuid
            best = np.empty(len(self.uuids))
            best[self.owner] = scores
        else:
            best = np.full(len(self.uuids), -np.inf)
            np.maximum.at(best, self.owner, scores)
        candidates = np.arange(len(self.uuids))
        if among is not None:
            wanted = np.fromiter((u in among for u in self.uuids), dtype=bool, count=len(best))
            candidates = candidates[wanted]
        # Best score first, then the uuid (positions are in uuid order).
        order = candidates[np.lexsort((candidates, -best[candidates]))][:limit]
        return [(self.uuids[i], float(best[i])) for i in order.tolist()]


@dataclass(frozen=True)
class LargeVectors:
    """One kind of a large group's vectors (its entities' name vectors: far fewer than its
    facts), one row per uuid, as of the group's vector ``revision``; kept in float32 (half
    the memory of :class:`Vectors`). A search takes candidates by a float32 product, then
    scores the best of them as :meth:`Vectors.best` does (in float64, rounded to float32,
    ties by uuid): exact search, where the vector index of a shared database may miss
    near vectors (recall@10 0.93 for entities at 1M facts, however many hits it fetched)."""

    revision: str
    uuids: tuple[str, ...]  # sorted
    unit: npt.NDArray[np.float32]

    @classmethod
    def of(
        cls, revision: str, keys: Sequence[str], matrix: npt.NDArray[np.float32]
    ) -> LargeVectors:
        """Rows of ``matrix`` by ``keys`` (rows of length zero or not finite are left out, as
        exact search leaves them out), scaled to unit length."""
        norms = np.linalg.norm(matrix, axis=1)
        usable = np.isfinite(norms) & (norms > 0)
        kept = [k for k, ok in zip(keys, usable.tolist(), strict=True) if ok]
        order = sorted(range(len(kept)), key=kept.__getitem__)
        unit = (matrix[usable] / norms[usable][:, None]).astype(np.float32)[order]
        return cls(revision, tuple(kept[i] for i in order), unit)

    @property
    def nbytes(self) -> int:
        return int(self.unit.nbytes) + 100 * len(self.uuids)

    def best(self, query: npt.NDArray[np.float32], limit: int) -> list[ScoredId]:
        """As :meth:`Vectors.best` (scores ``(1 + cosine) / 2``, best first, ties by uuid)."""
        if not self.uuids or limit <= 0:
            return []
        rough = np.einsum("ij,j->i", self.unit, query.astype(np.float32))
        take = min(len(rough), max(4 * limit, 40))
        candidates = np.argpartition(-rough, take - 1)[:take]
        product = np.einsum(
            "ij,j->i", self.unit[candidates].astype(np.float64), query.astype(np.float64)
        )
        scores = (1.0 + product.astype(np.float32).astype(np.float64)) / 2.0
        order = np.lexsort((candidates, -scores))[:limit]
        return [(self.uuids[candidates[i]], float(scores[i])) for i in order.tolist()]


@dataclass(frozen=True)
class Timeline:
    """A group's episodes (without vectors) on the lines of their conversations: each source
    and session in time order (ties by uuid), one line per source for the turns of no
    session. Finds the turns around a turn as
    :data:`~chronomem.engine.store.neo4j.cypher.ADJACENT_EPISODES` does on the server."""

    episodes: Mapping[str, Episode]
    lines: Mapping[tuple[str, str], tuple[str, ...]]  # (source, session or "") -> uuids
    place: Mapping[str, tuple[tuple[str, str], int]]  # uuid -> its line and position there

    @classmethod
    def of(cls, rows: Sequence[tuple[Episode, str | None]]) -> Timeline:
        """The timeline of episodes, each with its stored source (``None`` when the episode
        has none: such an episode has no turns around it and is around none)."""
        episodes = {episode.uuid: episode for episode, _ in rows}
        members: dict[tuple[str, str], list[Episode]] = {}
        for episode, source in rows:
            if source is not None:
                members.setdefault((source, episode.session or ""), []).append(episode)
        lines: dict[tuple[str, str], tuple[str, ...]] = {}
        place: dict[str, tuple[tuple[str, str], int]] = {}
        for line, found in members.items():
            found.sort(key=lambda e: (e.reference_time, e.uuid))
            lines[line] = tuple(e.uuid for e in found)
            place.update((e.uuid, (line, i)) for i, e in enumerate(found))
        return cls(episodes, lines, place)

    @property
    def nbytes(self) -> int:
        return sum(600 + 2 * len(e.content) for e in self.episodes.values())

    def around(self, uuids: Sequence[str], before: int, after: int) -> dict[str, list[Episode]]:
        """For each episode of ``uuids`` in the group, up to ``before`` turns of its line just
        before it and ``after`` just after it, in time order; those with none are left out."""
        found: dict[str, list[Episode]] = {}
        for uuid in dict.fromkeys(uuids):
            where = self.place.get(uuid)
            if where is None:
                continue
            line, i = self.lines[where[0]], where[1]
            near = [*line[max(0, i - max(before, 0)) : i], *line[i + 1 : i + 1 + max(after, 0)]]
            if near:
                found[uuid] = [self.episodes[u] for u in near]
        return found


@dataclass(frozen=True)
class GroupVectors:
    """A group's turn, sentence, entity and fact vectors as of ``stamp`` (and, when read
    with them, its :class:`Timeline`, its entities and its fact rows, expired ones too, all
    without vectors: what a search through :class:`~.pinned.PinnedReads` reads)."""

    stamp: Stamp
    turns: Vectors
    sentences: Vectors
    entities: Vectors
    facts: Vectors
    timeline: Timeline | None = None
    entity_rows: Mapping[str, Entity] | None = None
    fact_rows: Mapping[str, Fact] | None = None

    @property
    def nbytes(self) -> int:
        kinds = (self.turns, self.sentences, self.entities, self.facts)
        lines = 0 if self.timeline is None else self.timeline.nbytes
        entities = self.entity_rows.values() if self.entity_rows is not None else ()
        facts = self.fact_rows.values() if self.fact_rows is not None else ()
        rows = sum(600 + 2 * (len(e.name) + len(e.summary)) for e in entities)
        rows += sum(900 + 2 * len(f.fact) for f in facts)
        return sum(kind.nbytes for kind in kinds) + lines + rows


class _Sized(Protocol):
    @property
    def nbytes(self) -> int: ...


_V = TypeVar("_V", bound=_Sized)


class _Budgeted(Generic[_V]):
    """Values per group, least recently used first out once they hold more than
    ``budget_bytes``. Thread-safe."""

    def __init__(self, budget_bytes: int) -> None:
        self._budget = budget_bytes
        self._groups: OrderedDict[str, _V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, group_id: str) -> _V | None:
        """The group's cached value (its freshness still to be checked against the server)."""
        with self._lock:
            found = self._groups.get(group_id)
            if found is not None:
                self._groups.move_to_end(group_id)
            return found

    def put(self, group_id: str, value: _V) -> None:
        """Keep ``value`` (unless it alone exceeds the budget), dropping the least recently
        used groups while over budget."""
        if value.nbytes > self._budget:
            return
        with self._lock:
            self._groups[group_id] = value
            self._groups.move_to_end(group_id)
            total = sum(v.nbytes for v in self._groups.values())
            while total > self._budget and len(self._groups) > 1:
                _, dropped = self._groups.popitem(last=False)
                total -= dropped.nbytes


class VectorCache(_Budgeted[GroupVectors]):
    """Groups' vectors, least recently used first out once they hold more than
    ``budget_bytes``. Thread-safe."""

    def __init__(self, budget_bytes: int) -> None:
        super().__init__(budget_bytes)
        self._seen: dict[str, Stamp] = {}
        self._large: dict[str, float] = {}  # group -> when it was last found too large

    @property
    def enabled(self) -> bool:
        return self._budget > 0

    def forget(self, group_id: str) -> None:
        with self._lock:
            self._groups.pop(group_id, None)

    def worth_stamping(self, group_id: str) -> bool:
        """Whether a search of ``group_id`` should read the group's stamp: not when it was
        found too large to cache in the last :data:`LARGE_RECHECK_S` seconds."""
        if not self.enabled:
            return False
        with self._lock:
            found = self._large.get(group_id)
        return found is None or time.monotonic() - found > LARGE_RECHECK_S

    def seen(self, group_id: str, stamp: Stamp | None, exact_max: int) -> bool:
        """Note the stamp a search of ``group_id`` read; whether the group's vectors should now
        be loaded: the previous search saw the same stamp, and each kind holds at most
        ``exact_max`` nodes (so every search of it scores exactly)."""
        if stamp is None or not self.enabled:
            return False
        small = max(stamp[1:]) <= exact_max
        with self._lock:
            previous = self._seen.get(group_id)
            self._seen[group_id] = stamp
            if small:
                self._large.pop(group_id, None)
            else:
                self._large[group_id] = time.monotonic()
            for notes in (self._seen, self._large):
                if len(notes) > 4096:  # a bound: forget the oldest notes
                    del notes[next(iter(notes))]
        return previous == stamp and small


class LargeCache(_Budgeted[LargeVectors]):
    """Large groups' entity vectors (:class:`LargeVectors`), least recently used first out once
    they hold more than ``budget_bytes``; loaded when two searches in a row saw the same
    revision of the group (as :class:`VectorCache`). Thread-safe."""

    def __init__(self, budget_bytes: int) -> None:
        super().__init__(budget_bytes)
        self._seen: dict[str, str] = {}

    def pop(self, group_id: str, default: None = None) -> LargeVectors | None:
        with self._lock:
            self._seen.pop(group_id, None)
            return self._groups.pop(group_id, default)

    def fits(self, nbytes: int) -> bool:
        """Whether vectors of ``nbytes`` could be held."""
        return 0 < nbytes <= self._budget

    def seen(self, group_id: str, revision: str | None) -> bool:
        """Note the revision a search of ``group_id`` read; whether its entity vectors should
        now be loaded (the previous search saw the same revision)."""
        if revision is None or self._budget <= 0:
            return False
        with self._lock:
            previous = self._seen.pop(group_id, None)
            self._seen[group_id] = revision
            if len(self._seen) > 4096:  # a bound: forget the oldest note
                del self._seen[next(iter(self._seen))]
        return previous == revision
