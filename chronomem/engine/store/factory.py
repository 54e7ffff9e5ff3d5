"""Open the right backend for a ``--store`` value: a directory, a ``neo4j://`` URI, or
``memory://`` (the in-memory store: nothing kept once it is closed)."""

from __future__ import annotations

from pathlib import Path

from chronomem.config import MemoryConfig
from chronomem.engine.store.protocol import GraphStore
from chronomem.engine.store.targets import INMEMORY_URI, NEO4J_SCHEMES, is_neo4j_uri
from chronomem.errors import ConfigurationError

__all__ = ["INMEMORY_URI", "NEO4J_SCHEMES", "is_neo4j_uri", "open_store"]


def open_store(
    target: str | Path, *, dimension: int, config: MemoryConfig, read_only: bool = False
) -> GraphStore:
    """The embedded store for a directory, the Neo4j store for a URI, a new in-memory store
    for :data:`INMEMORY_URI`.

    Each backend is imported when it is chosen (there is no cycle to dodge): a memory on one
    backend does not pay for loading another's driver."""
    if isinstance(target, str) and target.lower() == INMEMORY_URI:
        if read_only:
            raise ConfigurationError(
                f"{INMEMORY_URI} opens a new, empty memory: read_only would leave it empty"
            )
        from chronomem.engine.store.inmemory import InMemoryStore

        return InMemoryStore(dimension)
    if is_neo4j_uri(target):
        from chronomem.engine.store.neo4j import Neo4jStore

        return Neo4jStore(
            str(target),
            auth=config.neo4j_auth,
            dimension=dimension,
            database=config.neo4j_database,
            read_only=read_only,
        )
    from chronomem.engine.store.embedded import EmbeddedStore

    return EmbeddedStore(Path(target), dimension=dimension, read_only=read_only)
