"""The sampler of the precision audit (benchmarks/precision_audit.py) on a small store."""

from __future__ import annotations

from benchmarks.precision_audit import draw
from chronomem.engine.store.inmemory import InMemoryStore
from tests.contract.samples import DIMENSION, paris_then_berlin


def _store() -> InMemoryStore:
    store = InMemoryStore(DIMENSION)
    store.write(paris_then_berlin("g1"))
    store.write(paris_then_berlin("g2"))
    return store


def test_draw_takes_ended_and_current_rows_of_every_group_never_expired_ones() -> None:
    items = draw(_store(), size=10, seed=14)

    assert len(items) == 4
    assert {item["group"] for item in items} == {"g1", "g2"}
    assert sorted((item["object"], item["invalid_at"] is None) for item in items) == [
        ("Berlin", True),
        ("Berlin", True),
        ("Paris", False),
        ("Paris", False),
    ]
    berlin = next(item for item in items if item["object"] == "Berlin")
    assert berlin["subject"] == "Alice"
    assert berlin["relation"] == "LIVES_IN"
    assert [turn["text"] for turn in berlin["turns"]] == ["Alice moved to Berlin"]
    assert berlin["turns"][0]["dia_id"] == "t2"


def test_the_same_seed_draws_the_same_rows_and_another_seed_may_not() -> None:
    store = _store()
    first = [item["index"] for item in draw(store, size=2, seed=14)]
    assert first == [item["index"] for item in draw(store, size=2, seed=14)]
    assert first == sorted(first)
    drawn = {tuple(item["index"] for item in draw(store, size=2, seed=s)) for s in range(20)}
    assert len(drawn) > 1
