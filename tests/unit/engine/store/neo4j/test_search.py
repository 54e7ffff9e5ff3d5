"""Vector search through the native indexes: filtered, over-fetched until ``limit`` is met."""

from __future__ import annotations

import numpy as np
import pytest

from chronomem.engine.embed import HashingEmbedder
from chronomem.engine.store.neo4j import Neo4jStore
from chronomem.engine.store.protocol import FactFilter, WriteBatch
from chronomem.errors import InputError
from chronomem.schema import Entity, Fact

from .conftest import T0, small_graph

pytestmark = pytest.mark.neo4j


def crowd(group: str, vector: list[float], n: int, relation: str = "LIKES") -> WriteBatch:
    hub = Entity(group_id=group, name="Hub")
    others = [Entity(group_id=group, name=f"Other {i}") for i in range(n)]
    facts = [
        Fact(
            group_id=group,
            subject_uuid=hub.uuid,
            relation=relation,
            object_uuid=o.uuid,
            fact=f"Hub likes other {i}",
            valid_at=T0,
            fact_embedding=vector,
        )
        for i, o in enumerate(others)
    ]
    return WriteBatch(entities=[hub, *others], facts=facts)


def test_filtered_hits_are_found_behind_many_closer_ones(
    store: Neo4jStore, group: str, embedder: HashingEmbedder
) -> None:
    query = embedder.embed(["hub likes"])[0]
    store.write(crowd(group + "-noise", query.tolist(), 300))  # identical vectors, other group
    store.write(crowd(group, (query + 0.3 * embedder.embed(["x"])[0]).tolist(), 3))
    noise = crowd(group, query.tolist(), 200, relation="HATES")  # same group, filtered out
    store.write(noise)
    hits = store.vector(group, query, "fact", 3, FactFilter(relations=("LIKES",)))
    assert len(hits) == 3
    assert {u for u, _ in hits}.isdisjoint(f.uuid for f in noise.facts)


def test_scores_are_cosine_similarities(
    store: Neo4jStore, group: str, embedder: HashingEmbedder
) -> None:
    batch = small_graph(group, embedder)
    store.write(batch)
    alice = batch.entities[0]
    assert alice.name_embedding is not None
    query = np.asarray(alice.name_embedding, dtype=np.float32)
    [(best, score), *_] = store.vector(group, query, "entity", 3, FactFilter())
    assert best == alice.uuid
    assert score == pytest.approx(1.0, abs=1e-5)
    vectors = {e.uuid: np.asarray(e.name_embedding) for e in batch.entities}
    for uuid, score in store.vector(group, -query, "entity", 3, FactFilter()):
        assert score == pytest.approx(float(-query @ vectors[uuid]), abs=1e-5)


def test_wrong_query_dimension_is_refused(store: Neo4jStore, group: str) -> None:
    with pytest.raises(InputError, match="dimensions"):
        store.vector(group, np.ones(3, dtype=np.float32), "fact", 3, FactFilter())


def test_neighbors_and_list_order(store: Neo4jStore, group: str, embedder: HashingEmbedder) -> None:
    batch = small_graph(group, embedder)
    store.write(batch)
    works, lives = batch.facts
    alice, acme, _ = batch.entities
    assert [f.uuid for f in store.list_facts(group, FactFilter())] == [lives.uuid, works.uuid]
    assert [f.uuid for f in store.neighbors(group, [acme.uuid], FactFilter())] == [works.uuid]
    both = store.neighbors(group, [alice.uuid, acme.uuid], FactFilter(), limit=1)
    assert [f.uuid for f in both] == [lives.uuid]
