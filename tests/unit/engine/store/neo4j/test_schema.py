"""Schema setup on open: every constraint and index, ONLINE, idempotent, graphiti-compatible."""

from __future__ import annotations

import logging
import re
from typing import Any

import numpy as np
import pytest

from chronomem.engine.store.neo4j import Neo4jStore, cypher
from chronomem.engine.store.neo4j.indexes import quantized
from chronomem.engine.store.protocol import FactFilter
from chronomem.errors import ConfigurationError, StoreError

from .conftest import DIMENSION, spread

pytestmark = pytest.mark.neo4j

VECTOR_NAMES = list(cypher.VECTOR_INDEX_NAMES)


def schema(store: Neo4jStore) -> tuple[set[tuple[Any, ...]], set[str]]:
    driver = store._live_driver()
    indexes = {
        (
            r["name"],
            r["type"],
            r["entityType"],
            tuple(r["labelsOrTypes"] or ()),
            tuple(r["properties"] or ()),
            r["state"],
        )
        for r in driver.execute_query("SHOW INDEXES").records
    }
    constraints = {r["name"] for r in driver.execute_query("SHOW CONSTRAINTS").records}
    return indexes, constraints


def test_open_creates_every_index_online(store: Neo4jStore) -> None:
    indexes, constraints = schema(store)
    by_name = {name: (kind, state) for name, kind, _, _, _, state in indexes}
    assert {"entity_uuid", "episode_uuid", "chronomem_meta_key", "sentence_position"} <= constraints
    expected = {
        "relation_uuid": "RANGE",
        "entity_group_id": "RANGE",
        "valid_at_edge_index": "RANGE",
        "invalid_at_edge_index": "RANGE",
        "expired_at_edge_index": "RANGE",
        "episode_source_key": "RANGE",
        "episode_session_time": "RANGE",
        "edge_name_and_fact": "FULLTEXT",
        "episode_content": "FULLTEXT",
        "entity_name_and_aliases": "FULLTEXT",
        "entity_name_embedding": "VECTOR",
        "edge_fact_embedding": "VECTOR",
        "episode_content_embedding": "VECTOR",
        "sentence_embedding": "VECTOR",
        "sentence_group_id": "RANGE",
    }
    for name, kind in expected.items():
        assert by_name[name] == (kind, "ONLINE"), name


def test_reopening_changes_nothing(store: Neo4jStore, neo4j_uri: str, neo4j_auth: Any) -> None:
    before = schema(store)
    with Neo4jStore(neo4j_uri, auth=neo4j_auth, dimension=store.dimension):
        pass
    assert schema(store) == before


def test_graphiti_index_statements_find_ours(store: Neo4jStore) -> None:
    """graphiti-core's own CREATE ... IF NOT EXISTS statements (same names) are no-ops."""
    before = schema(store)
    driver = store._live_driver()
    for statement in (
        "CREATE INDEX entity_uuid IF NOT EXISTS FOR (n:Entity) ON (n.uuid)",
        "CREATE INDEX episode_uuid IF NOT EXISTS FOR (n:Episodic) ON (n.uuid)",
        "CREATE INDEX relation_uuid IF NOT EXISTS FOR ()-[e:RELATES_TO]-() ON (e.uuid)",
        "CREATE INDEX valid_at_edge_index IF NOT EXISTS FOR ()-[e:RELATES_TO]-() ON (e.valid_at)",
        "CREATE FULLTEXT INDEX edge_name_and_fact IF NOT EXISTS "
        "FOR ()-[e:RELATES_TO]-() ON EACH [e.name, e.fact, e.group_id]",
        "CREATE FULLTEXT INDEX episode_content IF NOT EXISTS "
        "FOR (e:Episodic) ON EACH [e.content, e.source, e.source_description, e.group_id]",
    ):
        driver.execute_query(statement)
    assert schema(store) == before


def test_other_dimension_is_refused(store: Neo4jStore, neo4j_uri: str, neo4j_auth: Any) -> None:
    with pytest.raises(ConfigurationError, match=f"dimension={store.dimension}"):
        Neo4jStore(neo4j_uri, auth=neo4j_auth, dimension=store.dimension + 1)


def test_all_statements_are_parameterised() -> None:
    """No statement embeds a quoted value except the constant allow-list and index options."""
    for name, value in vars(cypher).items():
        if not (name.isupper() and isinstance(value, str)):
            continue
        quoted = set(re.findall(r"'([^']*)'", value))
        assert quoted <= {*cypher.NODE_LABELS, "Entity", "cosine", "english"}, name


def test_vector_indexes_are_built_with_chronomem_hnsw_settings(store: Neo4jStore) -> None:
    records = store._live_driver().execute_query(cypher.SHOW_VECTOR_INDEXES, names=VECTOR_NAMES)
    built = {r["name"]: (r["m"], r["ef_construction"], quantized(r)) for r in records.records}
    wanted = (cypher.HNSW_M, cypher.HNSW_EF_CONSTRUCTION, False)
    assert built == dict.fromkeys(VECTOR_NAMES, wanted)


