"""Schema setup on open: every constraint and index, ONLINE, idempotent, graphiti-compatible."""

from __future__ import annotations

import re
from typing import Any

import pytest

from chronomem.engine.store.neo4j import Neo4jStore, cypher
from chronomem.errors import ConfigurationError

pytestmark = pytest.mark.neo4j


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
