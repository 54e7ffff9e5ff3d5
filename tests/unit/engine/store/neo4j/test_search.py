"""Vector search through the native indexes: filtered, over-fetched until ``limit`` is met."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest

from chronomem.engine.embed import HashingEmbedder
from chronomem.engine.store.neo4j import Neo4jStore, cypher
from chronomem.engine.store.neo4j import store as store_module
from chronomem.engine.store.neo4j.cypher import filter_params
from chronomem.engine.store.neo4j.vector_cache import VectorCache
from chronomem.engine.store.protocol import Erasure, FactFilter, IndexSearch, WriteBatch
from chronomem.errors import ConfigurationError, InputError
from chronomem.schema import Entity, Episode, Fact

from .conftest import DIMENSION, T0, huddled, small_graph, spread, statements_of

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


def index_fetches(store: Neo4jStore, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """From now on, the number of hits each vector search statement of ``store`` asks its
    index for (appended to the list returned)."""
    fetched: list[int] = []
    rows = store._rows

    def counted(action: str, statement: str, **params: Any) -> Any:
        for prefix in ("", "b0_"):  # alone, or first beside the group's vector stamp
            if f"{prefix}index" in params and f"{prefix}cap" in params:
                fetched.append(params[f"{prefix}k"])
        return rows(action, statement, **params)

    monkeypatch.setattr(store, "_rows", counted)
    return fetched


def test_a_small_group_inside_a_larger_one_gets_its_exact_top_k_through_the_index(
    store: Neo4jStore, group: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 16's recall fix: a group above the exact threshold is searched through the shared
    index, over-fetched (at least ``VECTOR_MIN_FETCH`` hits) and re-scored exactly, so a small
    group whose vectors all lie behind a larger group's nearer ones gets exactly the top k that
    scoring every one of its vectors gives."""
    monkeypatch.setattr(store, "_exact_max", 5)  # 40 vectors: through the index
    rng = np.random.default_rng(16)
    query = rng.standard_normal(DIMENSION).astype(np.float32)
    query /= np.linalg.norm(query)
    near = query + 0.4 * rng.standard_normal((400, DIMENSION)).astype(np.float32)
    far = query + 1.5 * rng.standard_normal((40, DIMENSION)).astype(np.float32)
    store.write(spread(f"{group}-large", near))
    mine = spread(group, far)
    store.write(mine)
    fetched = index_fetches(store, monkeypatch)
    hits = store.vector(group, query, "fact", 10, FactFilter())

    scored = [(f.uuid, float(np.asarray(f.fact_embedding) @ query)) for f in mine.facts]
    exact = sorted(scored, key=lambda hit: -hit[1])[:10]
    assert [u for u, _ in hits] == [u for u, _ in exact]
    assert [s for _, s in hits] == pytest.approx([s for _, s in exact], abs=1e-5)
    assert fetched == [store_module.VECTOR_MIN_FETCH]  # through the index, in one fetch


def _rows_under(operator: Any, marker: str, inside: bool = False) -> int:
    """Rows read from the store (by seeks, scans and expansions) by the operators of a
    PROFILE plan below the one whose details name ``marker``."""
    here = inside or marker in str(operator.get("args", {}).get("Details", ""))
    reads = any(word in operator["operatorType"] for word in ("Seek", "Scan", "Expand"))
    own = int(operator.get("rows", 0) or 0) if here and reads else 0
    return own + sum(_rows_under(child, marker, here) for child in operator.get("children", []))


@pytest.mark.parametrize(
    ("target", "statement", "index"),
    [
        ("entity", "SEARCH_ENTITY_VECTORS", "ENTITY_VECTOR_INDEX"),
        ("fact", "SEARCH_FACT_VECTORS", "FACT_VECTOR_INDEX"),
        ("episode", "SEARCH_EPISODE_VECTORS", "EPISODE_VECTOR_INDEX"),
    ],
)
def test_a_large_group_is_not_read_by_the_exact_branch(
    store: Neo4jStore, group: str, target: str, statement: str, index: str
) -> None:
    """Issue 16 at 1M facts: the exact branch of a vector search statement (run only for a
    group under the threshold) was planned as a seek of every row of the group before the
    filter on the count, so a search of a 600,000-fact group read them all. In the profile of
    a search of a group above the threshold, the exact branch reads no row."""
    rng = np.random.default_rng(7)
    batch = spread(group, rng.standard_normal((30, DIMENSION)).astype(np.float32))
    unit = [(row / np.linalg.norm(row)).tolist() for row in rng.standard_normal((31, DIMENSION))]
    entities = [
        e.model_copy(update={"name_embedding": v})
        for e, v in zip(batch.entities, unit, strict=True)
    ]
    episodes = [
        Episode(group_id=group, source="chat", content=f"turn {i}", reference_time=T0,
                content_embedding=v)
        for i, v in enumerate(unit)
    ]  # fmt: skip
    store.write(WriteBatch(episodes=episodes, entities=entities, facts=batch.facts))
    query = rng.standard_normal(DIMENSION)
    params: dict[str, Any] = {
        "group_id": group,
        "embedding": (query / np.linalg.norm(query)).tolist(),
        "index": getattr(cypher, index),
        "k": 100,
        "limit": 10,
        "rescored": 40,
        "cap": 6,
        "sentence_cap": 6,  # the group holds 31 entities and turns and 30 facts: above it
        "sentence_index": cypher.SENTENCE_VECTOR_INDEX,
        "sentence_k": 100,
        **filter_params(FactFilter(), T0),
    }
    driver = store._live_driver()
    with driver.session(database=store.database) as session:
        summary = session.run("PROFILE " + getattr(cypher, statement), params).consume()
    assert summary.profile is not None
    assert _rows_under(summary.profile, "AS exact") == 0
    assert _rows_under(summary.profile, "AS held") > 0  # the count did read the group


