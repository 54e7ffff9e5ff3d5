"""Record keys and the entities they name.

- A table's row meets an entity the chat already made: the first time a record key is seen,
  the group's entity of the same name (or alias) takes the key, so chat and table share it.
  The other direction (records first, then chat) is rule 1 of the entity resolver: a chat's
  mention finds the record's keyed entity by name whatever its label.
- Renames: a keyed entity is called what its latest row (by record time) calls it; every
  earlier name stays an alias, so both the old and the new name find it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from chronomem.engine.store.protocol import FactFilter, GraphStore
from chronomem.ingest.resolve.names import is_key_alias, may_share_record, record_name_key
from chronomem.schema import Entity

__all__ = ["claim_record_keys", "latest_row_times", "renamed_record_entities"]


def claim_record_keys(
    store: GraphStore, group_id: str, label: str, names_by_alias: Mapping[str, Sequence[str]]
) -> list[Entity]:
    """The entities that take a record key no entity holds yet, each in its new version.

    ``names_by_alias`` maps a record's key alias (``label#key``) to the names its rows give.
    An entity takes the alias (and ``label``) when it is the only one of the group with one of
    those names (or aliases) that holds no key of ``label`` yet and may be that kind of thing
    (:func:`~chronomem.ingest.resolve.names.may_share_record`). The caller writes the result
    and tells the entity resolver (:meth:`EntityResolver.forget`).
    """
    if not names_by_alias:
        return []
    held = {
        alias
        for entity in store.find_entities(group_id, list(names_by_alias), vectors=False)
        for alias in entity.aliases
    }
    wanted = {alias: names for alias, names in names_by_alias.items() if alias not in held}
    every_name = sorted({name for names in wanted.values() for name in names})
    if not every_name:
        return []
    found = [
        entity
        for entity in store.find_entities(group_id, every_name)
        if may_share_record(entity.labels, label)
        and not any(is_key_alias(alias, [label]) for alias in entity.aliases)
    ]
    claimed: dict[str, Entity] = {}
    for alias, names in wanted.items():
        keys = {record_name_key(name) for name in names}
        candidates = [
            entity
            for entity in found
            if entity.uuid not in claimed
            and keys & {record_name_key(n) for n in (entity.name, *entity.aliases)}
        ]
        if len(candidates) != 1:
            continue
        entity = candidates[0]
        labels = entity.labels if label in entity.labels else [*entity.labels, label]
        claimed[entity.uuid] = entity.model_copy(
            update={"aliases": [*entity.aliases, alias], "labels": labels}
        )
    return list(claimed.values())


def latest_row_times(
    store: GraphStore,
    group_id: str,
    latest: Mapping[str, tuple[datetime, str]],
    relations: Sequence[str],
) -> dict[str, datetime]:
    """For each record key alias of ``latest`` held by an entity called otherwise than its
    latest row there, the latest time a stored row of the table stated (the latest start of
    the entity's facts of the table's ``relations``). Read before the rows are written."""
    owners: dict[str, str] = {}
    for entity in store.find_entities(group_id, list(latest), vectors=False):
        for alias in entity.aliases:
            if alias in latest and latest[alias][1] != entity.name:
                owners.setdefault(entity.uuid, alias)
    if not owners or not relations:
        return {}
    where = FactFilter(subject_uuids=tuple(owners), relations=tuple(relations))
    times: dict[str, datetime] = {}
    for row in store.list_facts(group_id, where, vectors=False):
        if row.expired_at is not None or not row.observed_at:
            continue
        alias = owners[row.subject_uuid]
        moment = max(row.observed_at)
        if alias not in times or moment > times[alias]:
            times[alias] = moment
    return times


def renamed_record_entities(
    store: GraphStore,
    group_id: str,
    latest: Mapping[str, tuple[datetime, str]],
    stored_times: Mapping[str, datetime],
) -> list[Entity]:
    """The record entities whose name follows their latest row, each in its new version.

    ``latest`` maps a key alias to the time and name of its latest row in the file just
    written; ``stored_times`` the latest row time stored before it (:func:`latest_row_times`).
    An entity takes the file's name when that row is at least as late as any stored one; its
    old name stays an alias. The caller embeds the new names, writes the result and tells the
    entity resolver.
    """
    found = store.find_entities(group_id, list(latest), vectors=False)
    renamed: dict[str, Entity] = {}
    for entity in found:
        for alias in entity.aliases:
            if alias not in latest or entity.uuid in renamed:
                continue
            time, name = latest[alias]
            before = stored_times.get(alias)
            if (before is not None and time < before) or name == entity.name:
                continue
            aliases = [entity.name, *(a for a in entity.aliases if a != name)]
            renamed[entity.uuid] = entity.model_copy(update={"name": name, "aliases": aliases})
    return list(renamed.values())
