"""Profiles: the current value of each one-value relation of an entity, from its fact rows.

A relation has one value at a time when the group's :class:`~chronomem.engine.temporal.
RelationRegistry` says so (the vocabulary's cardinalities, the group's record mappings,
``MemoryConfig.functional_relations``): where someone lives, works, their title, partner. The
profile at valid time ``t`` and transaction time ``k`` takes, for each such relation, the fact
row the memory believed at ``k`` (not expired then) whose validity holds at ``t``; its
``valid_at`` is the date the value became true. When two rows of one relation hold at once
(a relation declared one-value after it had several), the one that started last wins.

The profile now, as one line (:meth:`~chronomem.schema.Profile.text`), is kept as the entity's
``summary``: the write path recomputes it for every subject whose one-value facts a batch
changes (:func:`summaries_after`), and erasure for every subject that lost facts.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime

from chronomem.engine.store.protocol import FactFilter, GraphStore
from chronomem.schema import NAME_RELATION, TEXT_MAX_CHARS, Entity, Fact, Profile, ProfileEntry

__all__ = ["build_profile", "read_profiles", "summaries_after", "summary_of"]


def summary_of(profile: Profile, limit: int = TEXT_MAX_CHARS) -> str:
    """The profile's text as an entity's summary: whole entries, as many as fit in ``limit``
    characters (the summary's limit, :mod:`chronomem.schema.limits`)."""
    text = profile.text()
    while len(text) > limit:
        text = text.rpartition("; ")[0]
    return text


def _chosen(rows: Iterable[Fact], at: datetime, known_at: datetime | None) -> dict[str, Fact]:
    """Per relation, the row that holds at ``at`` as believed at ``known_at`` (latest start
    first, then latest written, then the statement: the same choice on every backend)."""
    best: dict[str, Fact] = {}
    for row in rows:
        if known_at is None:
            if row.expired_at is not None:
                continue
        elif not row.known_at(known_at):
            continue
        if not row.holds_at(at):
            continue
        held = best.get(row.relation)
        if held is None or _rank(row) > _rank(held):
            best[row.relation] = row
    return best


def _rank(row: Fact) -> tuple[bool, datetime, datetime, str, str]:
    start = row.valid_at or row.created_at
    return (row.valid_at is not None, start, row.created_at, row.fact, row.uuid)


def build_profile(
    entity: Entity,
    rows: Iterable[Fact],
    names: Mapping[str, str],
    functional: Collection[str],
    *,
    at: datetime,
    as_of: datetime | None = None,
    known_at: datetime | None = None,
    order: Sequence[str] = (),
) -> Profile:
    """The profile of ``entity`` from ``rows`` (any of its fact rows; the others are ignored):
    its one-value relations (``functional``) valid at ``at`` as believed at ``known_at`` (None:
    now). ``names`` gives object names by uuid (an object without one is left out);
    ``as_of``/``known_at`` are recorded in the profile; ``order`` lists relations in the order
    they are shown (the rest follow, by name)."""
    mine = (  # the name is the entity's own (its history shows renames), not a profile line
        r
        for r in rows
        if r.subject_uuid == entity.uuid
        and r.relation in functional
        and r.relation != NAME_RELATION
    )
    chosen = _chosen(mine, at, known_at)
    position = {relation: i for i, relation in enumerate(order)}
    entries = [
        ProfileEntry(
            relation=relation,
            value=names[row.object_uuid],
            value_uuid=row.object_uuid,
            since=row.valid_at,
            until=row.invalid_at,
            fact=row.fact,
            fact_uuid=row.uuid,
            sources=list(row.sources),
        )
        for relation, row in sorted(
            chosen.items(), key=lambda item: (position.get(item[0], len(position)), item[0])
        )
        if row.object_uuid in names
    ]
    return Profile(
        entity=entity.name,
        entity_uuid=entity.uuid,
        group_id=entity.group_id,
        as_of=as_of,
        known_at=known_at,
        entries=entries,
    )


def read_profiles(
    store: GraphStore,
    group_id: str,
    entities: Sequence[Entity],
    functional: Collection[str],
    *,
    now: datetime,
    as_of: datetime | None = None,
    known_at: datetime | None = None,
    order: Sequence[str] = (),
) -> list[Profile]:
    """The profiles of ``entities`` (of ``group_id``) at valid time ``as_of`` (None: ``now``)
    and transaction time ``known_at`` (None: now), in their order: two reads whatever their
    number (their fact rows, their values' names)."""
    if not entities or not functional:
        return [
            build_profile(e, (), {}, functional, at=now, as_of=as_of, known_at=known_at)
            for e in entities
        ]
    at = as_of or now
    where = FactFilter(
        as_of=at,
        known_at=known_at,
        relations=tuple(sorted(functional)),
        subject_uuids=tuple(sorted({e.uuid for e in entities})),
    )
    rows = store.list_facts(group_id, where, vectors=False)
    names = _names(store, group_id, rows, entities)
    return [
        build_profile(
            e, rows, names, functional, at=at, as_of=as_of, known_at=known_at, order=order
        )
        for e in entities
    ]


def summaries_after(
    store: GraphStore,
    group_id: str,
    subjects: Collection[str],
    written: Sequence[Fact],
    batch_entities: Sequence[Entity],
    functional: Collection[str],
    *,
    now: datetime,
    order: Sequence[str] = (),
) -> list[Entity]:
    """The entities of ``subjects`` whose summary changes once ``written`` (fact rows upserted
    by uuid) and ``batch_entities`` are stored, with their new summary; each in its batch
    version when it is one of ``batch_entities``, else read (with its vectors) from the store.
    Three reads at most, whatever the number of subjects."""
    if not subjects:
        return []
    wanted = tuple(sorted(subjects))
    in_batch = {e.uuid: e for e in batch_entities}
    missing = [u for u in wanted if u not in in_batch]
    holders = dict(in_batch)
    if missing:
        holders.update({e.uuid: e for e in store.get_entities(group_id, missing)})
    rows: dict[str, Fact] = {}
    if functional:
        where = FactFilter(relations=tuple(sorted(functional)), subject_uuids=wanted)
        rows = {r.uuid: r for r in store.list_facts(group_id, where, vectors=False)}
    rows.update({f.uuid: f for f in written if f.subject_uuid in subjects})
    current = list(_chosen_rows(rows.values(), functional, now))
    names = _names(store, group_id, current, [*batch_entities, *holders.values()])
    changed: list[Entity] = []
    for uuid in wanted:
        entity = holders.get(uuid)
        if entity is None:
            continue
        text = summary_of(build_profile(entity, current, names, functional, at=now, order=order))
        if text != entity.summary:
            changed.append(entity.model_copy(update={"summary": text}))
    return changed


def _chosen_rows(rows: Iterable[Fact], functional: Collection[str], at: datetime) -> list[Fact]:
    return [r for r in rows if r.expired_at is None and r.relation in functional and r.holds_at(at)]


def _names(
    store: GraphStore, group_id: str, rows: Iterable[Fact], known: Iterable[Entity]
) -> dict[str, str]:
    """Object names of ``rows`` by uuid: from ``known``, the rest read in one call."""
    names = {e.uuid: e.name for e in known}
    missing = sorted({r.object_uuid for r in rows} - names.keys())
    if missing:
        names.update({e.uuid: e.name for e in store.get_entities(group_id, missing, vectors=False)})
    return names
