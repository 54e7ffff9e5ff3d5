"""Copy a group from one :class:`~chronomem.engine.store.protocol.GraphStore` into another.

Every row is copied as it is (expired fact rows and transaction times included), so the copy
answers ``as_of`` and ``known_at`` queries exactly like the original, whatever the two backends.
Writes are idempotent (by uuid and source id): an interrupted copy can simply be run again.

A row the destination holds already is *merged*, never overwritten, by the bi-temporal rules:
a fact row expired in either store stays expired (at the earlier time, with what expired it),
so copying a stale copy again never reopens a fact the destination has closed; provenance is
the union of both; an entity keeps every label and alias either store gave it.
Settings (:meth:`GraphStore.get_meta`) are not copied here: which of them travel with a group
is the caller's knowledge.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, TypeVar

from chronomem.engine.store.protocol import GraphStore, WriteBatch
from chronomem.errors import InputError
from chronomem.schema import Entity, Episode, Fact

__all__ = ["REEMBED_CHUNK", "CopyCounts", "Reembed", "copy_group", "merge_fact_rows"]

_T = TypeVar("_T")

Reembed = Callable[[Sequence[Episode]], list[Episode]]
"""Episodes with their vectors computed again, e.g. ``partial(with_vectors, embedder)``
(:func:`~chronomem.engine.episode_text.with_vectors`)."""

REEMBED_CHUNK: Final = 256
"""At most this many episodes (and fact rows) are written per step of a copy that re-embeds,
so that progress is reported every few seconds."""


@dataclass(frozen=True, slots=True)
class CopyCounts:
    """What a copy wrote: groups, episodes, entities and fact rows (expired ones included)."""

    groups: int = 0
    episodes: int = 0
    entities: int = 0
    facts: int = 0

    def __add__(self, other: CopyCounts) -> CopyCounts:
        return CopyCounts(
            groups=self.groups + other.groups,
            episodes=self.episodes + other.episodes,
            entities=self.entities + other.entities,
            facts=self.facts + other.facts,
        )

    def as_dict(self) -> dict[str, int]:
        """The counts by name: ``groups``, ``episodes``, ``entities``, ``facts``."""
        return {
            "groups": self.groups,
            "episodes": self.episodes,
            "entities": self.entities,
            "facts": self.facts,
        }


def copy_group(
    source: GraphStore,
    destination: GraphStore,
    group_id: str,
    *,
    chunk: int = 2000,
    reembed: Reembed | None = None,
    progress: Callable[[int], None] | None = None,
) -> CopyCounts:
    """Copy everything of ``group_id`` from ``source`` into ``destination``.

    Entities are written first, then episodes with their mentions, then fact rows, each in
    steps of ``chunk`` rows (at most :data:`REEMBED_CHUNK` with ``reembed``). ``reembed``, if
    given, replaces the episodes' vectors on the way (the rest keeps its vectors). ``progress``
    is told the episodes re-embedded (with ``reembed``) and the fact rows written, step by step.
    """
    if chunk < 1:
        raise InputError(f"chunk must be at least 1, got {chunk}")
    if reembed is not None:
        chunk = min(chunk, REEMBED_CHUNK)
    dump = source.dump(group_id)
    destination.write(WriteBatch(entities=_merged_entities(destination, group_id, dump.entities)))
    by_episode: dict[str, list[tuple[str, str]]] = {}
    for mention in dump.mentions:
        by_episode.setdefault(mention[0], []).append(mention)
    for start in range(0, len(dump.episodes), chunk):
        part = dump.episodes[start : start + chunk]
        mentions = [m for e in part for m in by_episode.get(e.uuid, [])]
        if reembed is not None:
            part = reembed(part)
        destination.write(WriteBatch(episodes=part, mentions=mentions))
        if reembed is not None and progress is not None:
            progress(len(part))
    for start in range(0, len(dump.facts), chunk):
        part_facts = _merged_facts(destination, group_id, dump.facts[start : start + chunk])
        destination.write(WriteBatch(facts=part_facts))
        if progress is not None:
            progress(len(part_facts))
    return CopyCounts(
        groups=1,
        episodes=len(dump.episodes),
        entities=len(dump.entities),
        facts=len(dump.facts),
    )


def _union(*lists: Sequence[_T]) -> list[_T]:
    return list(dict.fromkeys(item for items in lists for item in items))


def _merged_entities(
    destination: GraphStore, group_id: str, entities: Sequence[Entity]
) -> list[Entity]:
    """``entities`` with the labels and aliases the destination gave them kept."""
    held = {
        e.uuid: e
        for e in destination.get_entities(group_id, [e.uuid for e in entities], vectors=False)
    }
    out: list[Entity] = []
    for entity in entities:
        theirs = held.get(entity.uuid)
        if theirs is not None:
            entity = entity.model_copy(
                update={
                    "labels": _union(entity.labels, theirs.labels),
                    "aliases": _union(entity.aliases, theirs.aliases),
                    "summary": entity.summary or theirs.summary,
                }
            )
        out.append(entity)
    return out


def merge_fact_rows(ours: Fact, theirs: Fact) -> Fact:
    """One fact row (same uuid) held by two stores, merged by the bi-temporal rules: expired
    if either is (the earlier expiry wins, with what caused it), provenance of both."""
    update: dict[str, object] = {
        "episodes": _union(theirs.episodes, ours.episodes),
        "sources": _union(theirs.sources, ours.sources),
        "observed_at": sorted(set(theirs.observed_at) | set(ours.observed_at)),
    }
    expired = [row for row in (theirs, ours) if row.expired_at is not None]
    if expired:
        first = min(expired, key=lambda row: row.expired_at or row.created_at)
        update["expired_at"] = first.expired_at
        update["invalidated_by"] = first.invalidated_by
        update["invalidated_by_episode"] = first.invalidated_by_episode
    elif theirs.invalidated_by is not None and ours.invalidated_by is None:
        update["invalidated_by"] = theirs.invalidated_by
        update["invalidated_by_episode"] = theirs.invalidated_by_episode
    return ours.model_copy(update=update)


def _merged_facts(destination: GraphStore, group_id: str, facts: Sequence[Fact]) -> list[Fact]:
    held = {
        f.uuid: f for f in destination.get_facts(group_id, [f.uuid for f in facts], vectors=False)
    }
    return [merge_fact_rows(f, held[f.uuid]) if f.uuid in held else f for f in facts]
