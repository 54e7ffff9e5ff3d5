"""Entity resolution: entity mentions become stored entities, without duplicates or wrong merges.

For each distinct mention, in input order, the first rule that applies decides:

1. *Exact*: the mention's key (see :mod:`~chronomem.ingest.resolve.names`) equals the key of a
   known name or alias of the same label family. A speaker's entity wins over others. A
   mention typed only by the extractor's generic labels (Organization, Person...) also finds
   the one record entity (keyed by a table's row: a Customer, a Supplier) of that name or
   alias, whatever its label: a chat and a table about the same company share one entity.
2. *First name* (Person): "Anna" and "Anna Schmidt" are one person when exactly one known
   person has the first name "Anna"; the full name becomes the name and the short one an
   alias (for an entity already in the store: the full name becomes an alias, as stores keep
   names, unless ``rename_stored``). With two known Annas nothing merges. Likewise for
   organisations (rule 2b): "Northwind" is "Northwind Bank" when exactly one known organisation
   has a longer name starting with "Northwind" (the short name becomes an alias; said before
   the long name, the two stay apart).
3. *Fuzzy*: rapidfuzz similarity within the family (:mod:`~chronomem.ingest.resolve.similarity`);
   a merge needs a single clear candidate.
4. *Embedding* (not for people or dates): cosine similarity of name embeddings within the
   family, at least ``embedding_threshold``.
5. Otherwise a new entity.

A mention marked ``exact`` (a value from a record cell) stops after rule 1: values are equal
after normalisation or different, however similar ("Senior Account Executive" is not
"Account Executive"), and the entity it creates is never merged by embedding either.

Speakers (``is_speaker=True``) are canonical: they match by rule 1 only, their entity carries
the extra label ``Speaker`` and keeps its name, and a plain mention of a speaker's name
resolves to the speaker. Earlier mentions of the batch count as known for later ones.
Everything is scoped to one ``group_id``. The resolver never writes: the caller writes
``Resolution.new_entities`` and ``Resolution.updated_entities``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Final

import numpy as np
import numpy.typing as npt

from chronomem.engine.embed import Embedder
from chronomem.engine.store.protocol import GraphStore
from chronomem.errors import ConfigurationError
from chronomem.ingest.extract.protocol import EntityMention
from chronomem.ingest.resolve.draft import Draft, Query, distinct_queries
from chronomem.ingest.resolve.index import GroupIndex
from chronomem.ingest.resolve.names import (
    EMBEDDING_EXCLUDED_FAMILIES,
    GENERIC_LABELS,
    ORGANIZATION,
    PERSON,
    RECORD_FAMILY,
    name_key,
    record_name_key,
)
from chronomem.ingest.resolve.similarity import fuzzy_score, numbers_of, shortlist
from chronomem.schema import Entity, parse_time

__all__ = ["EntityResolver", "Resolution"]

Vectors = npt.NDArray[np.float32]
_CELLS_PER_BLOCK: Final = 4_000_000


class Resolution:
    """The outcome of :meth:`EntityResolver.resolve`.

    ``entities[i]`` is the entity of ``mentions[i]``. ``new_entities`` and ``updated_entities``
    (an alias added, a first name completed, a speaker marked) are what the caller writes,
    each entity once, in its final version and with its ``name_embedding``. The entities are
    shared with the resolver's cache: do not modify them.
    """

    __slots__ = ("_by_mention", "entities", "group_id", "new_entities", "updated_entities")

    def __init__(
        self,
        group_id: str,
        mentions: Sequence[EntityMention],
        entities: list[Entity],
        new_entities: list[Entity],
        updated_entities: list[Entity],
    ) -> None:
        self.group_id = group_id
        self.entities = entities
        self.new_entities = new_entities
        self.updated_entities = updated_entities
        self._by_mention = dict(zip(mentions, entities, strict=True))

    def __len__(self) -> int:
        return len(self.entities)

    def __getitem__(self, index: int) -> Entity:
        return self.entities[index]

    def __iter__(self) -> Iterator[Entity]:
        return iter(self.entities)

    def __repr__(self) -> str:
        return (
            f"Resolution({len(self.entities)} mentions, {len(self.new_entities)} new, "
            f"{len(self.updated_entities)} updated)"
        )

    @property
    def to_write(self) -> list[Entity]:
        """``new_entities`` then ``updated_entities``: the entities for the WriteBatch."""
        return [*self.new_entities, *self.updated_entities]

    def entity_for(self, mention: EntityMention) -> Entity:
        """The entity a mention (equal by name, label and speaker flag) resolved to."""
        try:
            return self._by_mention[mention]
        except KeyError:
            raise KeyError(
                f"{mention!r} was not resolved in this batch; pass every mention, including "
                "the subjects and objects of candidate facts, to EntityResolver.resolve()"
            ) from None


class EntityResolver:
    """Maps entity mentions to the entities of a group (see the module docstring).

    ``fuzzy_threshold`` is a rapidfuzz score (0-100); ``embedding_threshold`` a cosine
    similarity. The resolver keeps a cache per group, loaded from ``store`` once; it sees
    entities written after that through a name lookup per batch and through the entities it
    made itself. After writing a resolution's entities, call :meth:`commit`; entities it made
    that were neither committed nor found in the store later (a failed write) are returned
    again in ``new_entities`` whenever a later batch uses them, and changes to stored entities
    that were not written give way to the store's version. Call :meth:`forget` after changing
    a group's entities behind the resolver's back. Thread-safe: batches are resolved one at a time.

    ``rename_stored``: let rule 2 rename entities that are already stored ("Anna" ->
    "Anna Schmidt"). A stored entity keeps the name callers have seen, so this is
    off by default and the full name is added as an alias instead.
    """

    def __init__(
        self,
        store: GraphStore,
        embedder: Embedder,
        *,
        fuzzy_threshold: float = 90,
        embedding_threshold: float = 0.86,
        rename_stored: bool = False,
    ) -> None:
        if not 0 < fuzzy_threshold <= 100:
            raise ConfigurationError(
                f"fuzzy_threshold is a rapidfuzz score in (0, 100], not {fuzzy_threshold}"
            )
        if not 0 < embedding_threshold <= 1:
            raise ConfigurationError(
                f"embedding_threshold is a cosine similarity in (0, 1], not {embedding_threshold}"
            )
        self._store = store
        self._embedder = embedder
        self._fuzzy_threshold = float(fuzzy_threshold)
        self._embedding_threshold = float(embedding_threshold)
        self._rename_stored = rename_stored
        self._groups: dict[str, GroupIndex] = {}
        self._lock = threading.Lock()

    def forget(self, group_id: str | None = None) -> None:
        """Drop the cache of one group (``None``: of all groups); it reloads on next use."""
        with self._lock:
            if group_id is None:
                self._groups.clear()
            else:
                self._groups.pop(group_id, None)

    def resolve(
        self, group_id: str, mentions: Sequence[EntityMention], *, now: datetime
    ) -> Resolution:
        """Resolve ``mentions`` of ``group_id``; ``now`` is the ``created_at`` of new entities."""
        moment = parse_time(now, field="now")
        queries, query_of = distinct_queries(mentions)
        if not queries:
            return Resolution(group_id, mentions, [], [], [])
        with self._lock:
            index, unwritten = self._index_for(group_id, mentions, queries)
            draft = Draft(index, moment, None if self._rename_stored else unwritten)
            resolved = self._match(draft, queries)
            vectors = self._embed(draft)
            redirect = self._merge_by_embedding(draft, vectors)
            self._fill_embeddings(draft, vectors)
            final = [redirect.get(u, u) for u in resolved]
            new_ids = list(draft.created)
            used = dict.fromkeys(final)
            new_ids += [u for u in used if u in unwritten and not draft.is_new(u)]
            listed = set(new_ids)
            updated_ids = [u for u in draft.changed if u not in listed]
            new_ids += [u for u in updated_ids if u in unwritten]
            updated_ids = [u for u in updated_ids if u not in unwritten]
            entities = [draft.entity(final[query_of[i]]) for i in range(len(mentions))]
            result = Resolution(
                group_id,
                mentions,
                entities,
                [draft.entity(u) for u in new_ids],
                [draft.entity(u) for u in updated_ids],
            )
            for uuid, entity in draft.changed.items():
                index.put(entity, vectors.get(entity.name), draft.computed_keys(uuid))
                index.pending[uuid] = index.entities[uuid]
            return result

    def commit(self, resolution: Resolution) -> None:
        """Tell the resolver that ``resolution``'s entities were written.

        Optional: without it the next batch of the group asks the store which of them exist.
        """
        with self._lock:
            index = self._groups.get(resolution.group_id)
            if index is None:
                return
            for entity in resolution.to_write:
                if index.pending.get(entity.uuid) is entity:
                    del index.pending[entity.uuid]

    # -- the group cache -------------------------------------------------------------------

    def _index_for(
        self, group_id: str, mentions: Sequence[EntityMention], queries: list[Query]
    ) -> tuple[GroupIndex, set[str]]:
        """The group's cache, refreshed from the store, and the uuids the store lacks."""
        index = self._groups.get(group_id)
        if index is None:
            index = GroupIndex(group_id, self._embedder.dimension)
            index.put_many(_ordered(self._store.find_entities(group_id)))
            self._groups[group_id] = index
            return index, set()
        names = sorted({q.display for q in queries} | {" ".join(m.name.split()) for m in mentions})
        fetched = list(self._store.find_entities(group_id, [n for n in names if n]))
        pending = sorted(set(index.pending) - {e.uuid for e in fetched})
        if pending:
            fetched += self._store.get_entities(group_id, pending)
        index.put_many(_ordered(fetched))  # the store's version wins
        for entity in fetched:
            index.pending.pop(entity.uuid, None)
        return index, set(index.pending)

    # -- rules 1-3 ---------------------------------------------------------------------------

    def _match(self, draft: Draft, queries: list[Query]) -> list[str]:
        """Rules 1-3 (new entities where none applies), in query order."""
        candidates = self._fuzzy_candidates(draft.index, queries)
        resolved: list[str] = []
        for i, query in enumerate(queries):
            uuid = self._exact(draft, query)
            if uuid is not None:  # a no-op unless the name was lost in a write that failed
                draft.add_alias(uuid, query.display, query.family, query.key)
            if query.is_speaker:
                if uuid is None:
                    uuid = draft.create(query)
                draft.mark_speaker(uuid)
            elif uuid is None:
                if not query.exact:
                    uuid = self._by_first_name(draft, query)
                if uuid is None and not query.exact:
                    uuid = self._by_short_name(draft, query)
                if uuid is None and query.fuzzy:
                    uuid = self._by_fuzzy(draft, query, candidates.get(i, ()), queries, resolved)
                    if uuid is not None:
                        draft.add_alias(uuid, query.display, query.family, query.key)
                if uuid is None:
                    uuid = draft.create(query)
            resolved.append(uuid)
        return resolved

    @staticmethod
    def _exact(draft: Draft, query: Query) -> str | None:
        owners = draft.lookup(query.family, query.key)
        if not owners and not query.exact and query.label in GENERIC_LABELS:
            # Rule 1b: a chat's "Northgate Clinic" (an Organization) is the record's Customer.
            records = draft.lookup(RECORD_FAMILY, record_name_key(query.display))
            owners = records if len(records) == 1 else []
        if not owners:
            return None
        return next((u for u in owners if draft.is_speaker(u)), owners[0])

    @staticmethod
    def _by_first_name(draft: Draft, query: Query) -> str | None:
        """Rule 2; on a match the entity is completed (name or alias) already."""
        if query.family != PERSON:
            return None
        tokens = query.key.split()
        people = draft.named_first(PERSON, tokens[0])
        if len(people) != 1:
            return None
        uuid = people[0]
        own = [k for k in draft.keys_of(uuid, PERSON) if k.split()[0] == tokens[0]]
        has_full_name = any(" " in k for k in own)
        if len(tokens) == 1:
            if not has_full_name:
                return None
            draft.add_alias(uuid, query.display, PERSON, query.key)
            return uuid
        if has_full_name:
            return None
        entity = draft.entity(uuid)
        if (
            not draft.is_speaker(uuid)
            and draft.may_rename(uuid)
            and name_key(entity.name, PERSON) == tokens[0]
        ):
            draft.rename(uuid, query.display)
        else:
            draft.add_alias(uuid, query.display, PERSON, query.key)
        return uuid

    @staticmethod
    def _by_short_name(draft: Draft, query: Query) -> str | None:
        """Rule 2b: "Northwind" is "Northwind Bank" when exactly one known organisation's name
        starts with that word (and is longer); the short name becomes an alias."""
        if query.family != ORGANIZATION or " " in query.key:
            return None
        longer = [
            uuid
            for uuid in draft.named_first(ORGANIZATION, query.key)
            if any(" " in key for key in draft.keys_of(uuid, ORGANIZATION))
        ]
        if len(longer) != 1:
            return None
        draft.add_alias(longer[0], query.display, ORGANIZATION, query.key)
        return longer[0]

    def _fuzzy_candidates(
        self, index: GroupIndex, queries: list[Query]
    ) -> dict[int, list[tuple[str, int]]]:
        """Per query index, shortlisted ("bank", i) known keys and ("batch", j) earlier queries.

        One cdist per family over the known keys plus the batch's own keys.
        """
        by_family: dict[str, list[int]] = {}
        for i, query in enumerate(queries):
            by_family.setdefault(query.family, []).append(i)
        result: dict[int, list[tuple[str, int]]] = {}
        for family, members in by_family.items():
            asking = [
                i for i in members if queries[i].fuzzy and not index.lookup(family, queries[i].key)
            ]
            if not asking:
                continue
            bank = index.fuzzy.get(family)
            bank_keys = bank.keys if bank is not None else []
            choices = [*bank_keys, *(queries[j].key for j in members)]
            hits = shortlist(
                [queries[i].key for i in asking], choices, family, self._fuzzy_threshold
            )
            for i, row in zip(asking, hits, strict=True):
                picked: list[tuple[str, int]] = []
                for col in row:
                    if col < len(bank_keys):
                        picked.append(("bank", col))
                    elif (j := members[col - len(bank_keys)]) < i:
                        picked.append(("batch", j))
                result[i] = picked
        return result

    def _by_fuzzy(
        self,
        draft: Draft,
        query: Query,
        candidates: Sequence[tuple[str, int]],
        queries: list[Query],
        resolved: list[str],
    ) -> str | None:
        """Rule 3: the one entity whose name is close enough, if there is exactly one."""
        bank = draft.index.fuzzy.get(query.family)
        scored: dict[str, float] = {}
        for source, position in candidates:
            if source == "bank" and bank is not None:
                key, uuid = bank.keys[position], bank.uuids[position]
            else:
                key, uuid = queries[position].key, resolved[position]
            score = fuzzy_score(query.key, key, query.family, self._fuzzy_threshold)
            if score is not None and score > scored.get(uuid, -1.0):
                scored[uuid] = score
        if not scored:
            return None
        if query.family == PERSON:  # two close people: a typo of which? leave it alone
            return next(iter(scored)) if len(scored) == 1 else None
        best = max(scored.values())
        winners = [u for u, s in scored.items() if s == best]
        return winners[0] if len(winners) == 1 else None

    # -- embeddings and rule 4 -------------------------------------------------------------

    def _embed(self, draft: Draft) -> dict[str, Vectors]:
        """Name vectors for every created, renamed or embedding-less changed entity: one call."""
        texts: dict[str, None] = {}
        for uuid, entity in draft.changed.items():
            if draft.is_new(uuid) or uuid in draft.renamed or not entity.name_embedding:
                texts[entity.name] = None
        if not texts:
            return {}
        matrix = self._embedder.embed(list(texts))
        if matrix.shape != (len(texts), self._embedder.dimension):
            raise ConfigurationError(
                f"embedder {self._embedder.name!r} returned shape {matrix.shape} for "
                f"{len(texts)} texts, expected ({len(texts)}, {self._embedder.dimension})"
            )
        return {text: matrix[row] for row, text in enumerate(texts)}

    def _merge_by_embedding(self, draft: Draft, vectors: dict[str, Vectors]) -> dict[str, str]:
        """Rule 4 for the entities this batch created; returns absorbed uuid -> target uuid."""
        by_family: dict[str, list[str]] = {}
        for uuid in draft.created:
            family = draft.created_family[uuid]
            if (
                family not in EMBEDDING_EXCLUDED_FAMILIES
                and not draft.is_speaker(uuid)
                and uuid not in draft.created_exact
            ):
                by_family.setdefault(family, []).append(uuid)
        redirect: dict[str, str] = {}
        threshold = self._embedding_threshold
        for family, members in by_family.items():
            queries = np.vstack([vectors[draft.entity(u).name] for u in members])
            bank = draft.index.vectors.get(family)
            known = _similar(bank.matrix(), queries, threshold) if bank is not None else None
            among = _similar(queries, queries, threshold)
            survivors: set[int] = set()
            for i, uuid in enumerate(members):
                numbers = numbers_of(name_key(draft.entity(uuid).name, family))
                target = None
                if known is not None and bank is not None:
                    hits = [(bank.uuids[row], score) for row, score in known[i]]
                    target = _best(hits, numbers, draft, family)
                if target is None:
                    hits = [(members[j], score) for j, score in among[i] if j in survivors]
                    target = _best(hits, numbers, draft, family)
                if target is None:
                    survivors.add(i)
                    continue
                draft.absorb(uuid, target, family)
                redirect[uuid] = target
        for uuid, target in list(redirect.items()):  # chains end at a survivor or a known one
            while target in redirect:
                target = redirect[target]
            redirect[uuid] = target
        return redirect

    def _fill_embeddings(self, draft: Draft, vectors: dict[str, Vectors]) -> None:
        missing = [
            e.name for e in draft.changed.values() if not e.name_embedding and e.name not in vectors
        ]
        if missing:  # an alias added to an entity stored without its vector (rare)
            matrix = self._embedder.embed(list(dict.fromkeys(missing)))
            vectors.update(zip(dict.fromkeys(missing), matrix, strict=True))
        for uuid in list(draft.changed):
            entity = draft.changed[uuid]
            if draft.is_new(uuid) or uuid in draft.renamed or not entity.name_embedding:
                draft.set_embedding(uuid, vectors[entity.name])


