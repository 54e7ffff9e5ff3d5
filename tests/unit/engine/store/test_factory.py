"""``open_store``: a directory, a Neo4j URI or ``memory://`` opens the matching backend; which
``--store`` values name a Neo4j server (the schemes the Neo4j store accepts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from chronomem.config import MemoryConfig
from chronomem.engine.store import FactFilter, WriteBatch
from chronomem.engine.store.embedded import EmbeddedStore
from chronomem.engine.store.factory import INMEMORY_URI, NEO4J_SCHEMES, is_neo4j_uri, open_store
from chronomem.engine.store.inmemory import InMemoryStore
from chronomem.engine.store.neo4j import Neo4jStore
from chronomem.errors import ConfigurationError, StoreError
from chronomem.schema import Entity


@pytest.mark.parametrize("scheme", NEO4J_SCHEMES)
def test_every_neo4j_scheme_names_a_server(scheme: str) -> None:
    assert is_neo4j_uri(f"{scheme}://db.example.org:7687")
    assert is_neo4j_uri(f"{scheme.upper()}://db.example.org:7687")


@pytest.mark.parametrize("target", ["./memory", "http://db.example.org:7474", "neo4j:/x"])
def test_anything_else_names_a_directory(target: str) -> None:
    assert not is_neo4j_uri(target)
    assert not is_neo4j_uri(Path("bolt://x"))


def test_the_neo4j_store_refuses_what_the_factory_would_not_send_it() -> None:
    with pytest.raises(ConfigurationError, match="the scheme must be one of bolt, bolt\\+s, "):
        Neo4jStore("http://127.0.0.1:7474")


def test_memory_uri_opens_a_new_empty_in_memory_store() -> None:
    first = open_store(INMEMORY_URI, dimension=8, config=MemoryConfig())
    second = open_store("MEMORY://", dimension=8, config=MemoryConfig())
    assert isinstance(first, InMemoryStore)
    assert isinstance(second, InMemoryStore)
    assert first.dimension == 8
    first.write(WriteBatch(entities=[Entity(group_id="g", name="Alice")]))
    assert [e.name for e in first.find_entities("g")] == ["Alice"]
    assert second.find_entities("g") == []  # each open is a memory of its own
    assert not is_neo4j_uri(INMEMORY_URI)


def test_a_read_only_in_memory_store_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="empty"):
        open_store(INMEMORY_URI, dimension=8, config=MemoryConfig(), read_only=True)


def test_a_directory_opens_the_embedded_store(tmp_path: Path) -> None:
    store = open_store(tmp_path / "m", dimension=8, config=MemoryConfig())
    try:
        assert isinstance(store, EmbeddedStore)
    finally:
        store.close()


def test_a_closed_in_memory_store_refuses_every_call() -> None:
    store = InMemoryStore(8)
    store.close()
    store.close()  # idempotent
    with pytest.raises(StoreError, match="closed"):
        store.stats()
    with pytest.raises(StoreError, match="closed"):
        store.list_facts("g", FactFilter())
    with pytest.raises(StoreError, match="closed"):
        store.write(WriteBatch(entities=[Entity(group_id="g", name="Alice")]))


@pytest.mark.parametrize("dimension", [0, -3, True, 2.5])
def test_the_dimension_must_be_a_positive_int(dimension: object) -> None:
    with pytest.raises(ConfigurationError, match="dimension"):
        InMemoryStore(dimension)  # type: ignore[arg-type]