def test_an_index_with_other_hnsw_settings_is_reported_and_kept(
    store: Neo4jStore, neo4j_uri: str, neo4j_auth: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """An index built by an older chronomem (Neo4j's HNSW defaults) still works: opening warns,
    naming the index and how to rebuild it, and leaves it as it is."""
    name = cypher.SENTENCE_VECTOR_INDEX
    driver = store._live_driver()
    old = cypher.vector_index_statements(store.dimension)[3].replace(
        f"`vector.hnsw.m`: {cypher.HNSW_M}, `vector.hnsw.ef_construction`: "
        f"{cypher.HNSW_EF_CONSTRUCTION}, `vector.quantization.enabled`: false",
        "`vector.hnsw.m`: 16, `vector.hnsw.ef_construction`: 100",  # Neo4j quantizes by default
    )
    assert f"INDEX {name} " in old
    assert "`vector.hnsw.m`: 16" in old
    try:
        driver.execute_query(f"DROP INDEX {name}")
        driver.execute_query(old)
        caplog.set_level(logging.WARNING, logger="chronomem.store")
        with Neo4jStore(neo4j_uri, auth=neo4j_auth, dimension=store.dimension):
            pass
        warned = [r.getMessage() for r in caplog.records if r.name == "chronomem.store"]
        assert len(warned) == 1
        assert (
            f"{name} was built with HNSW m=16, ef_construction=100, quantization=True"
            in (warned[0])
        )
        assert "chronomem reindex" in warned[0]
        assert f"DROP INDEX {name}" in warned[0]
        records = driver.execute_query(cypher.SHOW_VECTOR_INDEXES, names=[name]).records
        assert [(r["m"], r["ef_construction"], quantized(r)) for r in records] == [(16, 100, True)]
    finally:
        driver.execute_query(f"DROP INDEX {name} IF EXISTS")
        with Neo4jStore(neo4j_uri, auth=neo4j_auth, dimension=store.dimension):
            pass  # rebuilt with chronomem's settings
    caplog.clear()
    with Neo4jStore(neo4j_uri, auth=neo4j_auth, dimension=store.dimension):
        pass
    assert not [r for r in caplog.records if r.name == "chronomem.store"]


def vector_states(store: Neo4jStore) -> dict[str, str]:
    records = store._live_driver().execute_query(cypher.VECTOR_INDEX_STATES, names=VECTOR_NAMES)
    return {r["name"]: r["state"] for r in records.records}


def test_vector_indexes_are_rebuilt_from_the_stored_vectors(
    neo4j_uri: str, neo4j_auth: Any, group: str
) -> None:
    """Dropped, the vector indexes are gone (a search through them fails with a clear error,
    the vectors stay); built again, they are ONLINE with chronomem's settings, the progress
    reported ends at 100%, and a search through them answers with the group's facts. (Which
    of them a rebuilt index finds depends on every vector of the test database: a cluster of
    identical vectors of another test can hide some, docs/neo4j-cluster.md.)"""
    rng = np.random.default_rng(5)
    vectors = rng.standard_normal((12, DIMENSION)).astype(np.float32)
    with Neo4jStore(neo4j_uri, auth=neo4j_auth, dimension=DIMENSION, exact_max=0) as store:
        store.write(spread(group, vectors))
        before = store.vector(group, vectors[3], "fact", 5, FactFilter())
        assert before[0][1] == pytest.approx(1.0, abs=1e-3)  # the fact of that very vector
        try:
            store.drop_vector_indexes()
            assert vector_states(store) == {}
            with pytest.raises(StoreError, match="Neo4j has no vector index edge_fact_embedding"):
                store.vector(group, vectors[3], "fact", 5, FactFilter())
        finally:
            seen: list[float] = []
            store.build_vector_indexes(seen.append)
        assert vector_states(store) == dict.fromkeys(VECTOR_NAMES, "ONLINE")
        assert seen[-1] == 100.0
        ours = {f.uuid for f in store.list_facts(group, FactFilter(), vectors=False)}
        assert {u for u, _ in store.vector(group, vectors[3], "fact", 5, FactFilter())} <= ours
        seen.clear()
        store.rebuild_vector_indexes(seen.append)
        assert seen[-1] == 100.0
        assert {u for u, _ in store.vector(group, vectors[3], "fact", 5, FactFilter())} <= ours
        test_vector_indexes_are_built_with_chronomem_hnsw_settings(store)


def test_a_read_only_store_does_not_touch_the_vector_indexes(
    neo4j_uri: str, neo4j_auth: Any
) -> None:
    with Neo4jStore(neo4j_uri, auth=neo4j_auth, dimension=DIMENSION, read_only=True) as store:
        for change in (
            store.drop_vector_indexes,
            store.build_vector_indexes,
            store.rebuild_vector_indexes,
        ):
            with pytest.raises(StoreError, match="read_only=True"):
                change()
        assert vector_states(store) == dict.fromkeys(VECTOR_NAMES, "ONLINE")


def test_a_small_group_is_searched_while_the_vector_indexes_are_gone(
    neo4j_uri: str, neo4j_auth: Any, group: str
) -> None:
    """A group scored exactly (at most ``exact_max`` vectors) does not need the index."""
    vectors = np.random.default_rng(6).standard_normal((5, DIMENSION)).astype(np.float32)
    with Neo4jStore(neo4j_uri, auth=neo4j_auth, dimension=DIMENSION, vector_cache_mb=0) as store:
        store.write(spread(group, vectors))
        try:
            store.drop_vector_indexes()
            hits = store.vector(group, vectors[2], "fact", 5, FactFilter())
        finally:
            store.build_vector_indexes()
    assert len(hits) == 5
    assert hits[0][1] == pytest.approx(1.0, abs=1e-3)
