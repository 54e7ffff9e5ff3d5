"""What a memory holds, for comparing runs and checking invariants after crashes. Test support
only: reads every row of a group as its backend lists them, expired ones too."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from chronomem.memory import Memory
from chronomem.schema import Entity, Episode, Fact

__all__ = ["GraphSnapshot", "all_uuids", "check_invariants", "snapshot"]

FactKey = tuple[Any, ...]


@dataclass(frozen=True)
class GraphSnapshot:
    """A group's content without uuids or ingest times, so two runs can be compared."""

    episodes: frozenset[str]
    entities: Counter[tuple[str, tuple[str, ...]]]
    facts: Counter[FactKey]

    def counts(self) -> tuple[int, int, int]:
        """Episodes, entities and fact rows."""
        return len(self.episodes), sum(self.entities.values()), sum(self.facts.values())

    def statements(self) -> Counter[FactKey]:
        """The fact rows without their interval ends and expiry: what was said and when it
        started, whatever the temporal resolver then closed."""
        loose: Counter[FactKey] = Counter()
        for key, n in self.facts.items():
            loose[key[:5] + key[7:]] += n
        return loose

    def said(self) -> dict[tuple[Any, ...], frozenset[str]]:
        """(subject, relation, object) -> the turns behind any row of it: what extraction and
        entity resolution produced, whatever the temporal resolver then merged or split."""
        turns: dict[tuple[Any, ...], set[str]] = {}
        for key in self.facts:
            turns.setdefault(key[:3], set()).update(key[7])
        return {triple: frozenset(ids) for triple, ids in turns.items()}

    def duplicates(self) -> list[FactKey]:
        """Believed (unexpired) fact rows stored more than once: same content and interval.
        (Expired versions may repeat: a revision history can hold equal past versions.)"""
        return [key for key, n in self.facts.items() if n > 1 and not key[6]]


def all_uuids(mem: Memory, group_id: str, kind: str) -> list[str]:
    """Every stored uuid of ``kind`` ("episode", "entity" or "fact") in a group, expired fact
    rows too (from the store's :meth:`~chronomem.engine.store.GraphStore.dump`, which lists
    the group's rows the backend's own way, on any backend)."""
    dumped = mem.store.dump(group_id)
    rows: dict[str, list[Episode] | list[Entity] | list[Fact]] = {
        "episode": dumped.episodes,
        "entity": dumped.entities,
        "fact": dumped.facts,
    }
    return [row.uuid for row in rows[kind]]


def _facts(mem: Memory, group_id: str) -> list[Fact]:
    return mem.store.dump(group_id).facts


def snapshot(mem: Memory, group_id: str) -> GraphSnapshot:
    """The group's episodes (by source id), entities (name, labels) and fact rows."""
    store = mem.store
    episodes = store.get_episodes(group_id, all_uuids(mem, group_id, "episode"))
    entities = store.find_entities(group_id)
    names = {e.uuid: e.name for e in entities}
    facts: Counter[FactKey] = Counter()
    for f in _facts(mem, group_id):
        facts[
            (
                names.get(f.subject_uuid),
                f.relation,
                names.get(f.object_uuid),
                f.fact,
                f.valid_at,
                f.invalid_at,
                f.expired_at is not None,
                tuple(sorted(f.sources)),
                len(f.episodes),
            )
        ] += 1
    return GraphSnapshot(
        episodes=frozenset(e.source_id for e in episodes),
        entities=Counter((e.name, tuple(sorted(e.labels))) for e in entities),
        facts=facts,
    )


def check_invariants(mem: Memory, group_id: str, *, batch_size: int, total: int) -> list[str]:
    """Problems with a group written in batches of ``batch_size`` fresh episodes (empty: fine).

    - the episode count is a whole number of batches (or every episode): no batch half-written;
    - every fact's episodes, subject and object are stored in the group;
    - no episode is stored twice; no fact row is stored twice.
    """
    problems: list[str] = []
    store = mem.store
    # Facts first: a writer may be running, and whatever a fact read sees was committed
    # before the episodes and entities read after it.
    facts = _facts(mem, group_id)
    episode_uuids = all_uuids(mem, group_id, "episode")
    count = len(episode_uuids)
    if count % batch_size and count != total:
        problems.append(f"{count} episodes: not a whole number of batches of {batch_size}")
    episodes = store.get_episodes(group_id, episode_uuids)
    source_ids = [e.source_id for e in episodes]
    if len(set(source_ids)) != len(source_ids):
        problems.append("an episode is stored twice")
    known_episodes = set(episode_uuids)
    entity_uuids = set(all_uuids(mem, group_id, "entity"))
    if len({f.uuid for f in facts}) != len(facts):
        problems.append("a fact uuid is stored twice")
    for f in facts:
        missing = [u for u in f.episodes if u not in known_episodes]
        if missing:
            problems.append(f"fact {f.fact!r} cites missing episodes {missing}")
        for end in (f.subject_uuid, f.object_uuid):
            if end not in entity_uuids:
                problems.append(f"fact {f.fact!r} refers to missing entity {end}")
    if facts and not episodes:
        problems.append("facts stored without any episode")
    return problems
