"""Vector search: top-k order by cosine, limits, fact filters that still fill the limit."""

from __future__ import annotations

import numpy as np
import pytest

from chronomem.engine.store import FactFilter, GraphStore, WriteBatch
from chronomem.errors import ChronomemError
from tests.contract.samples import DIMENSION, angled, at, entity, episode, fact, query, unit


def _ids(hits: list[tuple[str, float]]) -> list[str]:
    return [uuid for uuid, _ in hits]


def test_fact_top_k_in_similarity_order(store: GraphStore, group: str) -> None:
    a, b = entity(group, "A"), entity(group, "B")
    angles = [50, 10, 80, 30, 0, 60]
    facts = [fact(group, a, b, f"at {d} degrees", fact_embedding=angled(d)) for d in angles]
    store.write(WriteBatch(entities=[a, b], facts=facts))

    hits = store.vector(group, query(angled(0)), "fact", 4, FactFilter())

    by_angle = {d: f.uuid for d, f in zip(angles, facts, strict=True)}
    assert _ids(hits) == [by_angle[0], by_angle[10], by_angle[30], by_angle[50]]
    scores = [s for _, s in hits]
    assert scores == sorted(scores, reverse=True)


def test_entity_top_k_skips_entities_without_embedding(store: GraphStore, group: str) -> None:
    near = entity(group, "Near", name_embedding=angled(5))
    far = entity(group, "Far", name_embedding=angled(70))
    bare = entity(group, "Bare")
    store.write(WriteBatch(entities=[far, bare, near]))

    hits = store.vector(group, query(angled(0)), "entity", 10, FactFilter())

    assert _ids(hits) == [near.uuid, far.uuid]


def test_episode_top_k_skips_episodes_without_embedding_and_other_groups(
    store: GraphStore, group: str
) -> None:
    if not store.capabilities.episode_vectors:
        pytest.skip("this store keeps no episode vectors")
    near = episode(group, "near", content_embedding=angled(5))
    far = episode(group, "far", content_embedding=angled(60))
    bare = episode(group, "bare")
    elsewhere = episode(f"{group}-other", "elsewhere", content_embedding=angled(0))
    store.write(WriteBatch(episodes=[far, bare, near, elsewhere]))

    hits = store.vector(group, query(angled(0)), "episode", 10, FactFilter())

    assert _ids(hits) == [near.uuid, far.uuid]
    assert hits[0][1] == pytest.approx(float(np.cos(np.radians(5))), abs=1e-5)
    (stored,) = store.get_episodes(group, [near.uuid])
    assert stored.content_embedding == pytest.approx(angled(5), abs=1e-6)


def test_query_vector_need_not_be_normalised(store: GraphStore, group: str) -> None:
    near = entity(group, "Near", name_embedding=angled(5))
    far = entity(group, "Far", name_embedding=angled(70))
    store.write(WriteBatch(entities=[far, near]))

    hits = store.vector(group, query(angled(0)) * 7.5, "entity", 1, FactFilter())
    assert _ids(hits) == [near.uuid]


def test_filtered_search_still_fills_the_limit(store: GraphStore, group: str) -> None:
    """The nearest rows are filtered out; the next ones must still come back, in order."""
    a, b = entity(group, "A"), entity(group, "B")
    expired = [
        fact(group, a, b, f"old {i}", fact_embedding=angled(i * 0.5), expired_at=at(2020))
        for i in range(30)
    ]
    current = [fact(group, a, b, f"new {i}", fact_embedding=angled(40 + i)) for i in range(10)]
    store.write(WriteBatch(entities=[a, b], facts=expired + current))

    hits = store.vector(group, query(angled(0)), "fact", 5, FactFilter())

    assert _ids(hits) == [f.uuid for f in current[:5]]


