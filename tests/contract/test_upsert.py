"""Write semantics: episodes are inserted once, entities and facts are upserted by uuid."""

from __future__ import annotations

from chronomem.engine.store import FactFilter, GraphStore, WriteBatch
from chronomem.schema import Episode
from tests.contract.samples import at, batch, entity, episode, fact, query, unit


def test_entity_upsert_replaces_mutable_fields_only(store: GraphStore, group: str) -> None:
    alice = entity(group, "Alice", labels=["Person"], aliases=["Ally"], summary="old")
    store.write(batch(alice))

    changed = alice.model_copy(
        update={
            "name": "Renamed",
            "labels": ["Person", "Engineer"],
            "aliases": ["Al"],
            "summary": "new",
            "name_embedding": unit(0, 1),
            "created_at": at(1999),
        }
    )
    store.write(batch(changed))

    [stored] = store.get_entities(group, [alice.uuid])
    assert stored.labels == ["Person", "Engineer"]
    assert stored.aliases == ["Al"]
    assert stored.summary == "new"
    assert stored.name_embedding == unit(0, 1)
    assert stored.name == "Renamed"  # a rename (the caller keeps old names as aliases)
    assert stored.created_at == alice.created_at  # immutable


def test_name_lookups_follow_a_rename(store: GraphStore, group: str) -> None:
    laura = entity(group, "Laura Okonkwo")
    store.write(batch(laura))
    store.write(batch(laura.model_copy(update={"name": "Laura Bennett", "aliases": []})))

    assert store.find_entities(group, ["Laura Okonkwo"]) == []
    assert [e.name for e in store.find_entities(group, ["laura bennett"])] == ["Laura Bennett"]
    hits = store.fulltext(group, "Bennett", "entity", 5, FactFilter())
    assert [u for u, _ in hits] == [laura.uuid]
    assert store.fulltext(group, "Okonkwo", "entity", 5, FactFilter()) == []


def test_alias_lookups_follow_an_upsert(store: GraphStore, group: str) -> None:
    alice = entity(group, "Alice", aliases=["Ally"])
    store.write(batch(alice))
    store.write(batch(alice.model_copy(update={"aliases": ["Lissy"]})))

    assert store.find_entities(group, ["Ally"]) == []
    assert [e.uuid for e in store.find_entities(group, ["lissy"])] == [alice.uuid]
    assert [u for u, _ in store.fulltext(group, "Lissy", "entity", 5, FactFilter())] == [alice.uuid]
    assert store.fulltext(group, "Ally", "entity", 5, FactFilter()) == []


def test_entity_embedding_upsert_moves_it_in_vector_search(store: GraphStore, group: str) -> None:
    a = entity(group, "A", name_embedding=unit(1, 0))
    b = entity(group, "B", name_embedding=unit(0, 1))
    store.write(batch(a, b))
    assert store.vector(group, query(unit(1, 0)), "entity", 1, FactFilter())[0][0] == a.uuid

    store.write(
        batch(
            b.model_copy(update={"name_embedding": unit(1, 0.01)}),
            a.model_copy(update={"name_embedding": unit(0, 1)}),
        )
    )

    assert store.vector(group, query(unit(1, 0)), "entity", 1, FactFilter())[0][0] == b.uuid


