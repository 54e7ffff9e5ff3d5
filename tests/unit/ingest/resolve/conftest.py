"""Fixtures of the entity-resolution tests: a store to resolve against, an embedder, helpers."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from chronomem.engine.embed import HashingEmbedder
from chronomem.engine.store.protocol import GraphStore, WriteBatch
from chronomem.ingest.extract.protocol import EntityMention
from chronomem.ingest.resolve import EntityResolver, Resolution
from chronomem.schema import Entity, name_key

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


class EntityStore:
    """The entity part of a GraphStore, in memory, counting the reads the resolver makes.

    Reads return copies (as a real store does) unless ``copies=False``.
    """

    def __init__(self, *, copies: bool = True) -> None:
        self.copies = copies
        self.entities: dict[str, Entity] = {}
        self.full_reads = 0
        self.name_reads = 0
        self.uuid_reads = 0

    def find_entities(
        self, group_id: str, names: Sequence[str] | None = None, labels: Sequence[str] | None = None
    ) -> list[Entity]:
        found = [e for e in self.entities.values() if e.group_id == group_id]
        if names is None:
            self.full_reads += 1
        else:
            self.name_reads += 1
            wanted = {name_key(n) for n in names}
            found = [e for e in found if wanted & {name_key(n) for n in (e.name, *e.aliases)}]
        if labels is not None:
            found = [e for e in found if set(labels) & set(e.labels)]
        return [e.model_copy(deep=True) for e in found] if self.copies else found

    def get_entities(self, group_id: str, uuids: Sequence[str]) -> list[Entity]:
        self.uuid_reads += 1
        return [
            self.entities[u].model_copy(deep=True)
            for u in uuids
            if u in self.entities and self.entities[u].group_id == group_id
        ]

    def write(self, batch: WriteBatch) -> None:
        for entity in batch.entities:
            self.entities[entity.uuid] = entity.model_copy(deep=True)


class CountingEmbedder:
    """Wraps an embedder and records every call."""

    def __init__(self, inner: HashingEmbedder | None = None) -> None:
        self.inner = inner or HashingEmbedder()
        self.calls: list[list[str]] = []

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    @property
    def name(self) -> str:
        return self.inner.name

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.calls.append(list(texts))
        return self.inner.embed(texts)


def _embedded_store_class() -> type | None:
    try:
        module = importlib.import_module("chronomem.engine.store.embedded")
    except ImportError:
        return None
    return getattr(module, "EmbeddedStore", None)


_BACKENDS = ["memory"] + (["embedded"] if _embedded_store_class() is not None else [])


@pytest.fixture(params=_BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    """The in-memory entity store, and the embedded store once it exists."""
    if request.param == "memory":
        yield EntityStore()  # type: ignore[misc]
        return
    cls = _embedded_store_class()
    assert cls is not None
    embedded = cls(tmp_path / "memory", dimension=384)
    try:
        yield embedded
    finally:
        embedded.close()


@pytest.fixture
def embedder() -> CountingEmbedder:
    return CountingEmbedder()


@pytest.fixture
def resolver(store: GraphStore, embedder: CountingEmbedder) -> EntityResolver:
    return EntityResolver(store, embedder)


def person(name: str, *, speaker: bool = False) -> EntityMention:
    return EntityMention(name, "Person", is_speaker=speaker)


def place(name: str) -> EntityMention:
    return EntityMention(name, "Place")


def org(name: str) -> EntityMention:
    return EntityMention(name, "Organization")


def concept(name: str) -> EntityMention:
    return EntityMention(name, "Concept")


def resolve_and_write(
    resolver: EntityResolver,
    store: GraphStore,
    mentions: Sequence[EntityMention],
    group_id: str = "g1",
    *,
    commit: bool = True,
) -> Resolution:
    """Resolve a batch and write its entities as the write path does."""
    resolution = resolver.resolve(group_id, mentions, now=NOW)
    store.write(WriteBatch(entities=resolution.to_write))
    if commit:
        resolver.commit(resolution)
    return resolution


def stored(store: GraphStore, group_id: str = "g1") -> list[Entity]:
    return sorted(store.find_entities(group_id), key=lambda e: e.name)
