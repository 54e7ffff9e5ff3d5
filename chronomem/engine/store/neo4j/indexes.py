"""Create the Neo4j schema (constraints, range, full-text and vector indexes), idempotently."""

from __future__ import annotations

import logging
from typing import Final

from neo4j import READ_ACCESS, WRITE_ACCESS, Driver
from neo4j import exceptions as neo
from neo4j.api import BookmarkManager

from chronomem.engine.store.neo4j import cypher
from chronomem.errors import ConfigurationError

__all__ = ["ensure_schema"]

log = logging.getLogger("chronomem.store")

_ALREADY_EXISTS: Final = frozenset(
    {
        "Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists",
        "Neo.ClientError.Schema.IndexAlreadyExists",
        "Neo.ClientError.Schema.ConstraintAlreadyExists",
    }
)


def ensure_schema(
    driver: Driver,
    database: str | None,
    dimension: int,
    bookmarks: BookmarkManager | None = None,
    timeout_s: int = 300,
    *,
    create: bool = True,
) -> None:
    """Create every constraint and index that is missing and wait until all are ONLINE;
    without ``create`` (a read-only store), only check the existing ones, in a READ session.

    Raises :class:`ConfigurationError` when an index of ours exists with another definition
    (other full-text properties, another vector dimension); logs a warning for a vector index
    built with other HNSW settings (an older chronomem's, or Neo4j's defaults: it works, with
    lower recall for the same number of hits). The schema statements run
    one by one (auto-commit: Neo4j runs no schema change in a transaction that also reads);
    ``bookmarks`` makes the store's later sessions start after them.
    """
    statements = (
        *cypher.CONSTRAINTS,
        *cypher.RANGE_INDEXES,
        *cypher.FULLTEXT_INDEXES,
        *cypher.vector_index_statements(dimension),
    )
    mode = WRITE_ACCESS if create else READ_ACCESS
    with driver.session(
        database=database, default_access_mode=mode, bookmark_manager=bookmarks
    ) as session:
        for statement in statements if create else ():
            try:
                session.run(statement).consume()
            except neo.ClientError as exc:  # a concurrent opener created it first
                if exc.code not in _ALREADY_EXISTS:
                    raise
        expected = cypher.FULLTEXT_PROPERTIES
        for record in session.run(cypher.SHOW_FULLTEXT_INDEXES, names=list(expected)):
            name, found = record["name"], tuple(record["properties"])
            if set(found) != set(expected[name]):
                raise ConfigurationError(
                    f"the Neo4j full-text index {name} covers {', '.join(found)} but chronomem "
                    f"needs {', '.join(expected[name])}; drop it (DROP INDEX {name}) and open "
                    "the store again to rebuild it"
                )
        names = [
            cypher.ENTITY_VECTOR_INDEX,
            cypher.FACT_VECTOR_INDEX,
            cypher.EPISODE_VECTOR_INDEX,
            cypher.SENTENCE_VECTOR_INDEX,
        ]
        for record in session.run(cypher.SHOW_VECTOR_INDEXES, names=names):
            if record["dimension"] != dimension:
                raise ConfigurationError(
                    f"the Neo4j vector index {record['name']} holds {record['dimension']}-"
                    f"dimensional embeddings but the store was opened with dimension="
                    f"{dimension}; open it with dimension={record['dimension']} (the embedder "
                    "this memory was built with), or drop the index to re-embed"
                )
            built = (record["m"], record["ef_construction"])
            if built != (cypher.HNSW_M, cypher.HNSW_EF_CONSTRUCTION):
                log.warning(
                    "the Neo4j vector index %s was built with HNSW m=%s, ef_construction=%s; "
                    "chronomem builds its vector indexes with m=%d, ef_construction=%d, which "
                    "find the nearest vectors of a large group with fewer hits (faster, better "
                    "recall). To rebuild it: DROP INDEX %s, then open the store again (it is "
                    "rebuilt from the stored vectors, which takes minutes at a million rows)",
                    record["name"],
                    *built,
                    cypher.HNSW_M,
                    cypher.HNSW_EF_CONSTRUCTION,
                    record["name"],
                )
        session.run(cypher.AWAIT_INDEXES, timeout=timeout_s).consume()
