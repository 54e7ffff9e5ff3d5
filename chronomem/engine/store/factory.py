"""Open the right backend for a ``--store`` value: a directory or a ``neo4j://`` URI."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from chronomem.config import MemoryConfig
from chronomem.engine.store.protocol import GraphStore

__all__ = ["NEO4J_SCHEMES", "is_neo4j_uri", "open_store"]

NEO4J_SCHEMES: Final = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")
"""The URI schemes of a Neo4j server (the driver's); anything else names a directory."""


def is_neo4j_uri(target: str | Path) -> bool:
    """Whether ``target`` names a Neo4j server rather than a directory."""
    return isinstance(target, str) and target.lower().startswith(
        tuple(f"{scheme}://" for scheme in NEO4J_SCHEMES)
    )


def open_store(
    target: str | Path, *, dimension: int, config: MemoryConfig, read_only: bool = False
) -> GraphStore:
    """The embedded store for a directory, the Neo4j store for a URI."""
    if is_neo4j_uri(target):
        from chronomem.engine.store.neo4j import Neo4jStore

        return Neo4jStore(
            str(target),
            auth=config.neo4j_auth,
            dimension=dimension,
            database=config.neo4j_database,
        )
    from chronomem.engine.store.embedded import EmbeddedStore

    return EmbeddedStore(Path(target), dimension=dimension, read_only=read_only)
