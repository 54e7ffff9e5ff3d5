"""GraphStore.erase: the listed rows go with everything hanging on them, atomically, on every
backend; nothing of another group changes."""

from __future__ import annotations

import pytest

from chronomem.engine.erasure import plan_erasure
from chronomem.engine.store import GraphStore, WriteBatch
from chronomem.engine.store.protocol import Erasure, FactFilter
from chronomem.errors import IntegrityError
from tests.contract.conftest import new_group
from tests.contract.samples import entity, episode, fact, query, unit


def _batch(group: str) -> WriteBatch:
    a = entity(group, "Alba", name_embedding=unit(1))
    b = entity(group, "Brisk", name_embedding=unit(0, 1))
    one = episode(
        group, "Alba met Brisk", source="chat", source_id="t-1", content_embedding=unit(1)
    )
    two = episode(
        group, "Alba saw Brisk", source="chat", source_id="t-2", content_embedding=unit(1)
    )
    met = fact(group, a, b, "Alba met Brisk", "MET", fact_embedding=unit(1))
    met = met.model_copy(update={"episodes": [one.uuid], "sources": ["t-1"]})
    saw = fact(group, a, b, "Alba saw Brisk", "SAW", fact_embedding=unit(1))
    saw = saw.model_copy(update={"episodes": [one.uuid, two.uuid], "sources": ["t-1", "t-2"]})
    return WriteBatch(
        episodes=[one, two],
        entities=[a, b],
        facts=[met, saw],
        mentions=[(one.uuid, a.uuid), (one.uuid, b.uuid), (two.uuid, a.uuid)],
    )


def test_erase_removes_rows_indexes_and_settings(store: GraphStore, group: str) -> None:
    other = new_group()
    for g in (group, other):
        store.write(_batch(g))
        store.set_meta(f"test-setting:{g}", "x")
    kept_other = store.dump(other)
    stored = store.dump(group)
    one = next(e for e in stored.episodes if e.source_id == "t-1")
    met = next(f for f in stored.facts if f.relation == "MET")
    saw = next(f for f in stored.facts if f.relation == "SAW")
    store.erase(
        Erasure(
            group_id=group,
            episodes=[one.uuid],
            facts=[met.uuid],
            updated_facts=[
                saw.model_copy(update={"episodes": saw.episodes[1:], "sources": ["t-2"]})
            ],
            settings=[f"test-setting:{group}"],
        )
    )
    assert store.get_episodes(group, [one.uuid]) == []
    assert store.known_sources(group, "chat", ["t-1", "t-2"]) == {"t-2"}
    assert store.get_facts(group, [met.uuid]) == []
    (kept,) = store.get_facts(group, [saw.uuid])
    assert (kept.episodes, kept.sources) == (saw.episodes[1:], ["t-2"])
    assert store.list_facts(group, FactFilter(episode_uuids=(one.uuid,))) == []
    assert store.fulltext(group, "met", "fact", 10, FactFilter()) == []
    assert store.fulltext(group, "met", "episode", 10, FactFilter()) == []
    assert one.uuid not in dict(store.vector(group, query(unit(1)), "episode", 10, FactFilter()))
    assert met.uuid not in dict(store.vector(group, query(unit(1)), "fact", 10, FactFilter()))
    assert one.uuid not in store.mentions(group, [one.uuid])
    assert store.get_meta(f"test-setting:{group}") is None
    assert store.get_meta(f"test-setting:{other}") == "x"
    assert store.stats(group).episodes == 1
    after = store.dump(other)
    assert sorted(e.uuid for e in after.episodes) == sorted(e.uuid for e in kept_other.episodes)
    assert sorted(f.uuid for f in after.facts) == sorted(f.uuid for f in kept_other.facts)


def test_erasing_an_entity_still_linked_is_refused_whole(store: GraphStore, group: str) -> None:
    store.write(_batch(group))
    stored = store.dump(group)
    alba = next(e for e in stored.entities if e.name == "Alba")
    with pytest.raises(IntegrityError):
        store.erase(
            Erasure(group_id=group, entities=[alba.uuid], episodes=[stored.episodes[0].uuid])
        )
    assert store.stats(group).episodes == 2
    assert store.get_entities(group, [alba.uuid], vectors=False) != []


