"""A batch is stored entirely or not at all."""

from __future__ import annotations

import pytest

from chronomem.engine.store import GraphStore, WriteBatch
from chronomem.errors import IntegrityError
from chronomem.schema import Entity
from tests.contract.samples import DIMENSION, entity, episode, fact, unit


def _assert_nothing_stored(store: GraphStore, group: str, batch: WriteBatch) -> None:
    assert store.get_episodes(group, [e.uuid for e in batch.episodes]) == []
    assert store.get_entities(group, [e.uuid for e in batch.entities]) == []
    assert store.get_facts(group, [f.uuid for f in batch.facts]) == []
    assert store.known_sources(group, "chat", [e.source_id for e in batch.episodes]) == set()
    assert store.find_entities(group) == []
    stats = store.stats(group)
    assert (stats.episodes, stats.entities, stats.facts) == (0, 0, 0)


def _valid_part(group: str) -> WriteBatch:
    a, b = entity(group, "A", name_embedding=unit(1)), entity(group, "B")
    ep = episode(group, "A met B", source="chat", source_id="t-1")
    return WriteBatch(
        episodes=[ep],
        entities=[a, b],
        facts=[fact(group, a, b, "A met B", "MET", fact_embedding=unit(1))],
        mentions=[(ep.uuid, a.uuid)],
    )


def test_fact_with_an_unknown_entity_stores_nothing(store: GraphStore, group: str) -> None:
    batch = _valid_part(group)
    ghost = Entity(group_id=group, name="never written")
    batch.facts.append(fact(group, batch.entities[0], ghost, "A knows a ghost"))

    # one rule for every backend (chronomem.engine.store.checks), so one message
    with pytest.raises(IntegrityError, match=f"entity '{ghost.uuid}', which is not stored in"):
        store.write(batch)

    _assert_nothing_stored(store, group, batch)


def test_vector_of_the_wrong_dimension_stores_nothing(store: GraphStore, group: str) -> None:
    batch = _valid_part(group)
    batch.entities.append(entity(group, "C", name_embedding=[1.0] * (DIMENSION - 1)))

    with pytest.raises(IntegrityError, match=f"has {DIMENSION - 1} dimensions but this memory"):
        store.write(batch)

    _assert_nothing_stored(store, group, batch)


def test_mention_of_an_unknown_entity_stores_nothing(store: GraphStore, group: str) -> None:
    batch = _valid_part(group)
    batch.mentions.append((batch.episodes[0].uuid, "no-such-entity"))

    with pytest.raises(IntegrityError, match="entity 'no-such-entity', which is not stored;"):
        store.write(batch)

    _assert_nothing_stored(store, group, batch)


def test_store_is_usable_after_a_failed_batch(store: GraphStore, group: str) -> None:
    bad = _valid_part(group)
    bad.mentions.append((bad.episodes[0].uuid, "no-such-entity"))
    with pytest.raises(IntegrityError):
        store.write(bad)

    good = _valid_part(group)
    store.write(good)

    assert store.get_facts(group, [good.facts[0].uuid]) == good.facts
