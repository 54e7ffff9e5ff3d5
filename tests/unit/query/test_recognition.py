"""Recognising entities named in a query, and the per-group name index cache."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from chronomem.engine.store.protocol import GraphStore, WriteBatch
from chronomem.query import generators as generators_module
from chronomem.query import names as names_module
from chronomem.query.generators import QueryContext
from chronomem.query.names import FUZZY_CUTOFF, NameIndex, NameIndexCache, recognise_entities
from chronomem.query.recipes import FAST
from chronomem.query.request import SearchRequest
from chronomem.query.text import keywords, name_ngrams
from chronomem.schema import Entity, Stats, name_key
from tests.unit.query.conftest import EMBEDDER, World


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


def test_names_are_folded_as_the_stores_fold_them(store: GraphStore, world: World) -> None:
    # full-width letters: NFKC, not only casefold
    index = NameIndexCache().get(store, "g1")
    assert index.names[world.ids["Globex"]] == {name_key("Globex")}
    assert index.fuzzy(["Ｇｌｏｂｅｘｘ"]) == [world.ids["Globex"]]
    exact = recognise_entities(store, "g1", "Where is Ｇｌｏｂｅｘ based?")
    assert [e.name for e in exact] == ["Globex"]
    fuzzy = recognise_entities(store, "g1", "Where is Ｇｌｏｂｅｘｘ based?", index)
    assert [e.name for e in fuzzy] == ["Globex"]


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


def test_name_index_follows_a_new_alias_that_leaves_the_counts_alone(
    store: GraphStore, world: World
) -> None:
    if not store.capabilities.entity_revisions:
        return  # a store without revisions is checked by its counts (above)
    cache = NameIndexCache()
    assert "globex" in cache.get(store, "g1").keys
    globex = next(e for e in store.find_entities("g1", names=["Globex"]))
    aliased = globex.model_copy(update={"aliases": [*globex.aliases, "Globex Corp"]})
    store.write(WriteBatch(entities=[aliased]))
    assert "globex corp" in cache.get(store, "g1").keys


def test_name_index_freshness_is_one_setting_read_not_a_count(
    store: GraphStore, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not store.capabilities.entity_revisions:
        return
    cache = NameIndexCache()
    cache.get(store, "g1")

    def no_counting(group_id: str | None = None) -> Stats:
        raise AssertionError("stats() should not be needed to check the name index")

    monkeypatch.setattr(store, "stats", no_counting)
    assert cache.get(store, "g1") is cache.get(store, "g1")


_NAME = st.text(alphabet="abcdeiklmnorst ", min_size=1, max_size=14).filter(str.strip)


@settings(max_examples=200, deadline=None)
@given(names=st.lists(_NAME, min_size=1, max_size=30), gram=_NAME)
def test_fuzzy_matching_by_length_window_finds_what_a_full_scan_finds(
    names: list[str], gram: str
) -> None:
    index = NameIndex.build([Entity(group_id="g", name=n) for n in names])
    key = " ".join(gram.casefold().split())
    best = process.extractOne(key, index.keys, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
    found = index.fuzzy([gram])
    if best is None or len(key) < 5:
        assert found == []
    else:
        assert found, (key, best)
        scores = {fuzz.ratio(key, k) for u in found for k in index.names[u]}
        assert max(scores) == best[1]


def test_a_typo_next_to_a_name_found_exactly_is_still_matched(
    store: GraphStore, world: World
) -> None:
    extra = World("g1")
    extra.entity("Alice Liddell", "Person")
    extra.write(store)
    index = NameIndexCache().get(store, "g1")
    names = {e.name for e in recognise_entities(store, "g1", "Where is Alice Lidell now?", index)}
    assert names == {"Alice", "Alice Liddell"}


def test_a_fresh_name_index_gives_the_exact_matches_without_a_lookup_by_name(
    store: GraphStore, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the group's name index (fresh by the entity revision), exact names and aliases are
    looked up in it and the entities read by uuid: the same entities, in the same order, as
    the store's lookup by name (which may scan the group's aliases on a server)."""
    if not store.capabilities.entity_revisions:
        return  # a store without revisions looks names up in the store (above)
    globex = next(e for e in store.find_entities("g1", names=["Globex"]))
    store.write(WriteBatch(entities=[globex.model_copy(update={"aliases": ["Globex Corp"]})]))
    text = "Did Alice's friend Bob work at ACME or at Globex Corp?"
    expected = recognise_entities(store, "g1", text)
    assert "Globex" in {e.name for e in expected}
    cache = NameIndexCache()
    lookup = store.find_entities

    def listing_only(
        group_id: str, names: object = None, labels: object = None, *, vectors: bool = True
    ) -> list[Entity]:
        assert names is None, "looked up by name although the name index was given"
        return lookup(group_id, vectors=vectors)

    monkeypatch.setattr(store, "find_entities", listing_only)
    found = recognise_entities(store, "g1", text, lambda: cache.get(store, "g1"))
    assert [e.uuid for e in found] == [e.uuid for e in expected]
    assert recognise_entities(store, "g2", text, cache.get(store, "g2")) == []


def test_a_search_looks_names_up_in_the_index_only_for_a_group_of_many_names(
    store: GraphStore, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search's context looks the exact names up in the store for a group whose name index
    held fewer than ``INDEX_LOOKUP_MIN`` names when last built, in the index for a larger one."""
    cache = NameIndexCache()
    assert cache.known_size("g1") == 0
    cache.get(store, "g1")
    assert 0 < cache.known_size("g1") < names_module.INDEX_LOOKUP_MIN
    asked: list[object] = []
    lookup = store.find_entities

    def recorded(
        group_id: str, names: object = None, labels: object = None, *, vectors: bool = True
    ) -> list[Entity]:
        asked.append(names)
        return lookup(group_id, names=names, vectors=vectors)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "find_entities", recorded)
    request = SearchRequest(query="Did Bob work at ACME?", group_id="g1")
    found = _context(store, request, cache).recognised
    assert {e.name for e in found} == {"Bob", "Acme"}
    assert any(names is not None for names in asked)  # looked up in the store
    if not store.capabilities.entity_revisions:
        return  # such a store's index is never used for exact matches
    monkeypatch.setattr(names_module, "INDEX_LOOKUP_MIN", 1)
    monkeypatch.setattr(generators_module, "INDEX_LOOKUP_MIN", 1)
    asked.clear()
    found = _context(store, request, cache).recognised
    assert {e.name for e in found} == {"Bob", "Acme"}
    assert all(names is None for names in asked)  # looked up in the index


def _context(store: GraphStore, request: SearchRequest, names: NameIndexCache) -> QueryContext:
    return QueryContext(
        store=store,
        embedder=EMBEDDER,
        request=request,
        recipe=FAST,
        where=request.fact_filter(),
        now=datetime.now(UTC),
        names=names,
    )