def test_only_the_index_best_are_rescored_and_they_hold_the_exact_top_k(
    store: Neo4jStore, group: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Of the index hits passing the group and the filter, only the best
    ``RESCORED_PER_HIT * limit`` by the index's score are re-scored: with 400 of the group's
    vectors among the hits and a limit of 3, the 40 re-scored hold the exact top 3."""
    monkeypatch.setattr(store, "_exact_max", 5)
    rng = np.random.default_rng(41)
    query = rng.standard_normal(DIMENSION).astype(np.float32)
    query /= np.linalg.norm(query)
    mine = spread(group, query + 0.8 * rng.standard_normal((400, DIMENSION)).astype(np.float32))
    store.write(mine)
    kept: list[int] = []
    rows = store._rows

    def counted(action: str, statement: str, **params: Any) -> Any:
        found = rows(action, statement, **params)
        kept.extend(len(found[0][c]) for c in found[0] if c.endswith("kept"))
        return found

    monkeypatch.setattr(store, "_rows", counted)
    hits = store.vector(group, query, "fact", 3, FactFilter())
    scored = [(f.uuid, float(np.asarray(f.fact_embedding) @ query)) for f in mine.facts]
    exact = sorted(scored, key=lambda hit: -hit[1])[:3]
    assert [u for u, _ in hits] == [u for u, _ in exact]
    assert kept == [max(3 * store_module.RESCORED_PER_HIT, 40)]


def test_a_group_found_large_is_searched_without_counting_until_an_erasure(
    store: Neo4jStore, group: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search that counted more than ``exact_max`` of a group's vectors notes it: the next
    searches go straight to the index (``cap`` 0: nothing counted) with the same hits, until
    an erasure of the group, after which the group is counted again (it may be small)."""
    monkeypatch.setattr(store, "_exact_max", 5)
    monkeypatch.setattr(store, "_vectors", VectorCache(0))  # no stamp statements
    rng = np.random.default_rng(5)
    query = rng.standard_normal(DIMENSION).astype(np.float32)
    query /= np.linalg.norm(query)
    batch = spread(group, query + rng.standard_normal((30, DIMENSION)).astype(np.float32))
    store.write(batch)
    caps: list[int] = []
    rows = store._rows

    def counted(action: str, statement: str, **params: Any) -> Any:
        caps.extend(v for k, v in params.items() if k.endswith("cap") and "sentence" not in k)
        return rows(action, statement, **params)

    monkeypatch.setattr(store, "_rows", counted)
    first = store.vector(group, query, "fact", 3, FactFilter())
    second = store.vector(group, query, "fact", 3, FactFilter())
    assert second == first
    assert caps == [6, 0]
    store.erase(Erasure(group_id=group, facts=[f.uuid for f in batch.facts[1:]]))
    caps.clear()
    assert [u for u, _ in store.vector(group, query, "fact", 3, FactFilter())] == [
        batch.facts[0].uuid
    ]
    assert caps == [6]  # counted again: one fact, scored exactly


def test_a_large_groups_entity_vectors_are_held_and_scored_exactly_until_a_write(
    store: Neo4jStore, group: str, embedder: HashingEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A group found holding more than ``exact_max`` entity vectors, searched twice with the
    same vector revision, has its entity vectors read into the client: its entity searches
    are then scored there (no index statement), exactly; a write renews the revision, and the
    next search asks the server again (and finds the new entity)."""
    monkeypatch.setattr(store, "_exact_max", 5)
    rng = np.random.default_rng(9)
    names = [f"Person {i}" for i in range(40)]
    vectors = rng.standard_normal((40, DIMENSION)).astype(np.float32)
    entities = [
        Entity(group_id=group, name=n, name_embedding=(v / np.linalg.norm(v)).tolist())
        for n, v in zip(names, vectors, strict=True)
    ]
    store.write(WriteBatch(entities=entities))
    query = rng.standard_normal(DIMENSION).astype(np.float32)
    query /= np.linalg.norm(query)
    scored = [(e.uuid, float(np.asarray(e.name_embedding) @ query)) for e in entities]
    exact = [u for u, _ in sorted(scored, key=lambda hit: -hit[1])[:5]]
    sent = statements_of(store, monkeypatch)
    for _ in range(3):  # counted (large), revision seen, seen again: read into the client
        store.vector(group, query, "entity", 5, FactFilter())
    sent.clear()
    hits = store.vector(group, query, "entity", 5, FactFilter())
    assert [u for u, _ in hits] == exact
    assert hits[0][1] == pytest.approx(max(s for _, s in scored), abs=1e-5)
    assert not any("db.index.vector" in statement for statement in sent)
    newest = Entity(group_id=group, name="Newest", name_embedding=query.tolist())
    store.write(WriteBatch(entities=[newest]))
    sent.clear()
    hits = store.vector(group, query, "entity", 5, FactFilter())
    # the server's index path is approximate (it may miss a near vector of the old ones), but
    # it is asked again and finds the new entity first
    assert hits[0][0] == newest.uuid
    assert len(hits) == 5
    assert {u for u, _ in hits[1:]} <= {e.uuid for e in entities}
    assert any("db.index.vector" in statement for statement in sent)


def test_vector_fetch_sets_how_many_index_hits_a_large_group_fetches(
    neo4j_uri: str, neo4j_auth: Any, group: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``vector_fetch`` is the smallest fetch from the index (never below what the limit needs);
    a bad value is refused when the store is opened."""
    vectors = huddled(np.random.default_rng(17), 30)
    with Neo4jStore(
        neo4j_uri, auth=neo4j_auth, dimension=DIMENSION, exact_max=5, vector_fetch=70
    ) as store:
        store.write(spread(group, vectors))
        fetched = index_fetches(store, monkeypatch)
        store.vector(group, vectors[0], "fact", 10, FactFilter())
        store.vector(group, vectors[0], "fact", 30, FactFilter())
    assert fetched == [70, 120]  # 120: four times the limit of 30
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ConfigurationError, match="vector_fetch must be an int >= 1"):
            Neo4jStore(neo4j_uri, auth=neo4j_auth, dimension=DIMENSION, vector_fetch=bad)  # type: ignore[arg-type]


def test_a_large_groups_vector_searches_go_in_two_statements_at_once(
    neo4j_uri: str, neo4j_auth: Any, group: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once a group is known to be above the exact threshold, a call holding two or more of its
    vector index searches sends them as two statements from two threads (Neo4j runs each on
    one core), and answers exactly as one statement does."""
    vectors = huddled(np.random.default_rng(18), 30)
    batch = spread(group, vectors)
    batch.episodes = [
        Episode(
            group_id=group,
            source="chat",
            content=f"Hub mentioned end {i}.",
            reference_time=T0,
            content_embedding=(row / np.linalg.norm(row)).tolist(),
        )
        for i, row in enumerate(vectors[:12])
    ]
    query = vectors[3] / np.linalg.norm(vectors[3])
    searches = [
        IndexSearch(target="fact", limit=5, where=FactFilter(), embedding=query),
        IndexSearch(target="episode", limit=5, where=FactFilter(), embedding=query),
        IndexSearch(target="fact", limit=5, where=FactFilter(), text="end"),
        IndexSearch(target="episode", limit=5, where=FactFilter(), text="hub"),
    ]
    with Neo4jStore(neo4j_uri, auth=neo4j_auth, dimension=DIMENSION, exact_max=5) as store:
        store.write(batch)
        sent: list[tuple[str, int]] = []
        rows = store._rows

        def counted(action: str, statement: str, **params: Any) -> Any:
            blocks = sum(1 for k in params if k.endswith("index"))
            sent.append((threading.current_thread().name, blocks))
            return rows(action, statement, **params)

        monkeypatch.setattr(store, "_rows", counted)
        first = store.searches(group, searches)  # finds the group large: one statement
        assert len(sent) == 1
        sent.clear()
        second = store.searches(group, searches)
        assert second == first
        assert first[0][0][0] == batch.facts[3].uuid
        assert first[1][0][0] == batch.episodes[3].uuid
        assert len(sent) == 2
        assert len({thread for thread, _ in sent}) == 2
        # the episode search (turn and sentence indexes); the fact search and the full text
        assert sorted(blocks for _, blocks in sent) == [2, 3]
        # a call with one index search of the group stays one statement
        sent.clear()
        store.searches(group, searches[:1] + searches[2:])
        assert len(sent) == 1
