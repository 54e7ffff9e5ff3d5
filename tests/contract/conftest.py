"""Fixtures of the storage contract suite: every test runs against every backend.

Backends share nothing but the protocol. Tests are isolated by a fresh random ``group_id``
(Neo4j has one database for all of them), never by wiping.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from chronomem.engine.store import GraphStore
from chronomem.engine.store.inmemory import InMemoryStore
from tests.contract.samples import DIMENSION

BACKENDS = [
    pytest.param("inmemory", id="inmemory"),
    pytest.param("embedded", id="embedded"),
    pytest.param("neo4j", id="neo4j", marks=pytest.mark.neo4j),
]

StoreFactory = Callable[[], GraphStore]


def open_backend(
    backend: str, request: pytest.FixtureRequest, directory: Path, *, read_only: bool = False
) -> GraphStore:
    """A new store of ``backend`` (for the embedded one, a new memory in ``directory``).
    With ``read_only``, a read-only store over what is there (in stores with
    ``capabilities.reopenable``)."""
    if backend == "inmemory":
        return InMemoryStore(DIMENSION)
    if backend == "embedded":
        from chronomem.engine.store.embedded import EmbeddedStore

        return EmbeddedStore(directory, dimension=DIMENSION, read_only=read_only)
    if backend == "neo4j":
        uri = request.getfixturevalue("neo4j_uri")
        auth = request.getfixturevalue("neo4j_auth")
        from chronomem.engine.store.neo4j import Neo4jStore

        store: GraphStore = Neo4jStore(uri, auth=auth, dimension=DIMENSION, read_only=read_only)
        return store
    raise ValueError(f"unknown backend {backend!r}")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The name of the backend under test."""
    name: str = request.param
    return name


@pytest.fixture
def store_factory(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[StoreFactory]:
    """Opens fresh stores of the backend under test; closes them all at teardown."""
    opened: list[GraphStore] = []

    def make() -> GraphStore:
        store = open_backend(backend, request, tmp_path / f"memory-{len(opened)}")
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def read_only_factory(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[StoreFactory]:
    """Opens read-only stores over what the first store of ``store_factory`` holds (the
    same directory, the same server); closes them all at teardown."""
    opened: list[GraphStore] = []

    def make() -> GraphStore:
        store = open_backend(backend, request, tmp_path / "memory-0", read_only=True)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def store(store_factory: StoreFactory) -> GraphStore:
    """A store of the backend under test."""
    return store_factory()


def new_group() -> str:
    """A group id no other test uses."""
    return f"t-{uuid.uuid4().hex[:16]}"


@pytest.fixture
def group() -> str:
    """A fresh group id for this test."""
    return new_group()


@pytest.fixture
def other_group() -> str:
    """A second fresh group id."""
    return new_group()
