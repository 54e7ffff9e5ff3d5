"""Neighbourhoods, paths and personalised PageRank over a small graph."""

from __future__ import annotations

import networkx as nx
import pytest

from chronomem.engine.store.protocol import GraphStore
from chronomem.errors import InputError, NotFoundError
from chronomem.query import neighbors, paths, personalised_pagerank
from tests.unit.query.conftest import World, at


def test_neighbors_depth_one_reads_facts_touching_the_entity(
    store: GraphStore, world: World
) -> None:
    sub = neighbors(store, "g1", world.ids["Bob"], depth=1)
    texts = {f.fact for f in sub.facts}
    assert texts == {"Bob is a friend of Alice", "Bob works at Acme", "Carol is married to Bob"}
    assert sub.distances[world.ids["Bob"]] == 0
    assert sub.distances[world.ids["Carol"]] == 1
    assert {e.name for e in sub.entities} == {"Bob", "Alice", "Acme", "Carol"}


def test_neighbors_depth_two_reaches_friends_of_friends(store: GraphStore, world: World) -> None:
    sub = neighbors(store, "g1", world.ids["Carol"], depth=2)
    assert sub.distances[world.ids["Alice"]] == 2
    assert "Alice works at Globex" not in {f.fact for f in sub.facts}  # a third hop
    assert "Bob is a friend of Alice" in {f.fact for f in sub.facts}


def test_neighbors_as_of_uses_the_past_state(store: GraphStore, world: World) -> None:
    sub = neighbors(store, "g1", world.ids["Alice"], as_of=at(2016))
    assert {f.fact for f in sub.facts} == {
        "Alice lives in Paris",
        "Bob is a friend of Alice",
    }


def test_neighbors_known_at_sees_retracted_beliefs(store: GraphStore, world: World) -> None:
    now = {f.fact for f in neighbors(store, "g1", world.ids["Alice"]).facts}
    then = {f.fact for f in neighbors(store, "g1", world.ids["Alice"], known_at=at(2022, 6)).facts}
    assert "Alice owns a sailing boat" not in now
    assert "Alice owns a sailing boat" in then


def test_neighbors_of_unknown_entity_is_not_found(store: GraphStore, world: World) -> None:
    with pytest.raises(NotFoundError):
        neighbors(store, "g1", "no-such-uuid")
    with pytest.raises(NotFoundError):
        neighbors(store, "g2", world.ids["Alice"])  # exists, but in another group


def test_paths_finds_two_hop_link_in_order(store: GraphStore, world: World) -> None:
    found = paths(store, "g1", world.ids["Carol"], world.ids["Alice"], max_hops=2)
    assert [[f.fact for f in p] for p in found] == [
        ["Carol is married to Bob", "Bob is a friend of Alice"]
    ]


def test_paths_lists_shorter_paths_first(store: GraphStore, world: World) -> None:
    found = paths(store, "g1", world.ids["Bob"], world.ids["Acme"], max_hops=3)
    lengths = [len(p) for p in found]
    assert lengths == sorted(lengths)
    assert [f.fact for f in found[0]] == ["Bob works at Acme"]
    assert ["Bob is a friend of Alice", "Alice works at Acme"] in [
        [f.fact for f in p] for p in found
    ]


def test_paths_respect_max_hops_and_as_of(store: GraphStore, world: World) -> None:
    assert paths(store, "g1", world.ids["Carol"], world.ids["Globex"], max_hops=2) == []
    three = paths(store, "g1", world.ids["Carol"], world.ids["Globex"], max_hops=3)
    assert [len(p) for p in three] == [3]
    assert paths(store, "g1", world.ids["Carol"], world.ids["Globex"], 3, as_of=at(2019)) == []


def test_paths_validate_arguments(store: GraphStore, world: World) -> None:
    with pytest.raises(InputError):
        paths(store, "g1", world.ids["Bob"], world.ids["Acme"], max_hops=0)
    with pytest.raises(NotFoundError):
        paths(store, "g1", world.ids["Bob"], "missing")
    assert paths(store, "g1", world.ids["Bob"], world.ids["Bob"]) == []


def test_personalised_pagerank_matches_reference_values() -> None:
    # Reference: networkx's pure-Python pagerank with personalization={"a": 1}.
    graph = nx.Graph([("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("b", "x")])
    graph.add_node("alone")
    ranks = personalised_pagerank(graph, ["a"], iterations=200, tolerance=1e-12)
    expected = {"a": 0.25308, "b": 0.36383, "c": 0.14373, "d": 0.09563, "e": 0.04064}
    for node, value in expected.items():
        assert ranks[node] == pytest.approx(value, abs=2e-4)
    assert ranks["alone"] == 0.0
    assert sum(ranks.values()) == pytest.approx(1.0)


def test_personalised_pagerank_without_seed_in_graph_is_empty() -> None:
    assert personalised_pagerank(nx.Graph([("a", "b")]), ["z"]) == {}
