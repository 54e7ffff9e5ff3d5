"""Recognising the entities a query names: exact lookup in the store, then fuzzy matching.

Exact matches come from :meth:`GraphStore.find_entities` on the query's n-grams, or, given the
group's name index on a store keeping entity revisions (so the index is as fresh as the
store), from the index, then read by uuid. Near matches
of capitalised n-grams (typos such as "Globexx"; rapidfuzz ``ratio`` of at least 88, so "Jon"
does not match "John") come from a per-group index of entity names and aliases, built once
and rebuilt when the group's entities change: the store's entity revision setting (one
key read) where the store keeps one (``StoreCapabilities.entity_revisions``), else the group's
counts (:meth:`GraphStore.stats`, which costs a count of every row).
"""

from __future__ import annotations

import math
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from rapidfuzz import fuzz, process

from chronomem.engine.store.protocol import GraphStore, entity_revision_key
from chronomem.query.text import STOPWORDS, name_ngrams
from chronomem.schema import Entity, name_key

__all__ = ["NameIndex", "NameIndexCache", "recognise_entities"]

#: rapidfuzz ``ratio`` (0-100) a query n-gram needs to match a name it does not equal.
FUZZY_CUTOFF: Final = 88.0
#: N-grams shorter than this are only matched exactly.
_MIN_FUZZY_CHARS: Final = 5
#: A group whose name index holds at least this many names and aliases has a search's exact
#: matches looked up in the index (a store may scan the group's aliases for them).
INDEX_LOOKUP_MIN: Final = 2_000
#: At most this many n-grams of a query are matched fuzzily.
_MAX_FUZZY_GRAMS: Final = 12


@dataclass(frozen=True, slots=True)
class NameIndex:
    """All names and aliases of one group's entities, folded, with their entity uuids.

    ``keys`` are sorted by length: a fuzzy match only compares the names whose length allows
    the cutoff (``ratio`` is at most ``200 * shorter / (sum of lengths)``), a slice of them."""

    keys: tuple[str, ...]
    owners: tuple[tuple[str, ...], ...]
    names: dict[str, frozenset[str]]
    """Entity uuid -> its folded name and aliases."""
    lengths: tuple[int, ...] = ()
    """``len(keys[i])``, ascending."""
    exact: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Folded name or alias -> the uuids of the entities it names (``keys`` to ``owners``)."""

    @classmethod
    def build(cls, entities: Sequence[Entity]) -> NameIndex:
        by_key: dict[str, list[str]] = {}
        names: dict[str, frozenset[str]] = {}
        for entity in entities:
            folded = frozenset(name_key(n) for n in (entity.name, *entity.aliases))
            names[entity.uuid] = folded
            for key in folded:
                by_key.setdefault(key, []).append(entity.uuid)
        keys = tuple(sorted(by_key, key=lambda k: (len(k), k)))
        owners = tuple(tuple(dict.fromkeys(by_key[k])) for k in keys)
        exact = dict(zip(keys, owners, strict=True))
        return cls(keys, owners, names, tuple(len(k) for k in keys), exact)

    def named(self, names: Sequence[str]) -> list[str]:
        """The uuids of the entities whose folded name or alias is that of one of ``names``."""
        keys = {name_key(n) for n in names}
        return list(dict.fromkeys(u for k in sorted(keys) for u in self.exact.get(k, ())))

    def fuzzy(self, grams: Sequence[str], cutoff: float = FUZZY_CUTOFF) -> list[str]:
        """Entity uuids whose name is close to one of ``grams`` (best match per gram)."""
        found: list[str] = []
        if not self.keys:
            return found
        for gram in grams:
            key = name_key(gram)
            if len(key) < _MIN_FUZZY_CHARS:
                continue
            low = bisect_left(self.lengths, math.ceil(len(key) * cutoff / (200 - cutoff) - 1e-9))
            high = bisect_right(self.lengths, math.floor(len(key) * (200 - cutoff) / cutoff + 1e-9))
            if low >= high:
                continue
            hit = process.extractOne(
                key, self.keys[low:high], scorer=fuzz.ratio, score_cutoff=cutoff
            )
            if hit is not None:
                found.extend(self.owners[low + hit[2]])
        return list(dict.fromkeys(found))


class NameIndexCache:
    """Per-group :class:`NameIndex`, rebuilt when the group's entities change. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[object, NameIndex]] = {}

    def get(self, store: GraphStore, group_id: str) -> NameIndex:
        version = _entity_version(store, group_id)
        with self._lock:
            entry = self._entries.get(group_id)
            if entry is not None and entry[0] == version:
                return entry[1]
        index = NameIndex.build(store.find_entities(group_id, vectors=False))
        with self._lock:
            self._entries[group_id] = (version, index)
        return index

    def known_size(self, group_id: str) -> int:
        """How many names and aliases the group's index held when last built (0: none built),
        without checking its freshness (no store read)."""
        with self._lock:
            entry = self._entries.get(group_id)
        return 0 if entry is None else len(entry[1].keys)

    def clear(self) -> None:
        """Forget every index (they are rebuilt on next use)."""
        with self._lock:
            self._entries.clear()


