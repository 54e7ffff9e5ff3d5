"""Episode mentions, counts and memory-wide settings."""

from __future__ import annotations

import uuid

import pytest

from chronomem.engine.store import GraphStore, WriteBatch
from chronomem.engine.store.protocol import entity_revision_key
from tests.contract.samples import at, entity, episode, fact


def test_mentions_per_episode(store: GraphStore, group: str) -> None:
    a, b, c = entity(group, "A"), entity(group, "B"), entity(group, "C")
    e1, e2, e3 = episode(group, "A met B"), episode(group, "C"), episode(group, "nobody")
    store.write(
        WriteBatch(
            episodes=[e1, e2, e3],
            entities=[a, b, c],
            mentions=[(e1.uuid, a.uuid), (e1.uuid, b.uuid), (e2.uuid, c.uuid), (e1.uuid, a.uuid)],
        )
    )

    got = store.mentions(group, [e1.uuid, e2.uuid, e3.uuid, "unknown"])

    assert sorted(got.get(e1.uuid, [])) == sorted([a.uuid, b.uuid])
    assert got.get(e2.uuid, []) == [c.uuid]
    assert got.get(e3.uuid, []) == []
    assert got.get("unknown", []) == []
    assert store.mentions(group, []) == {}


def test_mentions_accumulate_across_batches(store: GraphStore, group: str) -> None:
    a, b = entity(group, "A"), entity(group, "B")
    ep = episode(group, "A and B")
    store.write(WriteBatch(episodes=[ep], entities=[a], mentions=[(ep.uuid, a.uuid)]))
    store.write(WriteBatch(entities=[b], mentions=[(ep.uuid, b.uuid)]))

    assert sorted(store.mentions(group, [ep.uuid])[ep.uuid]) == sorted([a.uuid, b.uuid])


def test_stats_of_a_group(store: GraphStore, group: str) -> None:
    a, b = entity(group, "A"), entity(group, "B")
    facts = [
        fact(group, a, b, "open"),
        fact(group, a, b, "ends in the future", invalid_at=at(2999)),
        fact(group, a, b, "ended", invalid_at=at(2001)),
        fact(group, a, b, "expired", expired_at=at(2020)),
        fact(group, a, b, "expired and ended", invalid_at=at(2001), expired_at=at(2020)),
    ]
    store.write(
        WriteBatch(
            episodes=[episode(group, "x"), episode(group, "y")], entities=[a, b], facts=facts
        )
    )

    stats = store.stats(group)

    assert (stats.episodes, stats.entities, stats.facts) == (2, 2, 5)
    assert stats.current_facts == 2
    assert stats.groups == 1


def test_stats_of_an_unused_group_are_zero(store: GraphStore, group: str) -> None:
    stats = store.stats(group)
    assert (stats.episodes, stats.entities, stats.facts, stats.current_facts, stats.groups) == (
        0,
        0,
        0,
        0,
        0,
    )


def test_stats_of_the_whole_memory_cover_every_group(
    store: GraphStore, group: str, other_group: str
) -> None:
    store.write(WriteBatch(entities=[entity(group, "A")], episodes=[episode(group, "x")]))
    store.write(WriteBatch(entities=[entity(other_group, "B"), entity(other_group, "C")]))

    total = store.stats()

    assert total.entities >= 3
    assert total.episodes >= 1
    assert total.groups >= 2


def test_meta_round_trip(store: GraphStore) -> None:
    key = f"test.{uuid.uuid4().hex}"
    assert store.get_meta(key) is None
    store.set_meta(key, "hashing-384")
    assert store.get_meta(key) == "hashing-384"
    store.set_meta(key, "all-MiniLM-L6-v2")
    assert store.get_meta(key) == "all-MiniLM-L6-v2"


def test_entity_revision_changes_with_every_write_touching_the_groups_entities(
    store: GraphStore, group: str
) -> None:
    if not store.capabilities.entity_revisions:
        pytest.skip("this store keeps no entity revisions")
    other = f"{group}-other"
    key, other_key = entity_revision_key(group), entity_revision_key(other)
    a = entity(group, "A")
    store.write(WriteBatch(entities=[a]))
    first = store.get_meta(key)
    assert first is not None

    store.write(WriteBatch(episodes=[episode(group, "no entities here")]))
    assert store.get_meta(key) == first

    store.write(WriteBatch(entities=[a.model_copy(update={"aliases": ["Alias of A"]})]))
    second = store.get_meta(key)
    assert second not in (None, first)

    store.write(WriteBatch(entities=[entity(other, "B")]))
    assert store.get_meta(key) == second
    assert store.get_meta(other_key) is not None
