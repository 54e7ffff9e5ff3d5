"""Sentence vectors of a turn: ``(:Episodic)-[:HAS_SENTENCE]->(:Sentence)`` nodes, written
once with their episode, found through the ``sentence_embedding`` vector index."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from chronomem.engine.embed import HashingEmbedder
from chronomem.engine.store.neo4j import Neo4jStore
from chronomem.engine.store.neo4j import store as store_module
from chronomem.engine.store.protocol import FactFilter, VectorTarget, WriteBatch
from chronomem.errors import IntegrityError
from chronomem.schema import Episode

from .conftest import DIMENSION, T0, small_graph, statements_of

pytestmark = pytest.mark.neo4j


def turn(group: str, content: str, sentences: list[list[float]], **fields: Any) -> Episode:
    return Episode(
        group_id=group,
        source="chat",
        content=content,
        reference_time=T0,
        sentence_embeddings=sentences,
        **fields,
    )


def sentence_rows(store: Neo4jStore, group: str) -> list[dict[str, object]]:
    records = (
        store._live_driver()
        .execute_query(
            "MATCH (e:Episodic)-[:HAS_SENTENCE]->(s:Sentence) WHERE s.group_id = $g "
            "RETURN e.uuid AS episode, s.episode_uuid AS episode_uuid, s.position AS position "
            "ORDER BY episode, position",
            g=group,
        )
        .records
    )
    return [r.data() for r in records]


def test_sentences_are_nodes_of_their_episode_written_once(
    store: Neo4jStore, group: str, embedder: HashingEmbedder
) -> None:
    vectors = embedder.embed(["one", "two", "three"]).tolist()
    first = turn(group, "one. two. three.", vectors, source_id="t1")
    store.write(WriteBatch(episodes=[first, first]))
    store.write(WriteBatch(episodes=[first]))
    # the same turn under another uuid is skipped by its source id, its sentences with it
    again = turn(group, "one. two.", vectors[:2], source_id="t1")
    store.write(WriteBatch(episodes=[again]))

    assert sentence_rows(store, group) == [
        {"episode": first.uuid, "episode_uuid": first.uuid, "position": i} for i in range(3)
    ]
    (stored,) = store.get_episodes(group, [first.uuid])
    assert stored.sentence_embeddings is not None
    assert np.allclose(stored.sentence_embeddings, vectors, atol=1e-6)
    assert store.stats(group).episodes == 1
    assert store.groups().count(group) == 1


def test_a_turn_without_sentences_reads_back_none(store: Neo4jStore, group: str) -> None:
    plain = Episode(group_id=group, content="hello", reference_time=T0)
    empty = turn(group, "hi", [])
    store.write(WriteBatch(episodes=[plain, empty]))
    stored = store.get_episodes(group, [plain.uuid, empty.uuid])
    assert [e.sentence_embeddings for e in stored] == [None, None]
    assert sentence_rows(store, group) == []


def test_a_sentence_of_another_dimension_writes_nothing(store: Neo4jStore, group: str) -> None:
    bad = turn(group, "a. b.", [[1.0] * DIMENSION, [1.0] * (DIMENSION - 1)])
    with pytest.raises(IntegrityError, match=r"sentence_embeddings\[1\]"):
        store.write(WriteBatch(episodes=[bad]))
    assert store.get_episodes(group, [bad.uuid]) == []
    assert sentence_rows(store, group) == []


@pytest.mark.parametrize("exact_max", [store_module.EXACT_MAX, 0])
def test_sentence_hits_are_found_behind_many_closer_ones(
    store: Neo4jStore,
    group: str,
    embedder: HashingEmbedder,
    monkeypatch: pytest.MonkeyPatch,
    exact_max: int,
) -> None:
    """Other groups' identical sentences fill the first over-fetch: the group's are then
    scored exactly (a small group) or fetched in larger rounds (``exact_max`` 0)."""
    monkeypatch.setattr(store, "_exact_max", exact_max)
    q = embedder.embed(["where does alice live"])[0]
    noise = [turn(f"{group}-noise", f"noise {i}", [q.tolist()] * 3) for i in range(60)]
    store.write(WriteBatch(episodes=noise))
    far = embedder.embed(["unrelated words"])[0]
    near = (q + 0.5 * far) / np.linalg.norm(q + 0.5 * far)
    wanted = turn(group, "far. near.", [far.tolist(), near.tolist()], content_embedding=far)
    other = Episode(group_id=group, content="x", reference_time=T0, content_embedding=far)
    store.write(WriteBatch(episodes=[wanted, other]))

    hits = store.vector(group, q, "episode", 2, FactFilter())

    assert [u for u, _ in hits] == [wanted.uuid, other.uuid]
    assert hits[0][1] == pytest.approx(float(q @ near), abs=1e-5)
    assert hits[1][1] == pytest.approx(float(q @ far), abs=1e-5)


@pytest.mark.parametrize("target", ["episode", "fact", "entity"])
def test_a_small_group_among_many_is_searched_in_one_statement(
    store: Neo4jStore,
    group: str,
    embedder: HashingEmbedder,
    monkeypatch: pytest.MonkeyPatch,
    target: VectorTarget,
) -> None:
    """A small group among many others' nearer vectors: its vectors are counted and scored
    exactly in one statement (turns and sentences together), every time, writes or not."""
    shared = embedder.embed(["shared words"])[0].tolist()
    crowd = [
        Episode(group_id=f"{group}-crowd", source="chat", content=f"c{i}", reference_time=T0,
                content_embedding=shared, sentence_embeddings=[shared])
        for i in range(60)
    ]  # fmt: skip
    store.write(WriteBatch(episodes=crowd))
    batch = small_graph(group, embedder)
    mine = turn(group, "mine. words.", [shared, shared], content_embedding=shared)
    batch = WriteBatch(episodes=[*batch.episodes, mine], entities=batch.entities, facts=batch.facts)
    store.write(batch)
    query = embedder.embed(["shared words"])[0]
    statements = statements_of(store, monkeypatch)
    for _ in range(2):
        statements.clear()
        hits = store.vector(group, query, target, 10, FactFilter())
        assert len(hits) == {"episode": 1, "fact": 2, "entity": 3}[target]
        # one statement, with the group's vector stamp (for the vector cache)
        assert len(statements) == 1
        assert "$b1_revision_key" in statements[0]
        store.write(batch)
