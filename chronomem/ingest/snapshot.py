"""What a full export says by what it leaves out: the endings of a ``snapshot`` source.

A records mapping of ``kind: snapshot`` declares that every file is the whole table as of its
time (the latest record time in the file). Between two snapshots of a source, a value that was
listed in the earlier one and is not in the later one ended at the later one's time: its row is
missing (the customer, the employee, the product is gone), its cell is empty (the truck has no
driver) or it dropped out of a list cell (a tag removed). For a functional relation a different
value in the later snapshot already closes the old one (the temporal resolver's rule "new
value"), so no ending is added there.

The snapshot times of each (group, source) are kept in the store's settings, so the endings do
not depend on the order files arrive in: a late snapshot both ends what it leaves out of earlier
ones and has its own values ended by the next snapshot already stored that lacks them.

A late snapshot can also *move* an ending earlier: January lists a value, March (stored) does
not, so the value ended in March; February, arriving last, does not list it either, so it ended
in February. The stored row's explicit end is then revised to February (a new version of the
row, the old one expired, as rule 6 of ``docs/temporal.md`` does) instead of stating a second
ending, which the resolver would read as an interval of unknown start between the two.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from chronomem.engine.store.protocol import FactFilter, GraphStore, WriteBatch
from chronomem.errors import StoreError
from chronomem.ingest.extract.protocol import CandidateFact, EntityMention, Extraction
from chronomem.ingest.pipeline import source_key_alias
from chronomem.ingest.resolve.names import label_family, name_key
from chronomem.ingest.sources.mapping import RecordMapping, RelationColumn
from chronomem.ingest.sources.record_candidates import cell_values, label_words
from chronomem.ingest.sources.records import Record
from chronomem.schema import (
    Episode,
    EpisodeKind,
    Fact,
    content_hash,
    new_uuid,
    parse_time,
    stable_uuid,
    utcnow,
)

__all__ = ["FileKind", "SnapshotPlan", "file_kind", "plan_snapshot"]

_Slot = tuple[str, str, str]  # (entity key, relation, value key)


@dataclass(frozen=True, slots=True)
class SnapshotPlan:
    """The endings one snapshot file implies, and the settings to store once it is written.

    ``pair`` is the episode that states the endings with their candidates (``None`` when
    nothing ends); ``revisions`` are stored rows whose explicit end moves earlier (each old
    version expired and its new version), to write before ``pair``; ``settings`` (store
    settings key -> value) record the source's snapshot times, to store once all is written.
    """

    time: datetime
    pair: tuple[Episode, Extraction] | None
    settings: dict[str, str]
    revisions: WriteBatch


FileKind = Literal["snapshot", "change_log", "one_row"]


def file_kind(mapping: RecordMapping, records: Sequence[Record]) -> FileKind:
    """What one file of ``mapping``'s source is by itself.

    A declared ``kind`` decides. Without one (``auto``) the file's shape does: an export of a
    table stamps every row with the time it was taken, so a file whose rows all carry one
    record time, each key once, is a ``snapshot`` as of that time. A file whose rows carry
    different times (each row as of its own change), and every file of a ``valid_from``
    mapping (each row states its own validity), is a ``change_log``. A single row is
    ``one_row``: an export of a one-row table or one changed row; :func:`plan_snapshot` reads it
    as an export once its source has had an export of two rows or more (before or after it). A
    change log delivered as same-time batches declares ``kind: change_log``.
    """
    if mapping.kind != "auto":
        return mapping.kind
    if mapping.time.column is None or not records:
        return "change_log"
    times = {record.time for record in records}
    keys = {record.key for record in records}
    if len(times) > 1 or len(keys) < len(records):
        return "change_log"
    return "one_row" if len(records) == 1 else "snapshot"


def snapshot_times_key(group_id: str, source: str) -> str:
    """The settings key under which a group's snapshot times of ``source`` are kept."""
    return f"records.snapshots:{group_id}:{source}"


def one_row_times_key(group_id: str, source: str) -> str:
    """The settings key of the times of one-row files of an ``auto`` source not yet read as
    exports (the source has had no export of two rows or more so far)."""
    return f"records.one_row:{group_id}:{source}"