def test_a_whole_group_goes(store: GraphStore, group: str) -> None:
    store.write(_batch(group))
    stored = store.dump(group)
    store.erase(
        Erasure(
            group_id=group,
            episodes=[e.uuid for e in stored.episodes],
            entities=[e.uuid for e in stored.entities],
            facts=[f.uuid for f in stored.facts],
        )
    )
    assert group not in store.groups()
    assert store.find_entities(group) == []
    assert store.fulltext(group, "Alba", "entity", 10, FactFilter()) == []
    assert store.vector(group, query(unit(1)), "entity", 10, FactFilter()) == []


def test_an_alias_only_erased_text_held_goes_with_it(store: GraphStore, group: str) -> None:
    """A kept entity keeps no alias the erased text introduced: not in its aliases, not
    found by it, not in the full-text index; aliases kept text holds, and the name, stay."""
    alba = entity(
        group, "Alba", aliases=["Quixotrel Alba", "Albie", "Person#7"], name_embedding=unit(1)
    )
    brisk = entity(group, "Brisk", name_embedding=unit(0, 1))
    gone = episode(group, "Quixotrel Alba met Brisk", source_id="t-1")
    kept = episode(group, "Albie saw Brisk", source_id="t-2")
    saw = fact(group, alba, brisk, "Alba saw Brisk", "SAW", episodes=[gone.uuid, kept.uuid])
    store.write(
        WriteBatch(
            episodes=[gone, kept],
            entities=[alba, brisk],
            facts=[saw],
            mentions=[(gone.uuid, alba.uuid), (kept.uuid, alba.uuid), (kept.uuid, brisk.uuid)],
        )
    )
    erasure = plan_erasure(store.dump(group), group, episodes=[gone.uuid])
    assert [e.uuid for e in erasure.updated_entities] == [alba.uuid]
    store.erase(erasure)
    (left,) = store.get_entities(group, [alba.uuid])
    assert left.aliases == ["Albie", "Person#7"]
    assert [e.uuid for e in store.find_entities(group, ["albie"])] == [alba.uuid]
    assert store.find_entities(group, ["Quixotrel Alba"]) == []
    assert store.fulltext(group, "Quixotrel", "entity", 10, FactFilter()) == []
    for stored in store.dump(group).entities:
        assert not any("quixotrel" in alias.lower() for alias in stored.aliases)


def test_an_erasure_replaces_a_kept_rows_interval(store: GraphStore, group: str) -> None:
    """Unlike a write, an erasure rewrites a kept row's valid-time interval in place (the
    dates the erased text gave it go, with no expired version keeping them); filters read the
    new interval."""
    store.write(_batch(group))
    stored = store.dump(group)
    one = next(e for e in stored.episodes if e.source_id == "t-1")
    saw = next(f for f in stored.facts if f.relation == "SAW")
    start, end = saw.created_at.replace(year=2030), saw.created_at.replace(year=2031)
    store.erase(
        Erasure(
            group_id=group,
            episodes=[one.uuid],
            facts=[f.uuid for f in stored.facts if f.relation == "MET"],
            updated_facts=[
                saw.model_copy(
                    update={
                        "episodes": saw.episodes[1:],
                        "sources": ["t-2"],
                        "valid_at": start,
                        "invalid_at": end,
                    }
                )
            ],
        )
    )
    (kept,) = store.get_facts(group, [saw.uuid])
    assert (kept.valid_at, kept.invalid_at) == (start, end)
    assert [f.uuid for f in store.list_facts(group, FactFilter(as_of=start))] == [saw.uuid]
    assert store.list_facts(group, FactFilter(as_of=end)) == []
    store.erase(
        Erasure(group_id=group, updated_facts=[kept.model_copy(update={"invalid_at": None})])
    )
    (reopened,) = store.get_facts(group, [saw.uuid])
    assert (reopened.valid_at, reopened.invalid_at) == (start, None)
