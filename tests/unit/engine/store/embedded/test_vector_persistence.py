"""The HNSW graph saved next to the database: reused on reopen, reconciled, rebuilt if unusable."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from chronomem.engine.store import FactFilter, WriteBatch
from chronomem.engine.store.embedded import EmbeddedStore
from chronomem.engine.store.embedded.vectors import VectorIndex, unit_rows
from chronomem.schema import Entity, Fact

DIM = 16


def _random(n: int, seed: int) -> npt.NDArray[np.float32]:
    return unit_rows(np.random.default_rng(seed).standard_normal((n, DIM)))


def _index(path: Path) -> VectorIndex:
    return VectorIndex(DIM, ann_threshold=100, background=False, persist=path)


def _top(index: VectorIndex, q: npt.NDArray[np.float32], k: int = 5) -> list[int]:
    return [i for i, _ in index.search(q, k)]


def test_a_built_graph_is_saved_and_loaded_on_reopen(tmp_path: Path) -> None:
    rows = _random(500, seed=1)
    first = _index(tmp_path / "vectors-g-fact")
    first.upsert(list(range(500)), rows)
    assert first.uses_ann
    assert not first.loaded_from_disk
    assert (tmp_path / "vectors-g-fact.bin").is_file()
    assert (tmp_path / "vectors-g-fact.npz").is_file()
    expected = [_top(first, q) for q in rows[:20]]
    first.close()

    second = _index(tmp_path / "vectors-g-fact")
    second.upsert(list(range(500)), rows)

    assert second.loaded_from_disk
    assert second.pending() == 0
    assert [_top(second, q) for q in rows[:20]] == expected


def test_a_loaded_graph_is_reconciled_with_the_database(tmp_path: Path) -> None:
    rows = _random(500, seed=2)
    first = _index(tmp_path / "v")
    first.upsert(list(range(500)), rows)
    first.close()
    changed = rows.copy()
    changed[7] = _random(1, seed=3)[0]  # vector 7 changed since the save
    fresh = _random(10, seed=4)  # ten rows added since the save
    ids = [i for i in range(500) if i != 9] + list(range(1000, 1010))  # row 9 gone
    matrix = np.concatenate([np.delete(changed, 9, axis=0), fresh])

    second = _index(tmp_path / "v")
    second.upsert(ids, matrix)

    assert second.loaded_from_disk
    assert second.pending() == 0  # the changed and new rows were merged into the graph
    assert _top(second, changed[7], 1) == [7]
    assert _top(second, fresh[3], 1) == [1003]
    assert 9 not in _top(second, rows[9], 20)


def test_a_damaged_or_foreign_file_means_a_rebuild(tmp_path: Path) -> None:
    rows = _random(300, seed=5)
    first = _index(tmp_path / "v")
    first.upsert(list(range(300)), rows)
    first.close()
    (tmp_path / "v.bin").write_bytes(b"not an index")

    damaged = _index(tmp_path / "v")
    damaged.upsert(list(range(300)), rows)
    assert not damaged.loaded_from_disk
    assert _top(damaged, rows[42], 1) == [42]
    damaged.close()

    other = _random(300, seed=6)  # another memory's vectors under the same ids
    foreign = _index(tmp_path / "v")
    foreign.upsert(list(range(300)), other)
    assert not foreign.loaded_from_disk
    assert _top(foreign, other[42], 1) == [42]


def test_many_merged_changes_are_saved_on_close(tmp_path: Path) -> None:
    rows = _random(600, seed=7)
    first = _index(tmp_path / "v")
    first.upsert(list(range(400)), rows[:400])
    first.upsert(list(range(400, 600)), rows[400:])  # merged after the first save
    first.close()
    with np.load(tmp_path / "v.npz") as meta:
        assert sorted(meta["ids"].tolist()) == list(range(600))

    second = _index(tmp_path / "v")
    second.upsert(list(range(600)), rows)
    assert second.loaded_from_disk
    assert second.pending() == 0
    assert _top(second, rows[550], 1) == [550]


def _store_facts(n: int) -> tuple[list[Entity], list[Fact]]:
    a, b = Entity(group_id="g:1", name="A"), Entity(group_id="g:1", name="B")
    facts = [
        Fact(
            group_id="g:1",
            subject_uuid=a.uuid,
            relation="R",
            object_uuid=b.uuid,
            fact=f"fact {i}",
            fact_embedding=row.tolist(),
        )
        for i, row in enumerate(_random(n, seed=8))
    ]
    return [a, b], facts


def test_the_store_keeps_its_graph_next_to_the_database(tmp_path: Path) -> None:
    entities, facts = _store_facts(400)
    queries = _random(5, seed=9)
    with EmbeddedStore(tmp_path / "m", dimension=DIM, ann_threshold=100) as store:
        store.write(WriteBatch(entities=entities, facts=facts))
        store.load_vectors("g:1", wait=True)
        before = [store.vector("g:1", q, "fact", 5, FactFilter()) for q in queries]
    assert (tmp_path / "m" / "vectors-g%3A1-fact.bin").is_file()
    saved = (tmp_path / "m" / "vectors-g%3A1-fact.bin").stat().st_mtime_ns

    with EmbeddedStore(tmp_path / "m", dimension=DIM, read_only=True, ann_threshold=100) as store:
        store.load_vectors("g:1", wait=True)
        after = [store.vector("g:1", q, "fact", 5, FactFilter()) for q in queries]

    assert after == before
    assert (tmp_path / "m" / "vectors-g%3A1-fact.bin").stat().st_mtime_ns == saved