def plan_snapshot(
    store: GraphStore, group_id: str, mapping: RecordMapping, records: Sequence[Record]
) -> SnapshotPlan | None:
    """The endings implied by ``records``, one file of ``mapping``'s source; ``None`` for a
    change log (see :func:`file_kind`)."""
    kind = file_kind(mapping, records)
    if kind == "change_log":
        return None
    time = max(record.time for record in records)
    meta_key = snapshot_times_key(group_id, mapping.source)
    stored_times = _stored_times(store, meta_key)
    waiting_key = one_row_times_key(group_id, mapping.source)
    waiting = _stored_times(store, waiting_key)
    if kind == "one_row" and not stored_times:
        later = json.dumps([t.isoformat() for t in sorted({*waiting, time})])
        return SnapshotPlan(time, None, {waiting_key: later}, WriteBatch())
    fresh = {time, *waiting}  # times whose neighbours are compared now
    times = sorted({*stored_times, *fresh})
    settings = {meta_key: json.dumps([t.isoformat() for t in times])}
    if waiting:
        settings[waiting_key] = "[]"
    known = set(times)
    columns = _columns_by_relation(mapping)
    functional = mapping.cardinalities()

    present: dict[_Slot, set[datetime]] = defaultdict(set)
    ended: dict[_Slot, list[datetime]] = defaultdict(list)
    stored: dict[_Slot, list[Fact]] = defaultdict(list)
    shown: dict[_Slot, str] = {}
    names: dict[str, str] = {}
    for record in records:
        names[record.key] = record.name
        for column in mapping.relation_columns:
            for value in cell_values(record, column):
                slot = (record.key, column.relation, _value_key(value, column))
                present[slot].add(time)
                shown.setdefault(slot, value)

    entities = _keyed_entities(store, group_id, mapping)
    if entities:
        where = FactFilter(subject_uuids=tuple(entities), relations=tuple(columns))
        rows = [r for r in store.list_facts(group_id, where, vectors=False) if r.expired_at is None]
        objects = {
            e.uuid: e.name
            for e in store.get_entities(
                group_id, sorted({r.object_uuid for r in rows}), vectors=False
            )
        }
        for row in rows:
            stored_name = objects.get(row.object_uuid)
            if stored_name is None:
                continue
            key, name = entities[row.subject_uuid]
            names.setdefault(key, name)
            slot = (key, row.relation, _value_key(stored_name, columns[row.relation]))
            present[slot].update(t for t in row.observed_at if t in known)
            shown.setdefault(slot, stored_name)
            stored[slot].append(row)
            if row.invalid_at is not None:
                ended[slot].append(row.invalid_at)

    values_at: dict[tuple[str, str], dict[datetime, set[str]]] = defaultdict(
        lambda: defaultdict(set)
    )
    for (key, relation, value), moments in present.items():
        for moment in moments:
            values_at[(key, relation)][moment].add(value)

    endings: list[tuple[_Slot, datetime]] = []
    moved: list[tuple[_Slot, Fact, datetime]] = []
    for slot, moments in present.items():
        key, relation, _ = slot
        for moment in sorted(moments):
            following = [t for t in times if t > moment]
            if not following:
                continue
            after = following[0]
            if not fresh & {moment, after} or after in moments:
                continue
            late = _ended_later(stored[slot], moment, after)
            if late is not None:
                moved.append((slot, late, after))  # its stored end moves to this snapshot
                continue
            if functional.get(relation, True) and values_at[(key, relation)].get(after):
                continue  # replaced by another value: the resolver closes it
            if any(moment < end <= after for end in ended[slot]):
                continue  # already over by then
            endings.append((slot, after))
    if not endings and not moved:
        return SnapshotPlan(time, None, settings, WriteBatch())
    stated = endings + [(slot, after) for slot, _, after in moved]
    revised = {slot for slot, _, _ in moved}
    pair = _ending_pair(group_id, mapping, time, stated, revised, names, shown, columns, records)
    episode, _ = pair
    return SnapshotPlan(
        time,
        pair,
        settings,
        _revisions(store, group_id, [(row, after) for _, row, after in moved], episode),
    )


def _ended_later(rows: Sequence[Fact], moment: datetime, after: datetime) -> Fact | None:
    """The stored row holding at ``moment`` whose explicit end lies beyond ``after`` (a
    snapshot at ``after`` lacks its value, so it ended at ``after`` already), if any."""
    for row in rows:
        if (
            row.invalid_at is not None
            and row.invalidated_by is None
            and row.invalid_at > after
            and (row.valid_at is None or row.valid_at <= moment)
            and all(start < after for start in row.observed_at)
        ):
            return row
    return None


