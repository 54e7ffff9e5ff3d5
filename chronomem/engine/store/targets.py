"""What a ``--store`` value names: a Neo4j server (by its URI scheme), the in-memory store, or
else a directory. Read by the factory, the Neo4j store and the command line; imports nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Final

__all__ = ["INMEMORY_URI", "NEO4J_SCHEMES", "is_neo4j_uri"]

NEO4J_SCHEMES: Final = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")
"""The URI schemes of a Neo4j server (the driver's); anything else names a directory."""

INMEMORY_URI = "memory://"
"""The target that opens a new, empty :class:`~chronomem.engine.store.inmemory.InMemoryStore`."""


def is_neo4j_uri(target: str | Path) -> bool:
    """Whether ``target`` names a Neo4j server rather than a directory."""
    return isinstance(target, str) and target.lower().startswith(
        tuple(f"{scheme}://" for scheme in NEO4J_SCHEMES)
    )
