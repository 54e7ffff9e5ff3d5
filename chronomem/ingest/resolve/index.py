"""The resolver's per-group cache: the group's entities and the indexes matching reads from.

A :class:`GroupIndex` is loaded once from the store and then kept up to date with every entity
the resolver creates or changes (and with entities the store reports), so resolving a batch
never re-reads the whole group. Indexes only grow: a name once known keeps pointing to its
entity, even if a later version of the entity was written without it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import numpy as np
import numpy.typing as npt

from chronomem.ingest.resolve.names import (
    EMBEDDING_EXCLUDED_FAMILIES,
    FIRST_WORD_FAMILIES,
    FUZZY_EXCLUDED_FAMILIES,
    RECORD_FAMILY,
    entity_families,
    is_key_alias,
    name_key,
    record_name_key,
)
from chronomem.schema import Entity

__all__ = ["FuzzyBank", "GroupIndex", "VectorBank", "entity_keys"]

Vectors = npt.NDArray[np.float32]
_EMPTY: Final[tuple[str, ...]] = ()


def entity_keys(entity: Entity) -> dict[str, tuple[str, ...]]:
    """Per family of the entity, the keys of its name and aliases (the name's key first); a
    record's keyed entity also under :data:`RECORD_FAMILY` (its names, not its keys)."""
    result: dict[str, tuple[str, ...]] = {}
    for family in sorted(entity_families(entity.labels)):
        keys: list[str] = []
        for name in (entity.name, *entity.aliases):
            key = name_key(name, family)
            if key not in keys:
                keys.append(key)
        result[family] = tuple(keys)
    if any(is_key_alias(alias, entity.labels) for alias in entity.aliases):
        names = [entity.name, *(a for a in entity.aliases if not is_key_alias(a, entity.labels))]
        result[RECORD_FAMILY] = tuple(dict.fromkeys(record_name_key(n) for n in names))
    return result


class VectorBank:
    """Unit name vectors of one family's entities, stacked for matrix products."""

    def __init__(self, dimension: int) -> None:
        self._dimension = dimension
        self.uuids: list[str] = []
        self._members: set[str] = set()
        self._rows: list[Vectors] = []
        self._matrix: Vectors | None = None

    def __len__(self) -> int:
        return len(self.uuids)

    def __contains__(self, uuid: object) -> bool:
        return uuid in self._members

    def add(self, uuid: str, vector: Vectors) -> None:
        """Append ``uuid``'s vector; an entity already in the bank keeps its first vector."""
        if uuid in self._members:
            return
        self._members.add(uuid)
        self.uuids.append(uuid)
        self._rows.append(vector.reshape(1, self._dimension))
        self._matrix = None

    def matrix(self) -> Vectors:
        """All vectors as one ``(len(self), dimension)`` array (stacked once per change)."""
        if self._matrix is None:
            if self._rows:
                self._matrix = np.ascontiguousarray(np.vstack(self._rows), dtype=np.float32)
                self._rows = [self._matrix]
            else:
                self._matrix = np.zeros((0, self._dimension), dtype=np.float32)
        return self._matrix


class FuzzyBank:
    """Every known key of one family, each with the entity it names, in insertion order."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.uuids: list[str] = []
        self._seen: set[tuple[str, str]] = set()

    def add(self, key: str, uuid: str) -> None:
        if (key, uuid) not in self._seen:
            self._seen.add((key, uuid))
            self.keys.append(key)
            self.uuids.append(uuid)


class GroupIndex:
    """What the resolver knows about one group's entities."""

    def __init__(self, group_id: str, dimension: int) -> None:
        self.group_id = group_id
        self.dimension = dimension
        self.entities: dict[str, Entity] = {}
        self.keys: dict[str, dict[str, tuple[str, ...]]] = {}
        self.exact: dict[tuple[str, str], list[str]] = {}
        # the first word of each key of a person or an organisation -> the entities with it
        self.first: dict[tuple[str, str], list[str]] = {}
        self.fuzzy: dict[str, FuzzyBank] = {}
        self.vectors: dict[str, VectorBank] = {}
        self.pending: dict[str, Entity] = {}
        """Entities this resolver made or changed that were neither committed nor seen in the
        store since, by uuid, in the version the resolver returned."""

    def keys_of(self, uuid: str, family: str) -> tuple[str, ...]:
        return self.keys.get(uuid, {}).get(family, _EMPTY)

    def lookup(self, family: str, key: str) -> list[str]:
        return self.exact.get((family, key), [])

    def put_many(self, entities: Iterable[Entity]) -> None:
        for entity in entities:
            self.put(entity)

    def put(
        self,
        entity: Entity,
        vector: Vectors | None = None,
        keys: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        """Record ``entity`` (new or a newer version) and index all of its names.

        ``vector`` is its name embedding when known as an array; otherwise the entity's own
        ``name_embedding`` is used. An entity keeps the first name vector it was indexed with;
        a newer version without an embedding keeps the cached one. ``keys``: the result of
        :func:`entity_keys` for ``entity`` when already computed.
        """
        uuid = entity.uuid
        previous = self.entities.get(uuid)
        if (
            previous is not None
            and entity.name_embedding is None
            and previous.name_embedding
            and previous.name == entity.name
        ):
            entity = entity.model_copy(update={"name_embedding": previous.name_embedding})
        self.entities[uuid] = entity
        if keys is None:
            keys = entity_keys(entity)
        self.keys[uuid] = keys
        for family, family_keys in keys.items():
            for key in family_keys:
                owners = self.exact.setdefault((family, key), [])
                if uuid not in owners:
                    owners.append(uuid)
                if family in FIRST_WORD_FAMILIES:
                    first = self.first.setdefault((family, key.split()[0]), [])
                    if uuid not in first:
                        first.append(uuid)
                if family not in FUZZY_EXCLUDED_FAMILIES:
                    self.fuzzy.setdefault(family, FuzzyBank()).add(key, uuid)
            if family in EMBEDDING_EXCLUDED_FAMILIES:
                continue
            bank = self.vectors.setdefault(family, VectorBank(self.dimension))
            if uuid not in bank:
                row = vector if vector is not None else _as_vector(entity, self.dimension)
                if row is not None:
                    bank.add(uuid, row)


def _as_vector(entity: Entity, dimension: int) -> Vectors | None:
    embedding = entity.name_embedding
    if embedding is None or len(embedding) != dimension:
        return None
    return np.asarray(embedding, dtype=np.float32)
