"""Create the Neo4j schema (constraints, range, full-text and vector indexes), idempotently."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from neo4j import READ_ACCESS, WRITE_ACCESS, Driver, Session
from neo4j import exceptions as neo
from neo4j.api import BookmarkManager

from chronomem.engine.store.neo4j import cypher
from chronomem.errors import ConfigurationError, StoreError

__all__ = ["build_vector_indexes", "drop_vector_indexes", "ensure_schema", "quantized"]

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
        if create:
            _create(session, statements)
        expected = cypher.FULLTEXT_PROPERTIES
        for record in session.run(cypher.SHOW_FULLTEXT_INDEXES, names=list(expected)):
            name, found = record["name"], tuple(record["properties"])
            if set(found) != set(expected[name]):
                raise ConfigurationError(
                    f"the Neo4j full-text index {name} covers {', '.join(found)} but chronomem "
                    f"needs {', '.join(expected[name])}; drop it (DROP INDEX {name}) and open "
                    "the store again to rebuild it"
                )
        names = list(cypher.VECTOR_INDEX_NAMES)
        for record in session.run(cypher.SHOW_VECTOR_INDEXES, names=names):
            if record["dimension"] != dimension:
                raise ConfigurationError(
                    f"the Neo4j vector index {record['name']} holds {record['dimension']}-"
                    f"dimensional embeddings but the store was opened with dimension="
                    f"{dimension}; open it with dimension={record['dimension']} (the embedder "
                    "this memory was built with), or drop the index to re-embed"
                )
            built = (record["m"], record["ef_construction"], quantized(record))
            wanted = (cypher.HNSW_M, cypher.HNSW_EF_CONSTRUCTION, cypher.VECTOR_QUANTIZATION)
            if built != wanted:
                log.warning(
                    "the Neo4j vector index %s was built with HNSW m=%s, ef_construction=%s, "
                    "quantization=%s; chronomem builds its vector indexes with m=%d, "
                    "ef_construction=%d, quantization=%s, which find the nearest vectors of a "
                    "large group with fewer hits and exact scores (better recall). To rebuild "
                    "it from the stored vectors (minutes at a million rows): chronomem reindex "
                    "--store URI, or DROP INDEX %s and open the store again",
                    record["name"],
                    *built,
                    *wanted,
                    record["name"],
                )
        _await_indexes(session, timeout_s)


def quantized(record: Mapping[str, Any]) -> bool | None:
    """Whether a :data:`cypher.SHOW_VECTOR_INDEXES` row's index quantizes its vectors, in
    either version's terms (``None`` when it says neither)."""
    if record["quantization"] is not None:
        return bool(record["quantization"])
    if record["quantization_type"] is not None:
        return str(record["quantization_type"]).upper() != "NONE"
    return None


def _create(session: Session, statements: Sequence[str]) -> None:
    """Run each ``CREATE ... IF NOT EXISTS`` statement on its own (Neo4j runs no schema change
    in a transaction that also reads)."""
    for statement in statements:
        try:
            session.run(statement).consume()
        except neo.ClientError as exc:  # a concurrent opener created it first
            if exc.code not in _ALREADY_EXISTS:
                raise


#: Seconds an opening store waits for chronomem's vector indexes while they are built (after
#: a bulk load, a rebuild): then it opens, and says so; every other index it waits for.
VECTOR_WAIT_S: Final = 10.0


def _await_indexes(session: Session, timeout_s: float) -> None:
    """Wait until every index of the database is ONLINE, or only chronomem's vector indexes
    are still being built and :data:`VECTOR_WAIT_S` have passed (logged: vector searches of
    large groups fail until they are built). A FAILED index, or another index still being
    built after ``timeout_s``, is a :class:`StoreError`."""
    started = time.monotonic()
    while True:
        rows = session.run(cypher.INDEX_STATES).data()
        failed = sorted(r["name"] for r in rows if r["state"] == "FAILED")
        if failed:
            raise StoreError(
                f"the Neo4j index {', '.join(failed)} FAILED to build (SHOW INDEXES YIELD name, "
                "failureMessage tells why); drop it (DROP INDEX name) and open the store again"
            )
        building = {r["name"]: float(r["percent"]) for r in rows if r["state"] != "ONLINE"}
        if not building:
            return
        waited = time.monotonic() - started
        if set(building) <= set(cypher.VECTOR_INDEX_NAMES) and waited >= VECTOR_WAIT_S:
            log.warning(
                "the Neo4j vector index %s is still being built (%s); vector searches of "
                "groups above exact_max fail until it is ONLINE (SHOW VECTOR INDEXES shows how "
                "far; `chronomem reindex` rebuilds them with a progress bar)",
                ", ".join(sorted(building)),
                ", ".join(f"{p:.0f}%" for _, p in sorted(building.items())),
            )
            return
        if waited >= timeout_s:
            raise StoreError(
                f"the Neo4j index {', '.join(sorted(building))} was still being built after "
                f"{timeout_s:.0f} s; wait for it (SHOW INDEXES shows how far) and open again"
            )
        time.sleep(min(POLL_S, 0.2 + waited / 10))


#: Seconds between two looks at the vector indexes' population while they are built.
POLL_S: Final = 2.0


def drop_vector_indexes(
    driver: Driver, database: str | None, bookmarks: BookmarkManager | None = None
) -> None:
    """Drop chronomem's vector indexes (those that exist; the stored vectors stay)."""
    with driver.session(
        database=database, default_access_mode=WRITE_ACCESS, bookmark_manager=bookmarks
    ) as session:
        for statement in cypher.DROP_VECTOR_INDEXES:
            session.run(statement).consume()


def build_vector_indexes(
    driver: Driver,
    database: str | None,
    dimension: int,
    bookmarks: BookmarkManager | None = None,
    progress: Callable[[float], None] | None = None,
    timeout_s: float = 24 * 3600,
) -> None:
    """Create chronomem's missing vector indexes and wait until all are ONLINE (built from the
    stored vectors), telling ``progress`` the mean population percent (0-100) every
    :data:`POLL_S` seconds. Raises :class:`StoreError` if one fails or ``timeout_s`` passes."""
    names = list(cypher.VECTOR_INDEX_NAMES)
    deadline = time.monotonic() + timeout_s
    with driver.session(
        database=database, default_access_mode=WRITE_ACCESS, bookmark_manager=bookmarks
    ) as session:
        _create(session, cypher.vector_index_statements(dimension))
        while True:
            rows = session.run(cypher.VECTOR_INDEX_STATES, names=names).data()
            gone = sorted(set(names) - {r["name"] for r in rows})
            if gone:
                raise StoreError(
                    f"the vector index {', '.join(gone)} was dropped while being built (by "
                    "another client?); build it again: chronomem reindex --store URI"
                )
            failed = [r["name"] for r in rows if r["state"] == "FAILED"]
            if failed:
                raise StoreError(
                    f"Neo4j could not build the vector index {', '.join(failed)} (SHOW INDEXES "
                    "tells why); drop it (DROP INDEX name) and build it again"
                )
            if progress is not None:
                progress(sum(float(r["percent"]) for r in rows) / max(1, len(rows)))
            if all(r["state"] == "ONLINE" for r in rows):
                return
            if time.monotonic() > deadline:
                building = [r["name"] for r in rows if r["state"] != "ONLINE"]
                raise StoreError(
                    f"the vector index {', '.join(building)} was still being built after "
                    f"{timeout_s:.0f} s; Neo4j goes on building it (SHOW INDEXES shows how far)"
                )
            time.sleep(POLL_S)
