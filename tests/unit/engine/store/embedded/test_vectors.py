"""The in-memory vector indexes: exact search, and the HNSW path for large groups."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from chronomem.engine.store.embedded.vectors import ExactIndex, VectorIndex, unit_rows

DIM = 32


def _random(n: int, seed: int = 0) -> npt.NDArray[np.float32]:
    return unit_rows(np.random.default_rng(seed).standard_normal((n, DIM)))


def _brute(
    ids: list[int], rows: npt.NDArray[np.float32], q: npt.NDArray[np.float32], k: int
) -> list[int]:
    scores = rows @ q
    order = sorted(range(len(ids)), key=lambda i: (-scores[i], ids[i]))
    return [ids[i] for i in order[:k]]


def test_exact_search_orders_by_cosine() -> None:
    index = ExactIndex(DIM)
    rows = _random(50)
    ids = list(range(100, 150))
    index.upsert(ids, rows * 3.0)  # stored normalised
    q = rows[7]

    hits = index.search(q, 5)

    assert [i for i, _ in hits] == _brute(ids, rows, q, 5)
    assert hits[0][0] == 107
    assert hits[0][1] == pytest.approx(1.0, abs=1e-5)


def test_exact_upsert_replaces_and_remove_keeps_the_rest() -> None:
    index = ExactIndex(DIM)
    rows = _random(10)
    index.upsert(list(range(10)), rows)
    index.upsert([3], rows[8:9])
    index.remove([0, 5, 42])

    assert len(index) == 8
    hits = index.search(rows[8], 2)
    assert {i for i, _ in hits} == {3, 8}
    assert index.position(0) is None
    assert all(index.ids[index.position(i)] == i for i in (1, 2, 3, 4, 6, 7, 8, 9))


def test_exact_score_ranks_a_subset() -> None:
    index = ExactIndex(DIM)
    rows = _random(20)
    index.upsert(list(range(20)), rows)

    hits = index.score(rows[0], [5, 6, 7, 999], 10)

    assert sorted(i for i, _ in hits) == [5, 6, 7]
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)


def test_small_index_stays_exact() -> None:
    index = VectorIndex(DIM, ann_threshold=100, background=False)
    index.upsert(list(range(50)), _random(50))
    assert not index.uses_ann


def test_ann_index_agrees_with_exact_search() -> None:
    rows = _random(600, seed=1)
    ids = list(range(600))
    index = VectorIndex(DIM, ann_threshold=200, background=False)
    index.upsert(ids, rows)
    assert index.uses_ann
    assert index.pending() == 0

    queries = _random(30, seed=2)
    recall = np.mean(
        [
            len({i for i, _ in index.search(q, 10)} & set(_brute(ids, rows, q, 10))) / 10
            for q in queries
        ]
    )
    assert recall >= 0.95


def test_ann_index_sees_updates_and_removals_at_once() -> None:
    rows = _random(400, seed=3)
    index = VectorIndex(DIM, ann_threshold=100, background=False)
    index.upsert(list(range(400)), rows)
    target = _random(1, seed=4)[0]

    index.upsert([17], target[None, :])
    assert index.search(target, 1)[0][0] == 17

    index.remove([17])
    assert 17 not in {i for i, _ in index.search(target, 20)}
    assert len(index) == 399


def test_background_indexing_serves_correct_results_meanwhile() -> None:
    rows = _random(3000, seed=5)
    ids = list(range(3000))
    index = VectorIndex(DIM, ann_threshold=1000, background=True)
    index.upsert(ids, rows)
    q = rows[123]

    assert index.search(q, 1)[0][0] == 123  # while the graph is filling
    assert index.wait_indexed(timeout=120)
    assert index.pending() == 0
    assert index.search(q, 1)[0][0] == 123
    index.close()


def test_large_k_goes_exact() -> None:
    rows = _random(700, seed=6)
    ids = list(range(700))
    index = VectorIndex(DIM, ann_threshold=100, background=False)
    index.upsert(ids, rows)

    got = [i for i, _ in index.search(rows[0], 600)]

    assert got == _brute(ids, rows, rows[0], 600)


def test_writes_during_a_background_build_are_kept() -> None:
    rows = _random(4000, seed=7)
    index = VectorIndex(DIM, ann_threshold=1000, background=True)
    index.upsert(list(range(4000)), rows)  # the build starts from a snapshot
    moved, fresh = _random(2, seed=8)
    index.upsert([5], moved[None, :])  # changed during the build
    index.upsert([9999], fresh[None, :])  # new during the build
    index.remove([6])

    assert index.search(moved, 1)[0][0] == 5
    assert index.search(fresh, 1)[0][0] == 9999
    assert index.wait_indexed(timeout=120)
    assert index.uses_ann
    assert index.pending() == 0
    assert index.search(moved, 1)[0][0] == 5
    assert index.search(fresh, 1)[0][0] == 9999
    assert 6 not in {i for i, _ in index.search(rows[6], 10)}
    index.close()