def _similar(matrix: Vectors, queries: Vectors, threshold: float) -> list[list[tuple[int, float]]]:
    """For each query row, the (row of ``matrix``, cosine) pairs at or above ``threshold``."""
    result: list[list[tuple[int, float]]] = [[] for _ in range(len(queries))]
    if not len(matrix):
        return result
    step = max(1, _CELLS_PER_BLOCK // len(matrix))
    for start in range(0, len(queries), step):
        block = matrix @ queries[start : start + step].T
        for row, column in zip(*np.nonzero(block >= threshold), strict=True):
            result[start + int(column)].append((int(row), float(block[row, column])))
    return result


def _best(
    hits: Sequence[tuple[str, float]], numbers: tuple[str, ...], draft: Draft, family: str
) -> str | None:
    """The best-scoring uuid of ``hits`` whose name has the same ``numbers`` (first on ties)."""
    order = sorted(range(len(hits)), key=lambda k: (-hits[k][1], k))
    for k in order:
        uuid = hits[k][0]
        if numbers_of(name_key(draft.entity(uuid).name, family)) == numbers:
            return uuid
    return None


def _ordered(entities: Sequence[Entity]) -> list[Entity]:
    """Entities in a stable order (creation time, then uuid), whatever the store returned."""
    return sorted(entities, key=lambda e: (e.created_at, e.uuid))
