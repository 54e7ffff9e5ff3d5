"""A table's row meets an entity the chat already made: the first time a record key is seen,
the group's entity of the same name (or alias) takes the key, so chat and table share it.

The other direction (records first, then chat) is rule 1 of the entity resolver: a chat's
mention finds the record's keyed entity by name whatever its label.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from chronomem.engine.store.protocol import GraphStore
from chronomem.ingest.resolve.names import is_key_alias, may_share_record, record_name_key
from chronomem.schema import Entity

__all__ = ["claim_record_keys"]


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