def _capitalised(gram: str) -> bool:
    """Whether ``gram`` is written like a name: it starts with a capital, and its other words
    are capitalised too, or function words."""
    words = gram.split()
    return bool(words) and all(
        w[:1].isupper() or (i > 0 and w.casefold() in STOPWORDS) for i, w in enumerate(words)
    )


def _entity_version(store: GraphStore, group_id: str) -> object:
    """A value that changes whenever the entities of ``group_id`` may have changed."""
    if store.capabilities.entity_revisions:
        return ("revision", store.get_meta(entity_revision_key(group_id)))
    stats = store.stats(group_id)
    return ("counts", stats.entities, stats.facts, stats.episodes)


def recognise_entities(
    store: GraphStore,
    group_id: str,
    text: str,
    index: NameIndex | Callable[[], NameIndex | None] | None = None,
    *,
    by_index: bool = True,
) -> list[Entity]:
    """Entities of ``group_id`` named in ``text``: exact name/alias matches of its n-grams,
    plus (given the group's ``index``) near matches of the n-grams that matched nothing
    exactly. Longer names first. ``by_index=False``: exact matches from the store even given
    the index (for a small group, one lookup beside the index's freshness check is quicker
    than the check, then a read by uuid). ``index`` may be a function giving it, called after the
    exact matches are read (so a caller can check the index's freshness meanwhile)."""
    grams = name_ngrams(text)
    if not grams:
        return []
    if by_index and index is not None and store.capabilities.entity_revisions:
        # The index is as fresh as the group's entity revision: its exact matches are the
        # store's, read by uuid (a store's lookup by name or alias may scan the group: on
        # Neo4j, every entity's aliases, 60,000 entities in 85-240 ms).
        if callable(index):
            index = index()
        exact = _by_uuid(store, group_id, index.named(grams)) if index is not None else None
    else:
        exact = None
    if exact is None:
        exact = store.find_entities(group_id, names=grams, vectors=False)
    matched = {name_key(n) for e in exact for n in (e.name, *e.aliases)}
    entities = {e.uuid: e for e in exact if e.group_id == group_id}
    if callable(index):
        index = index()
    if index is not None:
        # Names are written capitalised: only n-grams whose words are all capitalised (but
        # function words: "Bank of America") are matched fuzzily, and none inside a name
        # found exactly ("Daria" once "Daria Ostdansel" is found; a longer n-gram around it
        # may still name someone else). This also bounds the work on memories with very
        # many entities.
        found = [set(name_key(g).split()) for g in grams if name_key(g) in matched]
        rest = [
            g
            for g in grams
            if _capitalised(g)
            and not any(set(name_key(g).split()) <= words for words in found)
            and not set(name_key(g).split()) <= STOPWORDS
        ][:_MAX_FUZZY_GRAMS]
        missing = [u for u in index.fuzzy(rest) if u not in entities]
        for entity in store.get_entities(group_id, missing, vectors=False) if missing else []:
            if entity.group_id == group_id:
                entities[entity.uuid] = entity
    return sorted(entities.values(), key=lambda e: -len(e.name))


def _by_uuid(store: GraphStore, group_id: str, uuids: Sequence[str]) -> list[Entity]:
    """The entities of ``uuids`` in ``group_id``, in the order of ``find_entities`` (by
    creation, then uuid)."""
    found = store.get_entities(group_id, uuids, vectors=False) if uuids else []
    return sorted(found, key=lambda e: (e.created_at, e.uuid))
