"""The stored graph uses graphiti-core's labels, relationship types and property names."""

from __future__ import annotations

from datetime import UTC, timedelta

import neo4j.time
import pytest

from chronomem.engine.embed import HashingEmbedder
from chronomem.engine.store.neo4j import Neo4jStore

from .conftest import small_graph

pytestmark = pytest.mark.neo4j


def test_property_names_follow_graphiti(
    store: Neo4jStore, group: str, embedder: HashingEmbedder
) -> None:
    batch = small_graph(group, embedder)
    store.write(batch)
    driver = store._live_driver()
    records = driver.execute_query(
        """
        MATCH (e:Episodic {group_id: $g})-[m:MENTIONS]->(n:Entity {name: 'Alice'})
        MATCH (n)-[r:RELATES_TO {name: 'WORKS_AT'}]->(o:Entity)
        RETURN keys(e) AS episode, keys(m) AS mention, keys(n) AS entity, keys(r) AS fact,
               labels(n) AS labels, e AS e, r AS r
        """,
        g=group,
    ).records
    assert len(records) == 1
    row = records[0]
    assert {
        "uuid",
        "name",
        "group_id",
        "source",
        "source_description",
        "content",
        "valid_at",
        "created_at",
        "entity_edges",
        "source_id",
        "kind",
        "speaker",
        "session",
    } <= set(row["episode"])
    assert set(row["mention"]) == {"uuid", "group_id", "created_at"}
    assert {
        "uuid",
        "name",
        "group_id",
        "labels",
        "summary",
        "name_embedding",
        "created_at",
        "aliases",
        "name_key",
    } <= set(row["entity"])
    assert {
        "uuid",
        "group_id",
        "name",
        "fact",
        "fact_embedding",
        "episodes",
        "valid_at",
        "created_at",
        "sources",
        "confidence",
        "lineage",
    } <= set(row["fact"])
    assert set(row["labels"]) == {"Entity", "Person"}
    episode, fact = row["e"], row["r"]
    # graphiti reads ``source`` as an EpisodeType; chronomem's source name is the description
    assert episode["source"] == "message"
    assert episode["source_description"] == "chat"
    assert set(episode["entity_edges"]) == {f.uuid for f in batch.facts}
    assert isinstance(fact["valid_at"], neo4j.time.DateTime)
    assert fact["valid_at"].utcoffset() == timedelta(0)
    assert fact["valid_at"].to_native() == batch.facts[0].valid_at


def test_times_filter_as_native_datetimes(
    store: Neo4jStore, group: str, embedder: HashingEmbedder
) -> None:
    store.write(small_graph(group, embedder))
    count = (
        store._live_driver()
        .execute_query(
            "MATCH ()-[r:RELATES_TO {group_id: $g}]->() "
            "WHERE r.valid_at >= datetime('2023-12-31T00:00:00Z') "
            "AND r.created_at > r.valid_at RETURN count(r) AS n",
            g=group,
        )
        .records[0]["n"]
    )
    assert count == 1


def test_episode_times_round_trip_in_utc(
    store: Neo4jStore, group: str, embedder: HashingEmbedder
) -> None:
    batch = small_graph(group, embedder)
    store.write(batch)
    [episode] = store.get_episodes(group, [batch.episodes[0].uuid])
    assert episode == batch.episodes[0]
    assert episode.reference_time.tzinfo == UTC
