"""Recipes are data; requests validate their input."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from chronomem.errors import InputError
from chronomem.query import RECIPES, GeneratorSpec, Recipe, SearchEngine, SearchRequest, get_recipe
from chronomem.query.generators import GENERATORS
from chronomem.query.recipes import GENERATOR_NAMES
from tests.unit.query.conftest import EMBEDDER, NOW, people_world
from tests.unit.query.recording import RecordingStore


def test_named_recipes_exist_and_are_frozen() -> None:
    assert {"default", "facts_only", "fast", "temporal"} <= set(RECIPES)
    with pytest.raises(ValidationError):
        RECIPES["default"].rrf_k = 10  # type: ignore[misc]
    assert get_recipe("fast") is RECIPES["fast"]
    with pytest.raises(InputError, match="unknown search recipe 'x'"):
        get_recipe("x")


def test_every_generator_name_has_an_implementation() -> None:
    assert set(GENERATOR_NAMES) == set(GENERATORS)


def test_fast_recipe_never_walks_the_graph() -> None:
    assert not any(g.name in {"graph", "pagerank"} for g in RECIPES["fast"].generators)
    store = RecordingStore()
    people_world().write(store)
    SearchEngine(store, EMBEDDER, clock=lambda: NOW).search(
        SearchRequest(query="Where does Alice work?", group_id="g1", recipe="fast")
    )
    assert "neighbors" not in store.calls


def test_custom_recipe_runs_only_its_generators() -> None:
    store = RecordingStore()
    people_world().write(store)
    recipe = Recipe(name="text", generators=(GeneratorSpec(name="fact_text"),))
    engine = SearchEngine(store, EMBEDDER, recipes={"text": recipe}, clock=lambda: NOW)
    results = engine.search(SearchRequest(query="Carol married", group_id="g1", recipe="text"))
    assert next(r.text for r in results if r.kind == "fact") == "Carol is married to Bob"
    assert not any(call.startswith("vector") for call in store.calls)


def test_request_cleans_query_and_normalises_relations() -> None:
    request = SearchRequest(query="  where\x00 does\n  Alice work ", relations=("works at",))
    assert request.query == "where does Alice work"
    assert request.relations == ("WORKS_AT",)


def test_request_rejects_bad_values() -> None:
    with pytest.raises(ValidationError):
        SearchRequest(query="x", limit=0)
    with pytest.raises(ValidationError):
        SearchRequest(query="x", group_id="no spaces allowed")
    with pytest.raises(ValidationError, match="naive"):
        SearchRequest(query="x", as_of="2024-01-01T00:00:00")
    with pytest.raises(ValidationError, match="before valid_to"):
        SearchRequest(query="x", valid_from="2024-01-02", valid_to="2024-01-01")
