"""Fixtures of the reliability suite: memories on every backend.

Neo4j has one database for everything, so tests there write under group ids no other test
uses (a random prefix) and never wipe.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from chronomem.config import MemoryConfig
from chronomem.engine.embed import HashingEmbedder
from chronomem.ingest.extract.fake import FunctionExtractor
from chronomem.ingest.extract.protocol import Extractor
from chronomem.memory import Memory

BACKENDS = [
    pytest.param("embedded", id="embedded"),
    pytest.param("neo4j", id="neo4j", marks=pytest.mark.neo4j),
]

ALL_BACKENDS = [pytest.param("inmemory", id="inmemory"), *BACKENDS]
"""The facade's three stores: for tests that need no real extractor."""

MemoryFactory = Callable[[], Memory]


def open_memory(
    backend: str,
    request: pytest.FixtureRequest,
    directory: Path,
    extractor: Extractor,
    config: MemoryConfig | None = None,
    *,
    read_only: bool = False,
) -> Memory:
    """A memory of ``backend`` with the hashing embedder and ``extractor`` (``read_only``:
    opened read-only, over what the directory or the server holds)."""
    if backend == "inmemory":
        return Memory.open(
            "memory://", embedder=HashingEmbedder(), extractor=extractor, read_only=read_only
        )
    if backend == "embedded":
        return Memory.open(
            directory,
            embedder=HashingEmbedder(),
            extractor=extractor,
            config=config,
            read_only=read_only,
        )
    uri: str = request.getfixturevalue("neo4j_uri")
    auth = request.getfixturevalue("neo4j_auth")
    base = config or MemoryConfig()
    return Memory.open(
        uri,
        embedder=HashingEmbedder(),
        extractor=extractor,
        config=base.model_copy(update={"neo4j_auth": auth}),
        read_only=read_only,
    )


def run_prefix() -> str:
    """A prefix that makes group ids unique to this run (Neo4j keeps every test's data)."""
    return f"r{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module", params=BACKENDS)
def module_backend(request: pytest.FixtureRequest) -> str:
    """The backend of a module-scoped memory."""
    name: str = request.param
    return name


@pytest.fixture(scope="module")
def module_memory(
    module_backend: str,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    spacy_extractor: Extractor,
) -> Iterator[Memory]:
    """One memory per backend, shared by the tests of a module."""
    directory = tmp_path_factory.mktemp("memory") / "memory"
    with open_memory(module_backend, request, directory, spacy_extractor) as mem:
        yield mem


@pytest.fixture(params=ALL_BACKENDS)
def fake_memory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Memory]:
    """A fresh memory on each of the three stores, with the function-backed extractor."""
    with open_memory(request.param, request, tmp_path / "memory", FunctionExtractor()) as mem:
        yield mem
