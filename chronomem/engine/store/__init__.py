"""Storage: the GraphStore protocol and its backends (embedded SQLite, Neo4j, in-memory)."""

from chronomem.engine.store.protocol import (
    FactFilter,
    GraphStore,
    ScoredId,
    StoreCapabilities,
    TextTarget,
    VectorTarget,
    WriteBatch,
)

__all__ = [
    "FactFilter",
    "GraphStore",
    "ScoredId",
    "StoreCapabilities",
    "TextTarget",
    "VectorTarget",
    "WriteBatch",
]