def _revisions(
    store: GraphStore, group_id: str, moves: Sequence[tuple[Fact, datetime]], episode: Episode
) -> WriteBatch:
    """Each row's explicit end moved earlier: the old version expired, a new one written."""
    now = utcnow()
    facts: list[Fact] = []
    end_of = {row.uuid: moment for row, moment in moves}
    for row in store.get_facts(group_id, list(end_of)):
        time = end_of[row.uuid]
        uuid = new_uuid()
        facts.append(
            row.model_copy(
                update={
                    "expired_at": now,
                    "invalidated_by": uuid,
                    "invalidated_by_episode": episode.uuid,
                }
            )
        )
        facts.append(
            row.model_copy(
                update={
                    "uuid": uuid,
                    "invalid_at": time,
                    "created_at": now,
                    "expired_at": None,
                    "invalidated_by": None,
                    "invalidated_by_episode": episode.uuid,
                    "episodes": list(dict.fromkeys([*row.episodes, episode.uuid])),
                    "sources": list(dict.fromkeys([*row.sources, episode.source_id])),
                    "lineage": row.lineage,
                }
            )
        )
    return WriteBatch(facts=facts)


def _stored_times(store: GraphStore, meta_key: str) -> list[datetime]:
    raw = store.get_meta(meta_key)
    if raw is None:
        return []
    try:
        return [parse_time(item, field=meta_key) for item in json.loads(raw)]
    except (ValueError, TypeError) as exc:
        raise StoreError(
            f"setting {meta_key!r} is not a JSON list of ISO-8601 times ({exc}); "
            "the store was modified by hand"
        ) from None


def _columns_by_relation(mapping: RecordMapping) -> dict[str, RelationColumn]:
    columns: dict[str, RelationColumn] = {}
    for column in mapping.relation_columns:
        columns.setdefault(column.relation, column)
    return columns


def _value_key(value: str, column: RelationColumn) -> str:
    return name_key(value, label_family(column.label))


def _keyed_entities(
    store: GraphStore, group_id: str, mapping: RecordMapping
) -> dict[str, tuple[str, str]]:
    """uuid -> (source key, name) of the group's entities keyed under the mapping's label."""
    prefix = source_key_alias(mapping.entity.label, "")
    found: dict[str, tuple[str, str]] = {}
    for entity in store.find_entities(group_id, vectors=False):
        for alias in entity.aliases:
            if alias.startswith(prefix):
                found[entity.uuid] = (alias[len(prefix) :], entity.name)
                break
    return found


def _ending_pair(
    group_id: str,
    mapping: RecordMapping,
    time: datetime,
    endings: list[tuple[_Slot, datetime]],
    revised: set[_Slot],
    names: dict[str, str],
    shown: dict[_Slot, str],
    columns: dict[str, RelationColumn],
    records: Sequence[Record],
) -> tuple[Episode, Extraction]:
    """The episode stating every ending, with a candidate for each one not ``revised`` (a
    revised row carries its new end itself)."""
    listed = {record.key for record in records}
    endings = _sorted_endings(endings)
    parts: list[str] = []
    for (key, relation, value), moment in endings:
        column = columns[relation]
        where = "not in the export" if key not in listed else f"{column.column} no longer lists"
        parts.append(
            f"{label_words(mapping.entity.label)} {key} ({names.get(key, key)}) {where}: "
            f"{shown[(key, relation, value)]} ended {moment.date().isoformat()}"
        )
    content = f"{mapping.source} full export as of {time.isoformat()}: " + "; ".join(parts)
    source_id = content_hash(mapping.source, "snapshot", time.isoformat(), content)
    episode = Episode(
        uuid=stable_uuid(group_id, mapping.source, source_id),
        group_id=group_id,
        source=mapping.source,
        kind=EpisodeKind.RECORD,
        content=content,
        reference_time=time,
        source_id=source_id,
    )
    facts: list[CandidateFact] = []
    entities: list[EntityMention] = []
    for (key, relation, value), moment in endings:
        if (key, relation, value) in revised:
            continue
        column = columns[relation]
        name = names.get(key, key)
        subject = EntityMention(name=name, label=mapping.entity.label, key=key)
        target = EntityMention(name=shown[(key, relation, value)], label=column.label, exact=True)
        for mention in (subject, target):
            if mention not in entities:
                entities.append(mention)
        facts.append(
            CandidateFact(
                episode_uuid=episode.uuid,
                subject=subject,
                relation=relation,
                object=target,
                fact=column.statement(name, target.name),
                invalid_at=moment,
                ends=True,
            )
        )
    return episode, Extraction(episode_uuid=episode.uuid, entities=entities, facts=facts)


def _sorted_endings(endings: list[tuple[_Slot, datetime]]) -> list[tuple[_Slot, datetime]]:
    """Endings by time, then slot: the order the ending episode states them in."""
    return sorted(endings, key=lambda item: (item[1], item[0]))
