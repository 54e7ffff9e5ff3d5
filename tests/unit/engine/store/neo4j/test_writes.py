"""Writes: one transaction per batch, idempotent episodes, upserts by uuid, refused moves."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chronomem.engine.embed import HashingEmbedder
from chronomem.engine.store.neo4j import Neo4jStore
from chronomem.engine.store.protocol import FactFilter, WriteBatch
from chronomem.errors import IntegrityError
from chronomem.schema import Entity, Episode, Fact

from .conftest import T0, small_graph

pytestmark = pytest.mark.neo4j


def test_a_failing_batch_writes_nothing(store: Neo4jStore, group: str) -> None:
    episode = Episode(group_id=group, content="hello", reference_time=T0)
    a = Entity(group_id=group, name="A")
    dangling = Fact(
        group_id=group,
        subject_uuid=a.uuid,
        relation="KNOWS",
        object_uuid="no-such-entity",
        fact="A knows a ghost",
    )
    with pytest.raises(IntegrityError, match="no-such-entity"):
        store.write(WriteBatch(episodes=[episode], entities=[a], facts=[dangling]))
    assert store.stats(group).model_dump() == {
        "episodes": 0,
        "entities": 0,
        "facts": 0,
        "current_facts": 0,
        "groups": 0,
    }


def test_episodes_are_skipped_by_source_id(store: Neo4jStore, group: str) -> None:
    first = Episode(
        group_id=group,
        source="crm",
        content="row 1",
        reference_time=T0,
        source_id="row-1",
        kind="record",
    )
    again = Episode(
        group_id=group,
        source="crm",
        content="row 1 changed",
        reference_time=T0,
        source_id="row-1",
        kind="record",
    )
    store.write(WriteBatch(episodes=[first]))
    store.write(WriteBatch(episodes=[again, again]))
    assert store.known_sources(group, "crm", ["row-1", "row-2"]) == {"row-1"}
    assert store.known_sources(group, "chat", ["row-1"]) == set()
    assert store.get_episodes(group, [first.uuid, again.uuid]) == [first]
    assert store.stats(group).episodes == 1


def test_upserts_replace_only_mutable_fields(
    store: Neo4jStore, group: str, embedder: HashingEmbedder
) -> None:
    batch = small_graph(group, embedder)
    store.write(batch)
    alice = batch.entities[0].model_copy(update={"aliases": ["Ally"], "summary": "engineer"})
    works = batch.facts[0].model_copy(
        update={
            "expired_at": datetime(2024, 5, 1, tzinfo=UTC),
            "invalidated_by": "x",
            "sources": ["t1", "t2"],
            "confidence": 0.5,
            "fact": "ignored",
        }
    )
    store.write(WriteBatch(entities=[alice], facts=[works]))
    assert store.get_entities(group, [alice.uuid]) == [alice]
    [stored] = store.get_facts(group, [works.uuid])
    assert stored == works.model_copy(update={"fact": batch.facts[0].fact})
    assert store.find_entities(group, names=["  ALLY "]) == [alice]
    assert store.list_facts(group, FactFilter(relations=("WORKS_AT",))) == []
    assert store.stats(group).model_dump() == {
        "episodes": 1,
        "entities": 3,
        "facts": 2,
        "current_facts": 1,
        "groups": 1,
    }


def test_a_uuid_cannot_move_to_another_group(
    store: Neo4jStore, group: str, embedder: HashingEmbedder
) -> None:
    batch = small_graph(group, embedder)
    store.write(batch)
    thief = batch.entities[0].model_copy(update={"group_id": group + "-other"})
    with pytest.raises(IntegrityError, match="another group"):
        store.write(WriteBatch(entities=[thief]))
    moved_fact = batch.facts[0].model_copy(update={"group_id": group + "-other"})
    with pytest.raises(IntegrityError, match="another group"):
        store.write(WriteBatch(facts=[moved_fact]))
    assert store.get_entities(group, [thief.uuid]) == [batch.entities[0]]


def test_mentions_are_idempotent(store: Neo4jStore, group: str, embedder: HashingEmbedder) -> None:
    batch = small_graph(group, embedder)
    store.write(batch)
    store.write(WriteBatch(mentions=batch.mentions * 2))
    episode = batch.episodes[0].uuid
    found = store.mentions(group, [episode, "unknown"])
    assert set(found) == {episode}
    assert sorted(found[episode]) == sorted(entity for _, entity in batch.mentions)


def test_meta_round_trips(store: Neo4jStore) -> None:
    store.set_meta("test.key", "one")
    store.set_meta("test.key", "two")
    assert store.get_meta("test.key") == "two"
    assert store.get_meta("test.missing") is None