def test_filters_on_relation_subject_and_time(store: GraphStore, group: str) -> None:
    a, b, c = entity(group, "A"), entity(group, "B"), entity(group, "C")
    likes = [
        fact(group, a, b, f"likes {i}", "LIKES", fact_embedding=angled(i), valid_at=at(2010))
        for i in range(5)
    ]
    works = [
        fact(
            group, c, b, f"works {i}", "WORKS_AT", fact_embedding=angled(i + 0.5), valid_at=at(2010)
        )
        for i in range(5)
    ]
    dated = fact(
        group,
        a,
        c,
        "dated",
        "MET",
        valid_at=at(2001),
        invalid_at=at(2002),
        fact_embedding=angled(0),
    )
    store.write(WriteBatch(entities=[a, b, c], facts=[*likes, *works, dated]))
    q = query(angled(0))

    assert _ids(store.vector(group, q, "fact", 3, FactFilter(relations=("WORKS_AT",)))) == [
        f.uuid for f in works[:3]
    ]
    got = _ids(store.vector(group, q, "fact", 20, FactFilter(subject_uuids=(a.uuid,))))
    assert set(got) == {f.uuid for f in likes} | {dated.uuid}
    assert _ids(store.vector(group, q, "fact", 20, FactFilter(as_of=at(2001, 6)))) == [dated.uuid]
    assert store.vector(group, q, "fact", 5, FactFilter(relations=())) == []
    # Facts touching C at either end: "works" (C as subject) and "dated" (C as object).
    touching = _ids(store.vector(group, q, "fact", 4, FactFilter(entity_uuids=(c.uuid,))))
    assert touching == [dated.uuid, *(f.uuid for f in works[:3])]


def test_limit_larger_than_the_data(store: GraphStore, group: str) -> None:
    a, b = entity(group, "A"), entity(group, "B")
    facts = [fact(group, a, b, f"f{i}", fact_embedding=angled(i * 10)) for i in range(3)]
    store.write(WriteBatch(entities=[a, b], facts=facts))

    assert _ids(store.vector(group, query(angled(0)), "fact", 100, FactFilter())) == [
        f.uuid for f in facts
    ]


def test_empty_group_returns_nothing(store: GraphStore, group: str) -> None:
    assert store.vector(group, query(unit(1)), "fact", 5, FactFilter()) == []
    assert store.vector(group, query(unit(1)), "entity", 5, FactFilter()) == []


def test_query_of_the_wrong_dimension_is_refused(store: GraphStore, group: str) -> None:
    a = entity(group, "A", name_embedding=unit(1))
    store.write(WriteBatch(entities=[a]))
    with pytest.raises(ChronomemError):
        store.vector(group, np.ones(DIMENSION + 1, dtype=np.float32), "entity", 5, FactFilter())


def test_an_episode_scores_the_best_of_its_turn_and_sentence_vectors(
    store: GraphStore, group: str
) -> None:
    if not store.capabilities.episode_vectors:
        pytest.skip("this store keeps no episode vectors")
    # One sentence of `long_turn` is near the query though the whole turn is far from it.
    long_turn = episode(
        group,
        "far. near. far again.",
        content_embedding=angled(70),
        sentence_embeddings=[angled(80), angled(3), angled(75)],
    )
    middle = episode(group, "middle", content_embedding=angled(20))
    plain = episode(group, "plain", content_embedding=angled(40))
    elsewhere = episode(
        f"{group}-other",
        "elsewhere",
        content_embedding=angled(60),
        sentence_embeddings=[angled(0), angled(1)],
    )
    store.write(WriteBatch(episodes=[plain, long_turn, middle, elsewhere]))

    hits = store.vector(group, query(angled(0)), "episode", 10, FactFilter())

    assert _ids(hits) == [long_turn.uuid, middle.uuid, plain.uuid]
    assert hits[0][1] == pytest.approx(float(np.cos(np.radians(3))), abs=1e-5)
    top = store.vector(group, query(angled(0)), "episode", 1, FactFilter())
    assert _ids(top) == [long_turn.uuid]


