"""The right to be forgotten: what an erasure removes, and the receipt it leaves.

An erasure starts from episodes and entities to forget and follows what depends on them, by
the rules of the bi-temporal model:

- a fact row whose every supporting episode is erased goes (it has no other source), and so
  does every fact row with an erased entity at either end;
- a fact row with other support stays, without the erased episodes in its provenance (and
  without references to erased episodes or rows in ``invalidated_by*``), and with the dates
  the erased episodes gave it recomputed from what remains (:func:`_revised_intervals`): a
  start stated only by an erased turn goes (the row starts at its first start left, and the
  value it closed ends there instead), an ending stated by an erased turn goes, and a value
  closed by a row that goes is closed by that row's own successor, or holds again;
- an entity that only erased episodes mentioned and that no remaining fact links goes too
  (its name came from the erased text);
- a kept entity loses the aliases the erased text introduced: stores do not record where an
  alias came from, so an alias goes when it occurs (as whole words, case and spacing folded)
  in an erased episode's text or speaker, in no kept episode's, and is not the entity's name.

:func:`plan_erasure` computes the :class:`~chronomem.engine.store.protocol.Erasure` from a
group's :meth:`~chronomem.engine.store.protocol.GraphStore.dump`; the store applies it in one
transaction. The :class:`ErasureReceipt` says what was removed, in counts, and never the erased
content.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from chronomem.engine.profile import build_profile, summary_of
from chronomem.engine.store.protocol import Erasure, WriteBatch
from chronomem.schema import Entity, Episode, Fact, name_key, utcnow

__all__ = ["ErasureKind", "ErasureReceipt", "plan_erasure"]

ErasureKind = Literal["episode", "entity", "group"]


@dataclass(frozen=True, slots=True)
class ErasureReceipt:
    """What an erasure removed: counts and when, never the erased names or text."""

    kind: ErasureKind
    group_id: str
    erased_at: datetime
    episodes: int
    entities: int
    facts: int
    facts_updated: int
    settings: int
    entities_updated: int = 0
    """Kept entities that lost aliases only the erased text held."""

    def as_dict(self) -> dict[str, object]:
        """The receipt as JSON-ready values."""
        return {
            "kind": self.kind,
            "group_id": self.group_id,
            "erased_at": self.erased_at.isoformat(),
            "episodes": self.episodes,
            "entities": self.entities,
            "facts": self.facts,
            "facts_updated": self.facts_updated,
            "settings": self.settings,
            "entities_updated": self.entities_updated,
        }


def plan_erasure(
    dump: WriteBatch,
    group_id: str,
    *,
    episodes: Collection[str] = (),
    entities: Collection[str] = (),
    settings: Sequence[str] = (),
    functional: Collection[str] = (),
    now: datetime | None = None,
    order: Sequence[str] = (),
) -> Erasure:
    """The erasure of ``episodes`` and ``entities`` (uuids) of ``group_id``, whose whole
    content is ``dump``, with everything that depends on them (see the module docstring).
    A kept entity that loses facts as their subject gets the summary of what is left (its
    profile over the one-value relations ``functional`` at ``now``,
    :mod:`chronomem.engine.profile`), so no summary names what was erased."""
    gone_episodes = set(episodes)
    gone_entities = set(entities)
    gone_facts: set[str] = set()
    for fact in dump.facts:
        touches = fact.subject_uuid in gone_entities or fact.object_uuid in gone_entities
        unsupported = bool(fact.episodes) and set(fact.episodes) <= gone_episodes
        if touches or unsupported:
            gone_facts.add(fact.uuid)
    # entities named only in what goes
    mentioned_left: set[str] = set()
    candidates: set[str] = set()
    for episode_uuid, entity_uuid in dump.mentions:
        if episode_uuid in gone_episodes:
            candidates.add(entity_uuid)
        else:
            mentioned_left.add(entity_uuid)
    linked_left: set[str] = set()
    for fact in dump.facts:
        ends = {fact.subject_uuid, fact.object_uuid}
        if fact.uuid in gone_facts:
            candidates |= ends
        else:
            linked_left |= ends
    gone_entities |= candidates - mentioned_left - linked_left
    source_ids = {e.uuid: e.source_id for e in dump.episodes}
    updated = []
    for fact in dump.facts:
        if fact.uuid in gone_facts:
            continue
        kept = [e for e in fact.episodes if e not in gone_episodes]
        change: dict[str, object] = {}
        if len(kept) != len(fact.episodes):
            change["episodes"] = kept
            change["sources"] = list(dict.fromkeys(source_ids[e] for e in kept if e in source_ids))
        if fact.invalidated_by_episode in gone_episodes:
            change["invalidated_by_episode"] = None
        if fact.invalidated_by in gone_facts:
            change["invalidated_by"] = None
        if change:
            updated.append(fact.model_copy(update=change))
    updated = _revised_intervals(dump, updated, gone_episodes, gone_facts)
    erased = [e for e in dump.episodes if e.uuid in gone_episodes]
    kept_episodes = [e for e in dump.episodes if e.uuid not in gone_episodes]
    kept_entities = [e for e in dump.entities if e.uuid not in gone_entities]
    renamed = {e.uuid: e for e in _without_erased_aliases(kept_entities, erased, kept_episodes)}
    losing = {f.subject_uuid for f in dump.facts if f.uuid in gone_facts}
    kept_facts = [f for f in dump.facts if f.uuid not in gone_facts]
    names = {e.uuid: e.name for e in kept_entities}
    moment = now or utcnow()
    for entity in kept_entities:
        if entity.uuid not in losing:
            continue
        current = renamed.get(entity.uuid, entity)
        summary = summary_of(
            build_profile(current, kept_facts, names, functional, at=moment, order=order)
        )
        if summary != current.summary:
            renamed[entity.uuid] = current.model_copy(update={"summary": summary})
    return Erasure(
        group_id=group_id,
        episodes=sorted(gone_episodes & set(source_ids)),
        entities=sorted(gone_entities & {e.uuid for e in dump.entities}),
        facts=sorted(gone_facts),
        updated_facts=updated,
        updated_entities=list(renamed.values()),
        settings=list(settings),
    )


def _revised_intervals(
    dump: WriteBatch, updated: list[Fact], gone_episodes: set[str], gone_facts: set[str]
) -> list[Fact]:
    """``updated`` (kept rows that lost provenance), plus every kept row whose interval
    depended on what goes, each with its interval recomputed without it.

    A row records its stated starts (``observed_at``), not which episode stated each: a start
    is taken as the erased turn's when it is the reference time of an erased supporting
    episode and of no kept one (an undated statement starts at its turn's time; records start
    at their row's time). A start given by an explicit date in an erased turn cannot be told
    from the others and stays. An explicit end (``invalidated_by`` unset) goes when the
    episode that stated it is erased, unless a kept supporting episode is of that time."""
    times = {e.uuid: e.reference_time for e in dump.episodes}
    original = {f.uuid: f for f in dump.facts}
    rows = {f.uuid: f for f in updated}
    starts: dict[str, datetime | None] = {}  # a row's new start, where it moved
    for fact in updated:
        before = original[fact.uuid]
        lost = {times[e] for e in before.episodes if e in gone_episodes and e in times}
        kept = {times[e] for e in fact.episodes if e in times}
        dropped = lost - kept
        change: dict[str, object] = {}
        if dropped & set(before.observed_at):
            observed = [t for t in before.observed_at if t not in dropped]
            change["observed_at"] = observed
            if before.valid_at in dropped:
                start = min(observed) if observed else None
                change["valid_at"] = start
                starts[fact.uuid] = start
        if (
            before.invalid_at is not None
            and before.invalidated_by is None
            and before.invalidated_by_episode in gone_episodes
            and before.invalid_at not in kept
        ):
            change["invalid_at"] = None
        if change:
            rows[fact.uuid] = fact.model_copy(update=change)
    # A value closed by a row that goes is closed by that row's successor (or holds again);
    # a value closed by a row whose start moved ends where that row now starts.
    for fact in dump.facts:
        closer = fact.invalidated_by
        if fact.uuid in gone_facts or closer is None or fact.invalid_at is None:
            continue
        seen: set[str] = set()
        while closer in gone_facts and closer not in seen:
            seen.add(closer)
            closer = original[closer].invalidated_by if closer in original else None
        if closer == fact.invalidated_by and closer not in starts:
            continue
        current = rows.get(fact.uuid, fact)
        if closer is None or closer not in original:
            end, by = None, None
        else:
            successor = rows.get(closer, original[closer])
            end, by = successor.valid_at, closer
        if end is not None and current.valid_at is not None and end <= current.valid_at:
            end, by = current.invalid_at, current.invalidated_by
        change = {"invalid_at": end, "invalidated_by": by}
        if end is None:
            change["invalidated_by_episode"] = None
        rows[fact.uuid] = current.model_copy(update=change)
    return list(rows.values())


def _without_erased_aliases(
    entities: Sequence[Entity], erased: Sequence[Episode], kept: Sequence[Episode]
) -> list[Entity]:
    """``entities`` that have an alias found in the ``erased`` episodes' text but in none of
    the ``kept`` ones' (nor equal to their name), without those aliases."""
    if not erased:
        return []
    erased_text = _folded_text(erased)
    kept_text: str | None = None  # folded only if an alias needs it
    updated = []
    for entity in entities:
        name = name_key(entity.name)
        dropped = set()
        for alias in entity.aliases:
            key = name_key(alias)
            if not key or key == name or not _holds(erased_text, key):
                continue
            if kept_text is None:
                kept_text = _folded_text(kept)
            if not _holds(kept_text, key):
                dropped.add(alias)
        if dropped:
            aliases = [a for a in entity.aliases if a not in dropped]
            updated.append(entity.model_copy(update={"aliases": aliases}))
    return updated


def _folded_text(episodes: Iterable[Episode]) -> str:
    """The speakers and contents of ``episodes``, folded as names are (:func:`name_key`),
    one per line."""
    parts = (name_key(f"{e.speaker or ''}\n{e.content}") for e in episodes)
    return "\n".join(parts)


def _holds(text: str, key: str) -> bool:
    """Whether ``key`` occurs in ``text`` as whole words."""
    return re.search(rf"(?<!\w){re.escape(key)}(?!\w)", text) is not None
