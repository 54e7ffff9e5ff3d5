"""An in-memory :class:`~chronomem.engine.store.GraphStore`: the protocol's reference semantics
over plain dicts, for tests and throwaway memories (``Memory.open("memory://")``).

Facts are filtered with :meth:`FactFilter.accepts` itself; full-text search is Okapi BM25 over
the words of a group's rows (what FTS5 and Lucene rank by, without their query syntax); vector
search is exact cosine similarity. Nothing is persisted: the memory lives as long as the
object. It passes the storage contract suite like the real backends, so code tested on it
behaves the same on them.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Final, TypeVar

import numpy as np
import numpy.typing as npt

from chronomem.engine.store import checks
from chronomem.engine.store.checks import (
    check_fact_ends,
    checked_mentions,
    content_vector,
    fact_vector,
    name_vector,
    sentence_vectors,
)
from chronomem.engine.store.protocol import (
    GROUP_LOCK_WAIT_S,
    SENTENCES_PER_EPISODE,
    Erasure,
    FactFilter,
    GraphStore,
    IndexSearch,
    ScoredId,
    StoreCapabilities,
    TextTarget,
    VectorTarget,
    WriteBatch,
    assemble_dump,
    best_of_turns_and_sentences,
    entity_revision_key,
    search_one_by_one,
)
from chronomem.errors import ConfigurationError, InputError, IntegrityError, StoreError
from chronomem.schema import Entity, Episode, Fact, Stats, name_key, utcnow

__all__ = ["InMemoryStore"]

_CAPABILITIES: Final = StoreCapabilities(server=False, entity_revisions=True, episode_vectors=True)

_WORD: Final = re.compile(r"[^\W_]+")
_BM25_K1: Final = 1.2
_BM25_B: Final = 0.75

_ENTITY_FIELDS: Final = ("group_id", "name", "labels", "aliases", "summary", "name_embedding")
"""What an upsert of a known entity replaces (its creation time stays)."""
_FACT_FIELDS: Final = (
    "group_id",
    "expired_at",
    "invalidated_by",
    "invalidated_by_episode",
    "episodes",
    "sources",
    "observed_at",
    "confidence",
)
"""What an upsert of a known fact row replaces (the statement and its embedding stay)."""

_Row = TypeVar("_Row", Episode, Entity, Fact)
_Vector = npt.NDArray[np.float32]


def _terms(text: str) -> list[str]:
    """The words of ``text`` as full-text search compares them: case-folded, without
    diacritics, inflections stemmed (FTS5's ``porter unicode61 remove_diacritics``)."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return [_stem(word) for word in _WORD.findall(plain)]


def _stem(word: str) -> str:
    """Step 1 of Porter's stemmer (plurals, -ed, -ing, final -y): "works", "worked" and
    "working" all become "work"."""
    if len(word) <= 2:
        return word
    if word.endswith(("sses", "ies")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    if word.endswith("eed"):
        if _measure(word[:-3]) > 0:
            word = word[:-1]
    else:
        for suffix in ("ed", "ing"):
            stem = word[: -len(suffix)]
            if word.endswith(suffix) and "v" in _shape(stem):
                word = stem
                shape = _shape(word)
                if word.endswith(("at", "bl", "iz")):
                    word += "e"
                elif shape.endswith("cc") and word[-1] == word[-2] and word[-1] not in "lsz":
                    word = word[:-1]
                elif _measure(word) == 1 and shape.endswith("cvc") and word[-1] not in "wxy":
                    word += "e"
                break
    if word.endswith("y") and "v" in _shape(word[:-1]):
        word = word[:-1] + "i"
    return word


def _shape(word: str) -> str:
    """ "c" for each consonant of ``word``, "v" for each vowel (a "y" after a consonant is one)."""
    shape = ""
    for ch in word:
        shape += "v" if ch in "aeiou" or (ch == "y" and shape[-1:] == "c") else "c"
    return shape


def _measure(word: str) -> int:
    """Porter's m: how many vowel-consonant sequences ``word`` has."""
    return re.sub(r"(.)\1+", r"\1", _shape(word)).count("vc")


class InMemoryStore:
    """A :class:`~chronomem.engine.store.GraphStore` in dicts: nothing on disk, no server.

    Thread-safe (one lock: a batch is seen whole or not at all). Reads return copies, as a
    real store does. ``dimension``: the length of the vectors it accepts.
    """

    def __init__(self, dimension: int = 384) -> None:
        if isinstance(dimension, bool) or not isinstance(dimension, int) or dimension < 1:
            raise ConfigurationError(f"dimension must be a positive int, not {dimension!r}")
        self._dimension = dimension
        self._lock = threading.RLock()
        self._closed = False
        self._episodes: dict[str, Episode] = {}
        self._sources: set[tuple[str, str, str]] = set()
        self._entities: dict[str, Entity] = {}
        self._facts: dict[str, Fact] = {}
        self._mentions: dict[str, dict[str, None]] = {}
        self._meta: dict[str, str] = {}

    @property
    def capabilities(self) -> StoreCapabilities:
        return _CAPABILITIES

    @property
    def dimension(self) -> int:
        """Length of the vectors this store accepts."""
        return self._dimension

    def __repr__(self) -> str:
        return f"InMemoryStore(dimension={self._dimension})"

    def close(self) -> None:
        """Forget everything; the store refuses every call afterwards (idempotent)."""
        with self._lock:
            self._closed = True
            self._episodes, self._entities, self._facts = {}, {}, {}
            self._sources, self._mentions = set(), {}

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError("the in-memory store is closed; open a new one")

    # -- writes ---------------------------------------------------------------------------------

    def write(self, batch: WriteBatch) -> None:
        """Apply a batch atomically: every check runs before anything changes."""
        with self._lock:
            self._check_open()
            self._check_vectors(batch)
            episodes: dict[str, Episode] = {}
            sources = set(self._sources)
            for episode in batch.episodes:
                key = (episode.group_id, episode.source, episode.source_id)
                if episode.uuid in self._episodes or episode.uuid in episodes or key in sources:
                    continue  # inserted once; a known source id is skipped
                episodes[episode.uuid] = episode.model_copy(deep=True)
                sources.add(key)
            entities = {
                e.uuid: self._upserted(self._entities, e, _ENTITY_FIELDS) for e in batch.entities
            }
            facts = {f.uuid: self._upserted(self._facts, f, _FACT_FIELDS) for f in batch.facts}
            entity_group = {u: e.group_id for u, e in self._entities.items()}
            entity_group.update((u, e.group_id) for u, e in entities.items())
            episode_group = {u: e.group_id for u, e in self._episodes.items()}
            episode_group.update((u, e.group_id) for u, e in episodes.items())
            check_fact_ends(facts.values(), entity_group)
            mentions = checked_mentions(
                batch.mentions, entity_group, episode_group, {e.uuid for e in batch.episodes}
            )
            # Everything checked: apply.
            self._episodes.update(episodes)
            self._sources = sources
            self._entities.update(entities)
            self._facts.update(facts)
            for _, episode_uuid, entity_uuid in mentions:
                self._mentions.setdefault(episode_uuid, {})[entity_uuid] = None
            for group in sorted({e.group_id for e in entities.values()}):
                revision = entity_revision_key(group)
                self._meta[revision] = str(int(self._meta.get(revision, "0")) + 1)

    def _check_vectors(self, batch: WriteBatch) -> None:
        """IntegrityError for a vector of another length than the store's, or not finite."""
        for episode in batch.episodes:
            content_vector(episode, self._dimension)
            sentence_vectors(episode, self._dimension)
        for entity in batch.entities:
            name_vector(entity, self._dimension)
        for fact in batch.facts:
            fact_vector(fact, self._dimension)

    @staticmethod
    def _upserted(rows: dict[str, _Row], row: _Row, mutable: tuple[str, ...]) -> _Row:
        """``row`` as it will be stored: new, or the stored one with ``mutable`` replaced."""
        stored = rows.get(row.uuid)
        if stored is None:
            return row.model_copy(deep=True)
        return stored.model_copy(update={f: getattr(row, f) for f in mutable}, deep=True)

    def lock_group(
        self, group_id: str, *, timeout: float = GROUP_LOCK_WAIT_S
    ) -> AbstractContextManager[None]:
        """Nothing to take: one process: the Memory serialises its writers."""
        self._check_open()
        return nullcontext()

    def erase(self, erasure: Erasure) -> None:
        """Delete the listed rows (and their mentions) and settings, all at once."""
        with self._lock:
            self._check_open()
            group = erasure.group_id
            for fact in erasure.updated_facts:
                stored = self._facts.get(fact.uuid)
                if stored is None or stored.group_id != group:
                    raise IntegrityError(f"fact {fact.uuid} is not a row of group {group!r}")
            for entity in erasure.updated_entities:
                if not self._in(self._entities, entity.uuid, group) or entity.group_id != group:
                    raise IntegrityError(
                        f"entity {entity.uuid} is not an entity of group {group!r}"
                    )
            episodes = {u for u in erasure.episodes if self._in(self._episodes, u, group)}
            entities = {u for u in erasure.entities if self._in(self._entities, u, group)}
            facts = {u for u in erasure.facts if self._in(self._facts, u, group)}
            left = [f for u, f in self._facts.items() if u not in facts]
            if any(f.subject_uuid in entities or f.object_uuid in entities for f in left):
                raise IntegrityError("erase: a fact row not erased still links an erased entity")
            for fact in erasure.updated_facts:
                self._facts[fact.uuid] = self._upserted(
                    self._facts, fact, (*_FACT_FIELDS, "valid_at", "invalid_at")
                )
            for entity in erasure.updated_entities:
                self._entities[entity.uuid] = self._upserted(self._entities, entity, _ENTITY_FIELDS)
            for uuid in facts:
                del self._facts[uuid]
            for uuid in episodes:
                episode = self._episodes.pop(uuid)
                self._sources.discard((episode.group_id, episode.source, episode.source_id))
                self._mentions.pop(uuid, None)
            for uuid in entities:
                del self._entities[uuid]
            for mentioned in self._mentions.values():
                for uuid in entities & mentioned.keys():
                    del mentioned[uuid]
            if entities or erasure.updated_entities:
                revision = entity_revision_key(group)
                self._meta[revision] = str(int(self._meta.get(revision, "0")) + 1)
            for key in erasure.settings:
                self._meta.pop(key, None)

    @staticmethod
    def _in(rows: Mapping[str, Episode | Entity | Fact], uuid: str, group: str) -> bool:
        row = rows.get(uuid)
        return row is not None and row.group_id == group

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._check_open()
            self._meta[key] = value

    # -- reads ----------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            self._check_open()
            return self._meta.get(key)

    def get_episodes(
        self, group_id: str, uuids: Sequence[str], *, vectors: bool = True
    ) -> list[Episode]:
        with self._lock:
            self._check_open()
            return [_episode(e, vectors) for e in _by_uuid(self._episodes, group_id, uuids)]

    def known_sources(self, group_id: str, source: str, source_ids: Sequence[str]) -> set[str]:
        with self._lock:
            self._check_open()
            return {s for s in source_ids if (group_id, source, s) in self._sources}

    def get_entities(
        self, group_id: str, uuids: Sequence[str], *, vectors: bool = True
    ) -> list[Entity]:
        with self._lock:
            self._check_open()
            return [_entity(e, vectors) for e in _by_uuid(self._entities, group_id, uuids)]

    def find_entities(
        self,
        group_id: str,
        names: Sequence[str] | None = None,
        labels: Sequence[str] | None = None,
        *,
        vectors: bool = True,
    ) -> list[Entity]:
        keys = None if names is None else {name_key(n) for n in names}
        with self._lock:
            self._check_open()
            return [
                _entity(e, vectors)
                for e in self._entities.values()
                if e.group_id == group_id
                and (keys is None or not keys.isdisjoint(map(name_key, (e.name, *e.aliases))))
                and (labels is None or not set(labels).isdisjoint(e.labels))
            ]

    def get_facts(self, group_id: str, uuids: Sequence[str], *, vectors: bool = True) -> list[Fact]:
        with self._lock:
            self._check_open()
            return [_fact(f, vectors) for f in _by_uuid(self._facts, group_id, uuids)]

    def list_facts(
        self, group_id: str, where: FactFilter, limit: int | None = None, *, vectors: bool = True
    ) -> list[Fact]:
        with self._lock:
            self._check_open()
            rows = _in_time_order(self._passing(group_id, where))
        return [_fact(f, vectors) for f in (rows if limit is None else rows[: max(limit, 0)])]

    def pinned(self, group_id: str) -> GraphStore:
        """Itself: its reads are local already."""
        return self

    def neighbors(
        self,
        group_id: str,
        entity_uuids: Sequence[str],
        where: FactFilter,
        limit: int = 1000,
        *,
        vectors: bool = True,
    ) -> list[Fact]:
        ends = set(entity_uuids)
        with self._lock:
            self._check_open()
            rows = [
                f
                for f in self._passing(group_id, where)
                if f.subject_uuid in ends or f.object_uuid in ends
            ]
        return [_fact(f, vectors) for f in _in_time_order(rows)[: max(limit, 0)]]

    def _passing(self, group_id: str, where: FactFilter) -> list[Fact]:
        now = utcnow()
        return [f for f in self._facts.values() if f.group_id == group_id and where.accepts(f, now)]

    def mentions(self, group_id: str, episode_uuids: Sequence[str]) -> dict[str, list[str]]:
        with self._lock:
            self._check_open()
            found: dict[str, list[str]] = {}
            for uuid in dict.fromkeys(episode_uuids):
                episode = self._episodes.get(uuid)
                if episode is not None and episode.group_id == group_id and uuid in self._mentions:
                    found[uuid] = list(self._mentions[uuid])
            return found

    def adjacent_episodes(
        self, group_id: str, episode_uuids: Sequence[str], before: int = 1, after: int = 1
    ) -> dict[str, list[Episode]]:
        with self._lock:
            self._check_open()
            found: dict[str, list[Episode]] = {}
            for centre in _by_uuid(self._episodes, group_id, episode_uuids):
                line = sorted(
                    (
                        e
                        for e in self._episodes.values()
                        if e.group_id == group_id
                        and e.source == centre.source
                        and (e.session or "") == (centre.session or "")
                    ),
                    key=lambda e: (e.reference_time, e.uuid),
                )
                at = line.index(centre)
                near = line[max(0, at - before) : at] + line[at + 1 : at + 1 + max(after, 0)]
                if near:
                    found[centre.uuid] = [_episode(e, vectors=False) for e in near]
            return found

    def stats(self, group_id: str | None = None) -> Stats:
        with self._lock:
            self._check_open()
            now = utcnow()
            mine = [r for r in self._rows() if group_id is None or r.group_id == group_id]
            current = FactFilter(current_only=True)
            return Stats(
                episodes=sum(isinstance(r, Episode) for r in mine),
                entities=sum(isinstance(r, Entity) for r in mine),
                facts=sum(isinstance(r, Fact) for r in mine),
                current_facts=sum(isinstance(r, Fact) and current.accepts(r, now) for r in mine),
                groups=len({r.group_id for r in mine}),
            )

    def groups(self) -> list[str]:
        with self._lock:
            self._check_open()
            return sorted({r.group_id for r in self._rows()})

    def _rows(self) -> list[Episode | Entity | Fact]:
        return [*self._episodes.values(), *self._entities.values(), *self._facts.values()]

    def dump(self, group_id: str) -> WriteBatch:
        with self._lock:
            self._check_open()
            episodes = [u for u, e in self._episodes.items() if e.group_id == group_id]
            facts = [u for u, f in self._facts.items() if f.group_id == group_id]
            return assemble_dump(self, group_id, episodes, facts)

    # -- search ---------------------------------------------------------------------------------

    def fulltext(
        self, group_id: str, query: str, target: TextTarget, limit: int, where: FactFilter
    ) -> list[ScoredId]:
        """BM25 as FTS5 computes it (word statistics over every group's rows of ``target``:
        a fact's statement, an entity's name and aliases, an episode's content), words
        stemmed; the query is plain words, nothing else."""
        if target not in ("fact", "entity", "episode"):
            raise InputError(f"unknown full-text target {target!r}; use fact, entity or episode")
        terms = set(_terms(query))
        if not terms or limit <= 0:
            return []
        with self._lock:
            self._check_open()
            texts = self._texts(target)
            if target == "fact":
                allowed = {f.uuid for f in self._passing(group_id, where)}
            else:
                allowed = {uuid for uuid, (group, _) in texts.items() if group == group_id}
        documents = {uuid: Counter(_terms(text)) for uuid, (_, text) in texts.items()}
        average = sum(sum(d.values()) for d in documents.values()) / max(len(documents), 1)
        having = Counter(term for d in documents.values() for term in terms & d.keys())
        idf = {t: math.log((len(documents) - n + 0.5) / (n + 0.5)) for t, n in having.items()}
        scored: list[ScoredId] = []
        for uuid, counts in documents.items():
            if uuid not in allowed:
                continue
            norm = _BM25_K1 * (1 - _BM25_B + _BM25_B * sum(counts.values()) / average)
            score = sum(
                max(idf[t], 1e-6) * counts[t] * (_BM25_K1 + 1) / (counts[t] + norm)
                for t in terms & counts.keys()
            )
            if score > 0:
                scored.append((uuid, score))
        return sorted(scored, key=lambda hit: -hit[1])[:limit]

    def _texts(self, target: TextTarget) -> dict[str, tuple[str, str]]:
        """uuid -> (group, text) of every row of ``target``, in the order written."""
        if target == "fact":
            return {u: (f.group_id, f.fact) for u, f in self._facts.items()}
        if target == "entity":
            return {
                u: (e.group_id, " ".join((e.name, *e.aliases))) for u, e in self._entities.items()
            }
        return {u: (e.group_id, e.content) for u, e in self._episodes.items()}

    def searches(self, group_id: str, searches: Sequence[IndexSearch]) -> list[list[ScoredId]]:
        return search_one_by_one(self, group_id, searches)

    def vector(
        self,
        group_id: str,
        embedding: npt.NDArray[np.float32],
        target: VectorTarget,
        limit: int,
        where: FactFilter,
    ) -> list[ScoredId]:
        """Exact cosine similarity, best first; an episode scores the best of its turn and
        sentence vectors."""
        query = checks.unit_query(embedding, target, self._dimension)
        if query is None or limit <= 0:
            return []
        with self._lock:
            self._check_open()
            if target == "fact":
                facts = self._passing(group_id, where)
                return _nearest(query, [(f.uuid, f.fact_embedding) for f in facts], limit)
            if target == "entity":
                entities = [e for e in self._entities.values() if e.group_id == group_id]
                return _nearest(query, [(e.uuid, e.name_embedding) for e in entities], limit)
            episodes = [e for e in self._episodes.values() if e.group_id == group_id]
        turns = _nearest(query, [(e.uuid, e.content_embedding) for e in episodes], limit)
        sentences = _nearest(
            query,
            [(e.uuid, s) for e in episodes for s in e.sentence_embeddings or []],
            limit * SENTENCES_PER_EPISODE,
        )
        return best_of_turns_and_sentences(turns, sentences, limit)


def _nearest(
    query: _Vector, candidates: list[tuple[str, list[float] | None]], limit: int
) -> list[ScoredId]:
    """The ``limit`` candidates most similar to the unit vector ``query``, best first."""
    kept = [(uuid, values) for uuid, values in candidates if values is not None]
    if not kept:
        return []
    matrix = np.asarray([values for _, values in kept], dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    scores = (matrix / np.where(norms > 0.0, norms, 1.0)) @ query
    scored = [
        (uuid, float(s)) for (uuid, _), s, n in zip(kept, scores, norms, strict=True) if n > 0
    ]
    return sorted(scored, key=lambda hit: -hit[1])[:limit]


def _by_uuid(rows: dict[str, _Row], group_id: str, uuids: Sequence[str]) -> list[_Row]:
    """The rows of ``group_id`` among ``uuids``, once each, in the order asked."""
    found = (rows.get(uuid) for uuid in dict.fromkeys(uuids))
    return [row for row in found if row is not None and row.group_id == group_id]


def _in_time_order(facts: list[Fact]) -> list[Fact]:
    """``valid_at`` (unknown first), then creation, then the order written."""
    return sorted(
        facts, key=lambda f: (f.valid_at is not None, f.valid_at or f.created_at, f.created_at)
    )


def _episode(episode: Episode, vectors: bool) -> Episode:
    if vectors:
        return episode.model_copy(deep=True)
    bare = {"content_embedding": None, "sentence_embeddings": None}
    return episode.model_copy(update=bare, deep=True)


def _entity(entity: Entity, vectors: bool) -> Entity:
    return entity.model_copy(update={} if vectors else {"name_embedding": None}, deep=True)


def _fact(fact: Fact, vectors: bool) -> Fact:
    return fact.model_copy(update={} if vectors else {"fact_embedding": None}, deep=True)
