"""Vector search through the store: rebuild after reopen, filtered over-fetch, the ANN path."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from chronomem.engine.store import FactFilter, WriteBatch
from chronomem.engine.store.embedded import EmbeddedStore
from chronomem.schema import Entity, Episode, Fact, parse_time

DIM = 16


def _vectors(n: int, seed: int) -> npt.NDArray[np.float32]:
    rows = np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    return rows


def _facts(
    group: str, a: Entity, b: Entity, rows: npt.NDArray[np.float32], start: int = 0
) -> list[Fact]:
    return [
        Fact(
            group_id=group,
            subject_uuid=a.uuid,
            relation="R_EVEN" if (start + i) % 2 == 0 else "R_ODD",
            object_uuid=b.uuid,
            fact=f"fact {start + i}",
            fact_embedding=row.tolist(),
            expired_at=parse_time("2020-01-01") if (start + i) % 3 == 0 else None,
        )
        for i, row in enumerate(rows)
    ]


def _brute(facts: list[Fact], q: npt.NDArray[np.float32], where: FactFilter, k: int) -> list[str]:
    from chronomem.schema import utcnow

    now = utcnow()
    kept = [f for f in facts if where.accepts(f, now)]
    scores = np.asarray([np.dot(np.asarray(f.fact_embedding, dtype=np.float32), q) for f in kept])
    order = np.argsort(-scores, kind="stable")[:k]
    return [kept[i].uuid for i in order]


def _ids(hits: list[tuple[str, float]]) -> list[str]:
    return [u for u, _ in hits]


def test_rebuilt_index_equals_incremental_results(tmp_path: Path) -> None:
    a, b = Entity(group_id="g", name="A"), Entity(group_id="g", name="B")
    rows = _vectors(300, seed=1)
    queries = _vectors(10, seed=2)
    where = FactFilter()
    with EmbeddedStore(tmp_path / "m", dimension=DIM) as store:
        store.write(WriteBatch(entities=[a, b], facts=_facts("g", a, b, rows[:100])))
        store.vector("g", queries[0], "fact", 5, where)  # the index now exists in memory
        # later writes update it incrementally
        for start in (100, 200):
            store.write(WriteBatch(facts=_facts("g", a, b, rows[start : start + 100], start=start)))
        store.write(
            WriteBatch(entities=[a.model_copy(update={"name_embedding": rows[5].tolist()})])
        )
        incremental = [_ids(store.vector("g", q, "fact", 10, where)) for q in queries]
        entity_hits = _ids(store.vector("g", rows[5], "entity", 3, where))

    with EmbeddedStore(tmp_path / "m", dimension=DIM) as store:
        rebuilt = [_ids(store.vector("g", q, "fact", 10, where)) for q in queries]
        assert _ids(store.vector("g", rows[5], "entity", 3, where)) == entity_hits

    assert rebuilt == incremental
    assert entity_hits == [a.uuid]


def test_broad_filter_over_fetch_matches_brute_force(tmp_path: Path) -> None:
    """More rows pass than the pre-filter cap: the store over-fetches and widens."""
    a, b = Entity(group_id="g", name="A"), Entity(group_id="g", name="B")
    facts = _facts("g", a, b, _vectors(5000, seed=3))
    with EmbeddedStore(tmp_path / "m", dimension=DIM) as store:
        store.write(WriteBatch(entities=[a, b], facts=facts))
        for seed, where in enumerate(
            [
                FactFilter(),
                FactFilter(relations=("R_ODD",)),
                FactFilter(known_at=parse_time("2019-06-01")),
            ]
        ):
            q = _vectors(1, seed=10 + seed)[0]
            for limit in (1, 10, 100):
                assert _ids(store.vector("g", q, "fact", limit, where)) == _brute(
                    facts, q, where, limit
                )


def test_rare_matches_are_found_beyond_the_nearest_rows(tmp_path: Path) -> None:
    a, b = Entity(group_id="g", name="A"), Entity(group_id="g", name="B")
    facts = _facts("g", a, b, _vectors(4000, seed=4))
    rare = Fact(
        group_id="g",
        subject_uuid=b.uuid,
        relation="RARE",
        object_uuid=a.uuid,
        fact="rare",
        fact_embedding=(-_vectors(1, seed=5)[0]).tolist(),
    )
    with EmbeddedStore(tmp_path / "m", dimension=DIM) as store:
        store.write(WriteBatch(entities=[a, b], facts=[*facts, rare]))
        q = _vectors(1, seed=5)[0]  # rare is the farthest row from q
        assert _ids(store.vector("g", q, "fact", 5, FactFilter(relations=("RARE",)))) == [rare.uuid]
        assert _ids(store.vector("g", q, "fact", 5, FactFilter(subject_uuids=(b.uuid,)))) == [
            rare.uuid
        ]


def test_ann_store_agrees_with_exact_store(tmp_path: Path) -> None:
    a, b = Entity(group_id="g", name="A"), Entity(group_id="g", name="B")
    facts = _facts("g", a, b, _vectors(3000, seed=6))
    queries = _vectors(20, seed=7)
    results = []
    for name, threshold in (("exact", None), ("ann", 500)):
        with EmbeddedStore(tmp_path / name, dimension=DIM, ann_threshold=threshold) as store:
            store.write(WriteBatch(entities=[a, b], facts=facts))
            results.append(
                [set(_ids(store.vector("g", q, "fact", 10, FactFilter()))) for q in queries]
            )
    exact, ann = results
    recall = np.mean([len(x & y) / 10 for x, y in zip(exact, ann, strict=True)])
    assert recall >= 0.95


def _episodes(group: str, rows: npt.NDArray[np.float32]) -> list[Episode]:
    return [
        Episode(
            group_id=group,
            content=f"turn {i}",
            reference_time=parse_time("2023-05-08") + timedelta(seconds=i),
            source_id=f"D1:{i}",
            speaker="Mia",
            content_embedding=row.tolist(),
        )
        for i, row in enumerate(rows)
    ]


def test_episode_vectors_are_stored_searched_and_read_back(tmp_path: Path) -> None:
    rows = _vectors(40, seed=3)
    episodes = _episodes("g", rows)
    plain = Episode(group_id="g", content="no vector", reference_time=parse_time("2023-06-01"))
    where = FactFilter()
    with EmbeddedStore(tmp_path / "m", dimension=DIM) as store:
        assert store.capabilities.episode_vectors
        store.write(WriteBatch(episodes=episodes[:20]))
        assert _ids(store.vector("g", rows[7], "episode", 1, where)) == [episodes[7].uuid]
        # the index in memory follows later writes; an episode without a vector is fine
        store.write(WriteBatch(episodes=[*episodes[20:], plain]))
        assert _ids(store.vector("g", rows[31], "episode", 1, where)) == [episodes[31].uuid]
        assert store.vector("other", rows[31], "episode", 5, where) == []
        read = store.get_episodes("g", [episodes[3].uuid, plain.uuid])
        assert read[0].content_embedding == pytest.approx(rows[3].tolist())
        assert read[1].content_embedding is None
    with EmbeddedStore(tmp_path / "m", dimension=DIM) as store:
        hits = store.vector("g", rows[12], "episode", 3, where)
        assert _ids(hits)[0] == episodes[12].uuid
        assert hits[0][1] == pytest.approx(1.0, abs=1e-5)
        assert len(store.vector("g", rows[0], "episode", 100, where)) == 40


def test_a_read_only_store_sees_episode_vectors_written_later(tmp_path: Path) -> None:
    rows = _vectors(20, seed=4)
    episodes = _episodes("g", rows)
    where = FactFilter()
    with EmbeddedStore(tmp_path / "m", dimension=DIM) as writer:
        writer.write(WriteBatch(episodes=episodes[:10]))
        with EmbeddedStore(tmp_path / "m", dimension=DIM, read_only=True) as reader:
            assert _ids(reader.vector("g", rows[15], "episode", 1, where)) != [episodes[15].uuid]
            writer.write(WriteBatch(episodes=episodes[10:]))
            assert _ids(reader.vector("g", rows[15], "episode", 1, where)) == [episodes[15].uuid]
