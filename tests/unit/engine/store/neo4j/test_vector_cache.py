"""The client-side cache of small groups' turn, sentence and entity vectors: the same hits as
scoring on the server, and never stale (a write, by this client or another, or nodes added by
another tool, is seen by the next search)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chronomem.engine.embed import HashingEmbedder
from chronomem.engine.store.neo4j import Neo4jStore
from chronomem.engine.store.neo4j.vector_cache import GroupVectors, VectorCache, Vectors
from chronomem.engine.store.protocol import FactFilter, IndexSearch, VectorTarget, WriteBatch
from chronomem.errors import ConfigurationError
from chronomem.schema import Episode

from .conftest import DIMENSION, T0, small_graph, statements_of

pytestmark = pytest.mark.neo4j

QUERIES = ["where does alice live", "acme", "berlin words", "nothing like it"]


@pytest.fixture(scope="module")
def uncached(neo4j_uri: str, neo4j_auth: tuple[str, str] | None) -> Iterator[Neo4jStore]:
    opened = Neo4jStore(neo4j_uri, auth=neo4j_auth, dimension=DIMENSION, vector_cache_mb=0)
    yield opened
    opened.close()


def a_group(group: str, embedder: HashingEmbedder, turns: int = 12) -> WriteBatch:
    batch = small_graph(group, embedder)
    texts = [f"turn {i} about alice and berlin {i % 3}" for i in range(turns)]
    episodes = [
        Episode(
            group_id=group,
            source="chat",
            content=text,
            reference_time=T0,
            session="s1",
            source_id=f"t{i}",
            content_embedding=embedder.embed([text])[0].tolist(),
            sentence_embeddings=embedder.embed([text, f"{text} again", "acme"]).tolist(),
        )
        for i, text in enumerate(texts)
    ]
    return WriteBatch(
        episodes=[*batch.episodes, *episodes], entities=batch.entities, facts=batch.facts
    )


@pytest.mark.parametrize("target", ["episode", "entity", "fact"])
def test_cached_hits_equal_the_servers(
    store: Neo4jStore,
    uncached: Neo4jStore,
    group: str,
    embedder: HashingEmbedder,
    monkeypatch: pytest.MonkeyPatch,
    target: VectorTarget,
) -> None:
    store.write(a_group(group, embedder))
    query = embedder.embed(["alice"])[0]
    for _ in range(2):  # the second search sees the same stamp: the vectors are loaded
        store.vector(group, query, target, 5, FactFilter())
    sent = statements_of(store, monkeypatch)
    for text in QUERIES:
        q = embedder.embed([text])[0]
        for limit in (1, 3, 50):
            mine = store.vector(group, q, target, limit, FactFilter())
            theirs = uncached.vector(group, q, target, limit, FactFilter())
            assert [u for u, _ in mine] == [u for u, _ in theirs]
            assert [s for _, s in mine] == pytest.approx([s for _, s in theirs], abs=1e-5)
    assert sent
    assert all("vector.similarity" not in s for s in sent)


def test_cached_fact_hits_keep_the_filter(
    store: Neo4jStore,
    uncached: Neo4jStore,
    group: str,
    embedder: HashingEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The filter runs on the server (scoped to entities, or by relation); only the rows it
    passes are scored in the client."""
    batch = a_group(group, embedder)
    store.write(batch)
    alice, acme = batch.entities[0].uuid, batch.entities[1].uuid
    query = embedder.embed(["alice"])[0]
    for _ in range(2):
        store.vector(group, query, "fact", 5, FactFilter())
    sent = statements_of(store, monkeypatch)
    filters = [
        FactFilter(),
        FactFilter(entity_uuids=(acme,)),
        FactFilter(subject_uuids=(alice,)),
        FactFilter(relations=("LIVES_IN",)),
        FactFilter(relations=("NOTHING",)),
    ]
    for where in filters:
        mine = store.vector(group, query, "fact", 5, where)
        theirs = uncached.vector(group, query, "fact", 5, where)
        assert [u for u, _ in mine] == [u for u, _ in theirs]
    assert len(sent) == len(filters)
    assert all("vector.similarity" not in s for s in sent)


def test_a_write_by_another_client_is_seen_at_once(
    store: Neo4jStore, uncached: Neo4jStore, group: str, embedder: HashingEmbedder
) -> None:
    store.write(a_group(group, embedder))
    query = embedder.embed(["a brand new topic"])[0]
    for _ in range(3):
        store.vector(group, query, "episode", 1, FactFilter())
    new = Episode(
        group_id=group,
        source="chat",
        content="a brand new topic",
        reference_time=T0,
        content_embedding=query.tolist(),
    )
    uncached.write(WriteBatch(episodes=[new]))  # another client: this one's cache is stale

    assert store.vector(group, query, "episode", 1, FactFilter())[0][0] == new.uuid


