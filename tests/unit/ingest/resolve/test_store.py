"""Resolution against the store: groups, earlier batches, the cache, unwritten entities."""

from __future__ import annotations

from datetime import datetime

import pytest

from chronomem.engine.store.protocol import GraphStore, WriteBatch
from chronomem.errors import ConfigurationError, InputError, TimeError
from chronomem.ingest.extract.protocol import EntityMention
from chronomem.ingest.resolve import EntityResolver
from chronomem.schema import Entity

from .conftest import NOW, CountingEmbedder, EntityStore, org, person, place, resolve_and_write


def test_groups_never_share_entities(resolver: EntityResolver, store: GraphStore) -> None:
    one = resolve_and_write(resolver, store, [person("Anna"), place("Berlin")], "g1")
    two = resolve_and_write(resolver, store, [person("Anna"), place("Berlin")], "g2")
    assert {e.uuid for e in one.entities}.isdisjoint(e.uuid for e in two.entities)
    assert {e.group_id for e in one.entities} == {"g1"}
    assert {e.group_id for e in two.entities} == {"g2"}
    # and a full name in g2 does not complete g1's Anna
    three = resolve_and_write(resolver, store, [person("Anna Schmidt")], "g2")
    assert three[0].uuid == two[0].uuid
    assert [e.aliases for e in store.find_entities("g1", ["Anna"])] == [[]]


def test_later_batch_resolves_to_written_entities(
    resolver: EntityResolver, store: GraphStore
) -> None:
    first = resolve_and_write(resolver, store, [person("Caroline"), org("Acme"), place("Lisbon")])
    second = resolve_and_write(
        resolver, store, [place("lisbon"), person("Carolin"), org("ACME Inc."), place("Porto")]
    )
    caroline, acme, lisbon = first.entities
    assert [e.uuid for e in second.entities[:3]] == [lisbon.uuid, caroline.uuid, acme.uuid]
    assert [e.name for e in second.new_entities] == ["Porto"]


def test_new_resolver_reads_the_store(resolver: EntityResolver, store: GraphStore) -> None:
    first = resolve_and_write(resolver, store, [person("Anna Schmidt"), place("Lisbon")])
    fresh = EntityResolver(store, CountingEmbedder())
    result = fresh.resolve("g1", [person("Anna"), place("Lisbon")], now=NOW)
    assert [e.uuid for e in result.entities] == [e.uuid for e in first.entities]
    assert result.new_entities == []


def test_entities_written_by_others_are_seen(resolver: EntityResolver, store: GraphStore) -> None:
    resolve_and_write(resolver, store, [place("Lisbon")])  # loads the group's cache
    outsider = Entity(group_id="g1", name="Globex", labels=["Organization"])
    store.write(WriteBatch(entities=[outsider]))
    result = resolver.resolve("g1", [org("globex")], now=NOW)
    assert result[0].uuid == outsider.uuid
    assert result.new_entities == []


def test_works_without_commit(resolver: EntityResolver, store: GraphStore) -> None:
    first = resolve_and_write(resolver, store, [person("Anna")], commit=False)
    second = resolve_and_write(resolver, store, [person("Anna Schmidt")], commit=False)
    assert second[0].uuid == first[0].uuid
    assert second.new_entities == []


def test_group_is_read_in_full_once() -> None:
    store = EntityStore()
    resolver = EntityResolver(store, CountingEmbedder())  # type: ignore[arg-type]
    for batch in (["Anna"], ["Bob"], ["Anna Schmidt", "Carl"]):
        resolve_and_write(resolver, store, [person(n) for n in batch])  # type: ignore[arg-type]
    assert store.full_reads == 1
    assert store.name_reads == 2
    assert store.uuid_reads == 0  # every batch was committed
    resolver.forget("g1")
    resolver.resolve("g1", [person("Anna")], now=NOW)
    assert store.full_reads == 2


def test_unwritten_entities_are_returned_again() -> None:
    store = EntityStore()
    resolver = EntityResolver(store, CountingEmbedder())  # type: ignore[arg-type]
    lost = resolver.resolve("g1", [place("Lisbon"), place("Porto")], now=NOW)  # write fails
    again = resolver.resolve("g1", [place("lisbon")], now=NOW)
    assert again[0].uuid == lost[0].uuid
    assert [e.uuid for e in again.new_entities] == [lost[0].uuid]
    assert store.uuid_reads == 1
    store.write(WriteBatch(entities=again.to_write))
    resolver.commit(again)
    third = resolver.resolve("g1", [place("Lisbon")], now=NOW)
    assert third.new_entities == []


def test_unwritten_alias_gives_way_to_the_store() -> None:
    store = EntityStore()
    resolver = EntityResolver(store, CountingEmbedder())  # type: ignore[arg-type]
    resolve_and_write(resolver, store, [person("Caroline")])  # type: ignore[arg-type]
    lost = resolver.resolve("g1", [person("Carolin")], now=NOW)  # alias added, never written
    assert lost.updated_entities[0].aliases == ["Carolin"]
    again = resolver.resolve("g1", [person("Carolin")], now=NOW)
    assert [e.aliases for e in again.updated_entities] == [["Carolin"]]


def test_alias_on_entity_stored_without_vector_gets_one(
    resolver: EntityResolver, store: GraphStore
) -> None:
    bare = Entity(group_id="g1", name="Caroline", labels=["Person"])
    store.write(WriteBatch(entities=[bare]))
    result = resolver.resolve("g1", [person("Carolin")], now=NOW)
    (updated,) = result.updated_entities
    assert updated.uuid == bare.uuid
    assert updated.aliases == ["Carolin"]
    assert updated.name_embedding is not None
    assert len(updated.name_embedding) == 384


def test_empty_batch_touches_nothing() -> None:
    store = EntityStore()
    result = EntityResolver(store, CountingEmbedder()).resolve("g1", [], now=NOW)  # type: ignore[arg-type]
    assert (result.entities, result.to_write) == ([], [])
    assert store.full_reads == 0


def test_rejects_bad_input(resolver: EntityResolver, store: GraphStore) -> None:
    with pytest.raises(TimeError):
        resolver.resolve("g1", [person("Anna")], now=datetime(2024, 1, 1))
    with pytest.raises(InputError, match="mention 1"):
        resolver.resolve("g1", [person("Anna"), person("   ")], now=NOW)
    with pytest.raises(InputError, match="EntityMention"):
        resolver.resolve("g1", ["Anna"], now=NOW)  # type: ignore[list-item]
    with pytest.raises(ConfigurationError, match="fuzzy_threshold"):
        EntityResolver(store, CountingEmbedder(), fuzzy_threshold=0)
    with pytest.raises(ConfigurationError, match="embedding_threshold"):
        EntityResolver(store, CountingEmbedder(), embedding_threshold=1.5)


def test_entity_names_are_display_forms(resolver: EntityResolver) -> None:
    result = resolver.resolve("g1", [EntityMention("Anna's", "Person")], now=NOW)
    assert result[0].name == "Anna"
