"""A small in-memory GraphStore with the protocol's reference semantics, for query tests.

Full-text scoring is a plain term-overlap count (enough to rank), vectors are exact cosine.
It records every call so tests can check which reads a search made.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from chronomem.engine.store.protocol import (
    FactFilter,
    ScoredId,
    StoreCapabilities,
    TextTarget,
    VectorTarget,
    WriteBatch,
)
from chronomem.schema import Entity, Episode, Fact, Stats, name_key, utcnow

_WORD = re.compile(r"[^\W_]+")


def _terms(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text)}


class MemoryStore:
    """GraphStore over dicts. ``calls`` lists the names of the methods called."""

    def __init__(self) -> None:
        self.episodes: dict[str, Episode] = {}
        self.entities: dict[str, Entity] = {}
        self.facts: dict[str, Fact] = {}
        self.mention_pairs: set[tuple[str, str]] = set()
        self.meta: dict[str, str] = {}
        self.calls: list[str] = []

    @property
    def capabilities(self) -> StoreCapabilities:
        return StoreCapabilities(
            name="memory", native_vector_index=False, native_fulltext=False, server=False
        )

    def write(self, batch: WriteBatch) -> None:
        for episode in batch.episodes:
            self.episodes.setdefault(episode.uuid, episode)
        for entity in batch.entities:
            self.entities[entity.uuid] = entity
        for fact in batch.facts:
            self.facts[fact.uuid] = fact
        self.mention_pairs.update(batch.mentions)

    def _log(self, name: str) -> None:
        self.calls.append(name)

    def get_episodes(
        self, group_id: str, uuids: Sequence[str], *, vectors: bool = True
    ) -> list[Episode]:
        self._log("get_episodes")
        found = [e for u in uuids if (e := self.episodes.get(u)) and e.group_id == group_id]
        if vectors:
            return found
        bare = {"content_embedding": None, "sentence_embeddings": None}
        return [e.model_copy(update=bare) for e in found]

    def known_sources(self, group_id: str, source: str, source_ids: Sequence[str]) -> set[str]:
        wanted = set(source_ids)
        return {
            e.source_id
            for e in self.episodes.values()
            if e.group_id == group_id and e.source == source and e.source_id in wanted
        }

    def get_entities(
        self, group_id: str, uuids: Sequence[str], *, vectors: bool = True
    ) -> list[Entity]:
        self._log("get_entities")
        found = [e for u in uuids if (e := self.entities.get(u)) and e.group_id == group_id]
        return _entities(found, vectors)

    def find_entities(
        self,
        group_id: str,
        names: Sequence[str] | None = None,
        labels: Sequence[str] | None = None,
        *,
        vectors: bool = True,
    ) -> list[Entity]:
        self._log("find_entities")
        folded = None if names is None else {name_key(n) for n in names}
        found = []
        for entity in self.entities.values():
            if entity.group_id != group_id:
                continue
            keys = {name_key(n) for n in (entity.name, *entity.aliases)}
            if folded is not None and not keys & folded:
                continue
            if labels is not None and not set(labels) & set(entity.labels):
                continue
            found.append(entity)
        return _entities(found, vectors)

    def get_facts(self, group_id: str, uuids: Sequence[str], *, vectors: bool = True) -> list[Fact]:
        self._log("get_facts")
        found = [f for u in uuids if (f := self.facts.get(u)) and f.group_id == group_id]
        return _facts(found, vectors)

    def list_facts(
        self, group_id: str, where: FactFilter, limit: int | None = None, *, vectors: bool = True
    ) -> list[Fact]:
        now = utcnow()
        rows = [f for f in self.facts.values() if f.group_id == group_id and where.accepts(f, now)]
        rows.sort(key=lambda f: (f.valid_at is not None, f.valid_at or f.created_at, f.created_at))
        return _facts(rows[:limit] if limit is not None else rows, vectors)

    def fulltext(
        self, group_id: str, query: str, target: TextTarget, limit: int, where: FactFilter
    ) -> list[ScoredId]:
        self._log(f"fulltext:{target}")
        wanted = _terms(query)
        now = utcnow()
        scored: list[ScoredId] = []
        items: list[Any]
        if target == "fact":
            items = [f for f in self.facts.values() if where.accepts(f, now)]
        elif target == "entity":
            items = list(self.entities.values())
        else:
            items = list(self.episodes.values())
        for item in items:
            if item.group_id != group_id:
                continue
            if target == "fact":
                text = item.fact
            elif target == "entity":
                text = " ".join([item.name, *item.aliases])
            else:
                text = item.content
            overlap = len(wanted & _terms(text))
            if overlap:
                scored.append((item.uuid, float(overlap)))
        scored.sort(key=lambda s: (-s[1], s[0]))
        return scored[:limit]

    def vector(
        self,
        group_id: str,
        embedding: npt.NDArray[np.float32],
        target: VectorTarget,
        limit: int,
        where: FactFilter,
    ) -> list[ScoredId]:
        self._log(f"vector:{target}")
        now = utcnow()
        scored: list[ScoredId] = []
        if target == "fact":
            for fact in self.facts.values():
                if fact.group_id == group_id and fact.fact_embedding and where.accepts(fact, now):
                    scored.append((fact.uuid, float(np.dot(embedding, fact.fact_embedding))))
        else:
            for entity in self.entities.values():
                if entity.group_id == group_id and entity.name_embedding:
                    scored.append((entity.uuid, float(np.dot(embedding, entity.name_embedding))))
        scored.sort(key=lambda s: (-s[1], s[0]))
        return scored[:limit]

    def neighbors(
        self,
        group_id: str,
        entity_uuids: Sequence[str],
        where: FactFilter,
        limit: int = 1000,
        *,
        vectors: bool = True,
    ) -> list[Fact]:
        self._log("neighbors")
        ends = set(entity_uuids)
        now = utcnow()
        rows = [
            f
            for f in self.facts.values()
            if f.group_id == group_id
            and (f.subject_uuid in ends or f.object_uuid in ends)
            and where.accepts(f, now)
        ]
        return _facts(rows[:limit], vectors)

    def mentions(self, group_id: str, episode_uuids: Sequence[str]) -> dict[str, list[str]]:
        self._log("mentions")
        wanted = {
            u for u in episode_uuids if u in self.episodes and self.episodes[u].group_id == group_id
        }
        found: dict[str, list[str]] = {}
        for episode, entity in sorted(self.mention_pairs):
            if episode in wanted:
                found.setdefault(episode, []).append(entity)
        return found

    def stats(self, group_id: str | None = None) -> Stats:
        def mine(group: str) -> bool:
            return group_id is None or group == group_id

        facts = [f for f in self.facts.values() if mine(f.group_id)]
        now = utcnow()
        groups = {
            *(e.group_id for e in self.episodes.values()),
            *(e.group_id for e in self.entities.values()),
            *(f.group_id for f in facts),
        }
        return Stats(
            episodes=sum(mine(e.group_id) for e in self.episodes.values()),
            entities=sum(mine(e.group_id) for e in self.entities.values()),
            facts=len(facts),
            current_facts=sum(FactFilter(current_only=True).accepts(f, now) for f in facts),
            groups=len(groups) if group_id is None else int(bool(groups)),
        )

    def groups(self) -> list[str]:
        return sorted(
            {
                *(e.group_id for e in self.episodes.values()),
                *(e.group_id for e in self.entities.values()),
                *(f.group_id for f in self.facts.values()),
            }
        )

    def dump(self, group_id: str) -> WriteBatch:
        episodes = [e for e in self.episodes.values() if e.group_id == group_id]
        mine = {e.uuid for e in episodes}
        return WriteBatch(
            episodes=episodes,
            entities=[e for e in self.entities.values() if e.group_id == group_id],
            facts=[f for f in self.facts.values() if f.group_id == group_id],
            mentions=sorted(pair for pair in self.mention_pairs if pair[0] in mine),
        )

    def get_meta(self, key: str) -> str | None:
        return self.meta.get(key)

    def set_meta(self, key: str, value: str) -> None:
        self.meta[key] = value

    def close(self) -> None:
        pass


class TimelineMemoryStore(MemoryStore):
    """A MemoryStore with the EpisodeTimeline capability (adjacent episodes by time)."""

    def adjacent_episodes(
        self, group_id: str, episode_uuids: Sequence[str], before: int = 1, after: int = 1
    ) -> dict[str, list[Episode]]:
        self._log("adjacent_episodes")
        found: dict[str, list[Episode]] = {}
        for uuid in episode_uuids:
            episode = self.episodes.get(uuid)
            if episode is None or episode.group_id != group_id:
                continue
            line = sorted(
                (
                    e
                    for e in self.episodes.values()
                    if e.group_id == group_id
                    and e.source == episode.source
                    and e.session == episode.session
                ),
                key=lambda e: (e.reference_time, e.uuid),
            )
            at = line.index(episode)
            found[uuid] = line[max(0, at - before) : at] + line[at + 1 : at + 1 + after]
        return found


def _facts(rows: list[Fact], vectors: bool) -> list[Fact]:
    return rows if vectors else [f.model_copy(update={"fact_embedding": None}) for f in rows]


def _entities(rows: list[Entity], vectors: bool) -> list[Entity]:
    return rows if vectors else [e.model_copy(update={"name_embedding": None}) for e in rows]