def conversations(group: str, embedder: HashingEmbedder) -> list[Episode]:
    """Turns of two sources, two sessions and none, some at one time (ties go by uuid)."""
    turns = []
    for i in range(14):
        text = f"turn {i} about alice"
        turns.append(
            Episode(
                group_id=group,
                source="chat" if i % 5 else "mail",
                content=text,
                reference_time=T0 + timedelta(minutes=i // 3),
                session=("s1", "s2", None, "")[i % 4],
                speaker="Alice" if i % 2 else "Bob",
                source_id=f"c{i}",
                content_embedding=embedder.embed([text])[0].tolist(),
            )
        )
    return turns


def test_cached_turns_around_equal_the_servers(
    store: Neo4jStore,
    uncached: Neo4jStore,
    group: str,
    embedder: HashingEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With a group's vectors, its timeline is held: the turns around a turn come from it
    (one statement: the stamp), as the server finds them."""
    batch = a_group(group, embedder)
    turns = conversations(group, embedder)
    store.write(WriteBatch(episodes=[*batch.episodes, *turns], entities=batch.entities))
    query = embedder.embed(["alice"])[0]
    for _ in range(2):  # the second search sees the same stamp: the vectors are loaded
        store.vector(group, query, "episode", 5, FactFilter())
    sent = statements_of(store, monkeypatch)
    uuids = [t.uuid for t in turns] + [batch.episodes[0].uuid, "no-such-turn"]
    for before, after in ((1, 1), (2, 2), (0, 3), (3, 0)):
        mine = store.adjacent_episodes(group, uuids, before, after)
        theirs = uncached.adjacent_episodes(group, uuids, before, after)
        assert {c: [e.uuid for e in line] for c, line in mine.items()} == {
            c: [e.uuid for e in line] for c, line in theirs.items()
        }
        assert mine == theirs
    assert len(sent) == 4
    assert all("ADJACENT" not in s and "ORDER BY e.valid_at" not in s for s in sent)


def test_turns_around_written_by_another_client_are_seen_at_once(
    store: Neo4jStore, uncached: Neo4jStore, group: str, embedder: HashingEmbedder
) -> None:
    turns = conversations(group, embedder)
    store.write(WriteBatch(episodes=turns))
    query = embedder.embed(["alice"])[0]
    for _ in range(2):
        store.vector(group, query, "episode", 5, FactFilter())
    centre = turns[0]
    later = Episode(
        group_id=group,
        source=centre.source,
        content="said just after",
        reference_time=centre.reference_time + timedelta(seconds=1),
        session=centre.session,
        source_id="later",
    )
    uncached.write(WriteBatch(episodes=[later]))  # another client: this one's cache is stale
    around = store.adjacent_episodes(group, [centre.uuid], 0, 1)
    assert [e.uuid for e in around[centre.uuid]] == [later.uuid]


def test_nodes_added_by_another_tool_are_seen(
    store: Neo4jStore, group: str, embedder: HashingEmbedder
) -> None:
    """A tool writing nodes without renewing the revision: the counts in the stamp change."""
    store.write(a_group(group, embedder))
    query = embedder.embed(["someone else entirely"])[0]
    for _ in range(3):
        store.vector(group, query, "entity", 1, FactFilter())
    store._live_driver().execute_query(
        "CREATE (:Entity {uuid: $uuid, group_id: $group, name: 'Zed', name_key: 'zed', "
        "labels: [], name_embedding: $vector, created_at: datetime()})",
        uuid="zed-" + group,
        group=group,
        vector=query.tolist(),
    )

    assert store.vector(group, query, "entity", 1, FactFilter())[0][0] == "zed-" + group


def test_searches_together_use_the_cache_and_the_server(
    store: Neo4jStore,
    uncached: Neo4jStore,
    group: str,
    embedder: HashingEmbedder,
) -> None:
    """Full text and fact vectors still run on the server, beside the cached ones."""
    store.write(a_group(group, embedder))
    q = embedder.embed(["alice lives in berlin"])[0]
    asked = [
        IndexSearch(target=target, limit=10, where=FactFilter(), embedding=q)
        for target in ("fact", "entity", "episode")
    ] + [
        IndexSearch(target=target, limit=10, where=FactFilter(), text="alice berlin")
        for target in ("fact", "entity", "episode")
    ]
    for _ in range(3):
        mine = store.searches(group, asked)
    theirs = uncached.searches(group, asked)
    assert [[u for u, _ in hits] for hits in mine] == [[u for u, _ in hits] for hits in theirs]


def test_a_large_group_is_not_cached(
    store: Neo4jStore, group: str, embedder: HashingEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "_exact_max", 3)
    store.write(a_group(group, embedder))
    query = embedder.embed(["alice"])[0]
    for _ in range(3):
        store.vector(group, query, "episode", 2, FactFilter())
    assert store._vectors.get(group) is None
    sent = statements_of(store, monkeypatch)
    store.vector(group, query, "episode", 2, FactFilter())
    assert "revision_key" not in sent[0]  # found too large: not stamped again for a while


def test_the_budget_must_be_a_number_at_least_zero(neo4j_uri: str) -> None:
    for bad in (-1, True, "10"):
        with pytest.raises(ConfigurationError, match="vector_cache_mb"):
            Neo4jStore(neo4j_uri, dimension=DIMENSION, vector_cache_mb=bad)  # type: ignore[arg-type]


# ------------------------------------------------------------------------ without a server


def test_best_scores_a_key_by_its_best_row_ties_by_uuid() -> None:
    rows = [[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 0.0], [1.0, 1.0]]
    vectors = Vectors.of(["b", "a", "a", "zero", "c"], rows, 2)
    assert vectors.keys == ("b", "a", "a", "c")  # a zero vector is never a hit
    hits = vectors.best(np.array([1.0, 0.0], dtype=np.float32), 10)
    assert [u for u, _ in hits] == ["a", "b", "c"]
    assert [s for _, s in hits] == pytest.approx([1.0, 1.0, (1 + 2**-0.5) / 2])
    assert vectors.best(np.array([1.0, 0.0], dtype=np.float32), 1) == [("a", 1.0)]


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from("abcdef"),
            st.lists(st.integers(-2, 2), min_size=3, max_size=3),  # small ints: many ties
        ),
        max_size=12,
    ),
    query=st.lists(st.integers(-2, 2), min_size=3, max_size=3),
    among=st.one_of(st.none(), st.frozensets(st.sampled_from("abcdefg"))),
    limit=st.integers(1, 8),
)
def test_best_ranks_as_scoring_every_row_one_by_one(
    rows: list[tuple[str, list[int]]], query: list[int], among: frozenset[str] | None, limit: int
) -> None:
    """The vectorised ranking equals the plain one: each uuid its best row's score, best
    first, ties by uuid, only uuids of ``among``."""
    if not any(query):
        query = [1, 0, 0]
    vectors = Vectors.of([k for k, _ in rows], [[float(x) for x in v] for _, v in rows], 3)
    q = np.asarray(query, dtype=np.float32)
    q /= np.linalg.norm(q)
    best: dict[str, float] = {}
    for key, row in zip(vectors.keys, vectors.unit, strict=True):
        cosine = float(np.float32(float(np.dot(row, q.astype(np.float64)))))
        score = (1.0 + cosine) / 2.0
        if (among is None or key in among) and score > best.get(key, -1.0):
            best[key] = score
    expected = sorted(best.items(), key=lambda hit: (-hit[1], hit[0]))[:limit]
    assert vectors.best(q, limit, among) == expected


def test_the_least_recently_used_group_goes_first_when_over_budget() -> None:
    def group(n: int) -> GroupVectors:
        rows = np.random.default_rng(n).standard_normal((n, 8)).tolist()
        vectors = Vectors.of([str(i) for i in range(n)], rows, 8)
        empty = Vectors.of([], [], 8)
        return GroupVectors(("r", n, 0, 0, 0), vectors, empty, empty, empty)

    cache = VectorCache(budget_bytes=group(4).nbytes * 2)
    cache.put("a", group(4))
    cache.put("b", group(4))
    assert cache.get("a") is not None  # a used after b
    cache.put("c", group(4))
    assert cache.get("b") is None
    assert cache.get("a") is not None
    assert cache.get("c") is not None
    cache.put("huge", group(8 * 8))
    assert cache.get("huge") is None


def test_vectors_load_after_two_searches_see_the_same_stamp() -> None:
    cache = VectorCache(budget_bytes=1_000_000)
    assert not cache.seen("g", ("r1", 1, 1, 1, 1), exact_max=10)
    assert not cache.seen("g", ("r2", 1, 1, 1, 1), exact_max=10)
    assert cache.seen("g", ("r2", 1, 1, 1, 1), exact_max=10)
    assert not cache.seen("g", ("r2", 1, 1, 1, 11), exact_max=10)
    assert not cache.seen("h", None, exact_max=10)
    assert not cache.seen("h", None, exact_max=10)
    assert not VectorCache(0).seen("g", ("r", 0, 0, 0, 0), exact_max=10)
    assert not cache.worth_stamping("g")  # found too large just now
    assert cache.worth_stamping("h")
    cache.seen("h", ("r3", 1, 1, 1, 1), exact_max=10)
    assert cache.worth_stamping("h")
    assert not VectorCache(0).worth_stamping("g")
