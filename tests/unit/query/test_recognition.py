"""Recognising entities named in a query, and the per-group name index cache."""

from __future__ import annotations

from chronomem.engine.store.protocol import GraphStore
from chronomem.query.names import NameIndexCache, recognise_entities
from chronomem.query.text import keywords, name_ngrams
from tests.unit.query.conftest import World


def test_keywords_drop_question_and_function_words() -> None:
    assert keywords("When did Caroline's sister go to the support group?") == [
        "caroline",
        "sister",
        "go",
        "support",
        "group",
    ]


def test_ngrams_strip_possessives_and_skip_stopword_edges() -> None:
    grams = name_ngrams("What is Caroline's favourite book?")
    assert "Caroline" in grams
    assert "Caroline favourite book" in grams
    assert not any(g.split()[0].lower() in {"what", "is"} for g in grams)


def test_exact_names_aliases_and_possessives_are_recognised(
    store: GraphStore, world: World
) -> None:
    found = recognise_entities(store, "g1", "Did Alice's friend Bob work at ACME?")
    assert {e.name for e in found} == {"Alice", "Bob", "Acme"}


def test_typos_are_recognised_with_the_name_index(store: GraphStore, world: World) -> None:
    index = NameIndexCache().get(store, "g1")
    assert recognise_entities(store, "g1", "Where is Globexx based?") == []
    found = recognise_entities(store, "g1", "Where is Globexx based?", index)
    assert [e.name for e in found] == ["Globex"]


def test_recognition_is_scoped_to_the_group(store: GraphStore, world: World) -> None:
    assert recognise_entities(store, "g2", "Alice and Bob", NameIndexCache().get(store, "g2")) == []


def test_name_index_is_rebuilt_when_the_group_changes(store: GraphStore, world: World) -> None:
    cache = NameIndexCache()
    first = cache.get(store, "g1")
    assert cache.get(store, "g1") is first
    extra = World("g1")
    extra.entity("Initech", "Organization")
    extra.write(store)
    second = cache.get(store, "g1")
    assert second is not first
    assert "initech" in second.keys