def test_fact_upsert_replaces_mutable_fields_only(store: GraphStore, group: str) -> None:
    a, b = entity(group, "A"), entity(group, "B")
    original = fact(
        group,
        a,
        b,
        "A likes B",
        "LIKES",
        valid_at=at(2020),
        episodes=["e1"],
        sources=["t1"],
        fact_embedding=unit(1),
    )
    store.write(batch(a, b, original))

    revised = original.model_copy(
        update={
            "expired_at": at(2024),
            "invalidated_by": "f2",
            "invalidated_by_episode": "e9",
            "episodes": ["e1", "e2"],
            "sources": ["t1", "t2"],
            "observed_at": [at(2020), at(2022)],
            "confidence": 0.5,
            "fact": "A loves B",
            "valid_at": at(2021),
            "relation": "LOVES",
            "fact_embedding": unit(0, 1),
        }
    )
    store.write(batch(revised))

    [stored] = store.get_facts(group, [original.uuid])
    assert stored.expired_at == at(2024)
    assert stored.invalidated_by == "f2"
    assert stored.invalidated_by_episode == "e9"
    assert stored.episodes == ["e1", "e2"]
    assert stored.sources == ["t1", "t2"]
    assert stored.observed_at == [at(2020), at(2022)]
    assert stored.confidence == 0.5
    assert (stored.fact, stored.valid_at, stored.relation) == ("A likes B", at(2020), "LIKES")
    assert stored.fact_embedding == unit(1)  # immutable


def test_fact_embedding_is_not_added_by_an_upsert(store: GraphStore, group: str) -> None:
    a, b = entity(group, "A"), entity(group, "B")
    bare = fact(group, a, b, "A likes B", "LIKES")
    store.write(batch(a, b, bare))

    store.write(batch(bare.model_copy(update={"fact_embedding": unit(1)})))

    assert store.get_facts(group, [bare.uuid])[0].fact_embedding is None
    assert store.vector(group, query(unit(1)), "fact", 5, FactFilter()) == []


def test_expiring_a_fact_hides_it_from_current_reads(store: GraphStore, group: str) -> None:
    a, b = entity(group, "A"), entity(group, "B")
    f = fact(group, a, b, "A likes B", "LIKES", fact_embedding=unit(1))
    store.write(batch(a, b, f))
    assert [x.uuid for x in store.list_facts(group, FactFilter())] == [f.uuid]

    store.write(batch(f.model_copy(update={"expired_at": at(2030)})))

    assert store.list_facts(group, FactFilter()) == []
    assert store.fulltext(group, "likes", "fact", 5, FactFilter()) == []
    assert store.vector(group, query(unit(1)), "fact", 5, FactFilter()) == []
    assert [x.uuid for x in store.list_facts(group, FactFilter(known_at=at(2029)))] == [f.uuid]


def test_episode_with_a_known_source_id_is_skipped(store: GraphStore, group: str) -> None:
    first = episode(group, "Alice moved to Paris", source="chat", source_id="turn-1")
    store.write(batch(first))
    again = episode(group, "a different text", source="chat", source_id="turn-1")
    store.write(batch(again))
    store.write(batch(first))

    assert store.get_episodes(group, [first.uuid, again.uuid]) == [first]
    assert store.stats(group).episodes == 1


def test_same_source_id_in_another_source_is_a_new_episode(store: GraphStore, group: str) -> None:
    one = episode(group, "x", source="chat", source_id="1")
    two = episode(group, "y", source="mail", source_id="1")
    store.write(batch(one, two))
    assert {e.uuid for e in store.get_episodes(group, [one.uuid, two.uuid])} == {one.uuid, two.uuid}


def test_known_sources_reports_stored_source_ids(store: GraphStore, group: str) -> None:
    eps = [episode(group, f"turn {i}", source="chat", source_id=f"t{i}") for i in range(3)]
    store.write(WriteBatch(episodes=eps))

    assert store.known_sources(group, "chat", ["t0", "t2", "t9"]) == {"t0", "t2"}
    assert store.known_sources(group, "mail", ["t0"]) == set()
    assert store.known_sources(group, "chat", []) == set()


def test_default_source_id_is_a_content_hash(store: GraphStore, group: str) -> None:
    ep = Episode(group_id=group, content="hello", reference_time=at(2024), speaker="A")
    store.write(batch(ep))
    assert store.known_sources(group, ep.source, [ep.source_id]) == {ep.source_id}


def test_empty_batch_is_a_no_op(store: GraphStore, group: str) -> None:
    store.write(WriteBatch())
    assert store.stats(group).episodes == 0