def test_sentence_vectors_come_back_in_order_and_are_written_once(
    store: GraphStore, group: str
) -> None:
    if not store.capabilities.episode_vectors:
        pytest.skip("this store keeps no episode vectors")
    turn = episode(
        group,
        "one. two.",
        content_embedding=angled(10),
        sentence_embeddings=[angled(20), angled(30)],
    )
    store.write(WriteBatch(episodes=[turn, turn]))  # twice in one batch
    store.write(WriteBatch(episodes=[turn]))  # and again later: nothing new

    (stored,) = store.get_episodes(group, [turn.uuid])
    assert stored.sentence_embeddings is not None
    assert len(stored.sentence_embeddings) == 2
    for got, want in zip(stored.sentence_embeddings, [angled(20), angled(30)], strict=True):
        assert got == pytest.approx(want, abs=1e-6)
    (dumped,) = store.dump(group).episodes
    assert dumped.sentence_embeddings is not None
    assert len(dumped.sentence_embeddings) == 2
    hits = store.vector(group, query(angled(30)), "episode", 5, FactFilter())
    assert _ids(hits) == [turn.uuid]


def test_an_episode_with_sentence_vectors_only_is_found(store: GraphStore, group: str) -> None:
    if not store.capabilities.episode_vectors:
        pytest.skip("this store keeps no episode vectors")
    turn = episode(group, "one. two.", sentence_embeddings=[angled(40), angled(10)])
    store.write(WriteBatch(episodes=[turn]))

    hits = store.vector(group, query(angled(0)), "episode", 5, FactFilter())

    assert _ids(hits) == [turn.uuid]
    assert hits[0][1] == pytest.approx(float(np.cos(np.radians(10))), abs=1e-5)


def test_episodes_can_be_read_without_their_vectors(store: GraphStore, group: str) -> None:
    turn = episode(
        group, "one. two.", content_embedding=angled(10), sentence_embeddings=[angled(20)]
    )
    store.write(WriteBatch(episodes=[turn]))

    (bare,) = store.get_episodes(group, [turn.uuid], vectors=False)

    assert bare.content_embedding is None
    assert bare.sentence_embeddings is None
    assert bare.model_dump(exclude={"content_embedding", "sentence_embeddings"}) == turn.model_dump(
        exclude={"content_embedding", "sentence_embeddings"}
    )


def test_facts_and_entities_can_be_read_without_their_vectors(
    store: GraphStore, group: str
) -> None:
    a = entity(group, "Alice", name_embedding=angled(10))
    b = entity(group, "Berlin", name_embedding=angled(20))
    lives = fact(group, a, b, "Alice lives in Berlin", "LIVES_IN", fact_embedding=angled(30))
    store.write(WriteBatch(entities=[a, b], facts=[lives]))
    every = FactFilter()

    fact_reads = {
        "get_facts": store.get_facts(group, [lives.uuid], vectors=False),
        "list_facts": store.list_facts(group, every, vectors=False),
        "list_facts limited": store.list_facts(group, every, limit=5, vectors=False),
        "list_facts by subject": store.list_facts(
            group, FactFilter(subject_uuids=(a.uuid,)), vectors=False
        ),
        "neighbors": store.neighbors(group, [a.uuid], every, vectors=False),
    }
    entity_reads = {
        "get_entities": store.get_entities(group, [a.uuid, b.uuid], vectors=False),
        "find_entities by name": store.find_entities(group, ["alice", "berlin"], vectors=False),
        "find_entities all": store.find_entities(group, vectors=False),
    }

    for how, found in fact_reads.items():
        assert [f.fact_embedding for f in found] == [None], how
        assert found[0].model_dump(exclude={"fact_embedding"}) == lives.model_dump(
            exclude={"fact_embedding"}
        ), how
    for how, named in entity_reads.items():
        assert sorted(e.name for e in named) == ["Alice", "Berlin"], how
        assert all(e.name_embedding is None for e in named), how
    (full,) = store.get_facts(group, [lives.uuid])
    assert full.fact_embedding == pytest.approx(angled(30), abs=1e-6)  # the default reads them
    (alice,) = store.find_entities(group, ["Alice"])
    assert alice.name_embedding == pytest.approx(angled(10), abs=1e-6)
