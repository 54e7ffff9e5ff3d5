"""One batch of resolution: the distinct mentions asked about, and the changes made so far.

A :class:`Draft` layers a batch's new and changed entities over the group's
:class:`~chronomem.ingest.resolve.index.GroupIndex`; the index itself is only updated once the
batch has been resolved completely, so a failed batch leaves the cache as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

import numpy as np
import numpy.typing as npt

from chronomem.errors import InputError
from chronomem.ingest.extract.protocol import EntityMention
from chronomem.ingest.resolve.index import GroupIndex, entity_keys
from chronomem.ingest.resolve.names import (
    FIRST_WORD_FAMILIES,
    FUZZY_EXCLUDED_FAMILIES,
    RECORD_FAMILY,
    SPEAKER_LABEL,
    clean_name,
    label_family,
    name_key,
    record_name_key,
)
from chronomem.schema import Entity, EntityLabel

__all__ = ["Draft", "Query", "distinct_queries"]

Vectors = npt.NDArray[np.float32]
_FUZZY_MIN_KEY: Final = 4


@dataclass(frozen=True, slots=True)
class Query:
    """One distinct mention: what it is called, how it is compared, what it may become."""

    display: str
    label: str
    family: str
    key: str
    is_speaker: bool
    exact: bool = False

    @property
    def fuzzy(self) -> bool:
        return (
            not self.is_speaker
            and not self.exact
            and self.family not in FUZZY_EXCLUDED_FAMILIES
            and len(self.key) >= _FUZZY_MIN_KEY
        )


class Draft:
    """One batch's new and changed entities, read through together with a :class:`GroupIndex`
    that the draft never modifies.

    ``renamable``: the stored entities whose name may change (None: all of them); entities
    created in the draft may always be renamed.
    """

    def __init__(self, index: GroupIndex, now: datetime, renamable: set[str] | None) -> None:
        self.index = index
        self.now = now
        self._renamable = renamable
        self.changed: dict[str, Entity] = {}
        self.created: list[str] = []
        self.created_family: dict[str, str] = {}
        self.created_exact: set[str] = set()
        self.renamed: set[str] = set()
        self._keys: dict[str, dict[str, tuple[str, ...]]] = {}
        self._exact: dict[tuple[str, str], list[str]] = {}
        self._first: dict[tuple[str, str], list[str]] = {}

    def computed_keys(self, uuid: str) -> dict[str, tuple[str, ...]] | None:
        """The keys of a changed entity, as computed for the draft."""
        return self._keys.get(uuid)

    def entity(self, uuid: str) -> Entity:
        return self.changed.get(uuid) or self.index.entities[uuid]

    def is_new(self, uuid: str) -> bool:
        """Whether the draft created ``uuid`` (absorbed ones included)."""
        return uuid in self.created_family

    def may_rename(self, uuid: str) -> bool:
        """Whether ``uuid``'s name may change: it is new, or renaming stored ones is allowed."""
        return self._renamable is None or uuid in self._renamable or self.is_new(uuid)

    def is_speaker(self, uuid: str) -> bool:
        return SPEAKER_LABEL in self.entity(uuid).labels

    def keys_of(self, uuid: str, family: str) -> tuple[str, ...]:
        if uuid in self._keys:
            return self._keys[uuid].get(family, ())
        return self.index.keys_of(uuid, family)

    def lookup(self, family: str, key: str) -> list[str]:
        found = self.index.lookup(family, key)
        extra = self._exact.get((family, key))
        return found + [u for u in extra if u not in found] if extra else found

    def named_first(self, family: str, first: str) -> list[str]:
        """The people (or organisations) of ``family`` with a name whose first word is
        ``first``."""
        found = self.index.first.get((family, first), [])
        extra = self._first.get((family, first))
        return found + [u for u in extra if u not in found] if extra else found

    def _put(self, entity: Entity) -> None:
        uuid = entity.uuid
        self.changed[uuid] = entity
        keys = entity_keys(entity)
        self._keys[uuid] = keys
        for family, family_keys in keys.items():
            for key in family_keys:
                owners = self._exact.setdefault((family, key), [])
                if uuid not in owners:
                    owners.append(uuid)
                if family in FIRST_WORD_FAMILIES:
                    first = self._first.setdefault((family, key.split()[0]), [])
                    if uuid not in first:
                        first.append(uuid)

    def create(self, query: Query) -> str:
        labels = [query.label or EntityLabel.CONCEPT.value]
        if query.is_speaker:
            labels.append(SPEAKER_LABEL)
        entity = Entity(
            group_id=self.index.group_id,
            name=query.display,
            labels=labels,
            created_at=self.now,
        )
        self.created.append(entity.uuid)
        self.created_family[entity.uuid] = query.family
        if query.exact:
            self.created_exact.add(entity.uuid)
        self._put(entity)
        return entity.uuid

    def add_alias(self, uuid: str, display: str, family: str, key: str | None = None) -> None:
        """Add ``display`` (whose key is ``key`` if given) as an alias unless one of the
        entity's names has its key."""
        if (key or name_key(display, family)) in self.keys_of(uuid, family):
            return
        if record_name_key(display) in self.keys_of(uuid, RECORD_FAMILY):
            return  # a record's name, found from another family
        entity = self.entity(uuid)
        self._put(entity.model_copy(update={"aliases": [*entity.aliases, display]}))

    def rename(self, uuid: str, display: str) -> None:
        """Make ``display`` the name; the old name becomes the first alias."""
        entity = self.entity(uuid)
        aliases = [entity.name, *(a for a in entity.aliases if a != display)]
        self._put(entity.model_copy(update={"name": display, "aliases": aliases}))
        self.renamed.add(uuid)

    def mark_speaker(self, uuid: str) -> None:
        entity = self.entity(uuid)
        if SPEAKER_LABEL not in entity.labels:
            self._put(entity.model_copy(update={"labels": [*entity.labels, SPEAKER_LABEL]}))

    def absorb(self, uuid: str, into: str, family: str) -> None:
        """Fold the draft-created entity ``uuid`` into ``into``: its names become aliases."""
        gone = self.changed.pop(uuid)
        self.created.remove(uuid)
        self.renamed.discard(uuid)
        for name in (gone.name, *gone.aliases):
            self.add_alias(into, name, family)

    def set_embedding(self, uuid: str, vector: Vectors) -> None:
        entity = self.entity(uuid)
        self.changed[uuid] = entity.model_copy(update={"name_embedding": vector.tolist()})


def distinct_queries(mentions: Sequence[EntityMention]) -> tuple[list[Query], list[int]]:
    """The distinct mentions in first-seen order, and each mention's position among them."""
    queries: list[Query] = []
    seen: dict[tuple[str, str, bool, bool], int] = {}
    query_of: list[int] = []
    for position, mention in enumerate(mentions):
        if not isinstance(mention, EntityMention):
            raise InputError(
                f"mention {position} is a {type(mention).__name__}, expected an EntityMention"
            )
        try:
            display = clean_name(mention.name)
        except InputError as exc:
            raise InputError(f"mention {position}: {exc}") from None
        family = label_family(mention.label)
        key = name_key(display, family)
        ident = (family, key, mention.is_speaker, mention.exact)
        if ident not in seen:
            seen[ident] = len(queries)
            label = mention.label.strip()
            queries.append(Query(display, label, family, key, mention.is_speaker, mention.exact))
        query_of.append(seen[ident])
    return queries, query_of
