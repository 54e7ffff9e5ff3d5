"""Time in search: as_of and known_at filters, date preference, ended facts."""

from __future__ import annotations

from datetime import datetime

from chronomem.engine.store.protocol import GraphStore
from chronomem.query import SearchEngine, SearchRequest
from chronomem.schema import SearchResult
from tests.unit.query.conftest import EMBEDDER, NOW, World, at


def _search(store: GraphStore, query: str, **fields: object) -> list[SearchResult]:
    engine = SearchEngine(store, EMBEDDER, clock=lambda: NOW)
    return engine.search(SearchRequest(query=query, group_id="g1", **fields))


def _facts(results: list[SearchResult]) -> list[str]:
    return [r.text for r in results if r.kind == "fact"]


def test_as_of_returns_only_facts_valid_then(store: GraphStore, world: World) -> None:
    facts = _facts(_search(store, "Alice works at", as_of=at(2019, 5), limit=20))
    assert "Alice works at Acme" in facts
    assert "Alice works at Globex" not in facts
    assert "Alice lives in Berlin" not in facts


def test_as_of_hides_episodes_that_had_not_happened(store: GraphStore, world: World) -> None:
    results = _search(store, "Globex Acme Berlin", as_of=at(2019), limit=20, kinds=("episode",))
    assert results
    assert all(r.reference_time is not None and r.reference_time <= at(2019) for r in results)


def test_known_at_sees_a_belief_later_retracted(store: GraphStore, world: World) -> None:
    now_facts = _facts(_search(store, "Alice owns a sailing boat", limit=20))
    then_facts = _facts(_search(store, "Alice owns a sailing boat", known_at=at(2022, 6), limit=20))
    assert "Alice owns a sailing boat" not in now_facts
    assert "Alice owns a sailing boat" in then_facts


def test_known_at_before_anything_was_learnt_finds_no_facts(
    store: GraphStore, world: World
) -> None:
    assert _facts(_search(store, "Alice works", known_at=at(2000))) == []


def test_valid_range_keeps_overlapping_facts(store: GraphStore, world: World) -> None:
    facts = _facts(_search(store, "Alice lives", valid_from=at(2016), valid_to=at(2017), limit=20))
    assert "Alice lives in Paris" in facts
    assert "Alice lives in Berlin" not in facts


def test_ended_fact_carries_its_end_and_ranks_below_current(
    store: GraphStore, world: World
) -> None:
    facts = [r for r in _search(store, "Where does Alice work now?", limit=20) if r.kind == "fact"]
    by_text = {r.text: r for r in facts}
    acme, globex = by_text["Alice works at Acme"], by_text["Alice works at Globex"]
    assert acme.invalid_at == at(2021, 6)
    assert globex.invalid_at is None
    assert facts.index(globex) < facts.index(acme)


def test_question_naming_a_date_prefers_facts_valid_then(store: GraphStore, world: World) -> None:
    facts = _facts(_search(store, "Where did Alice work in 2019?", limit=20))
    assert facts.index("Alice works at Acme") < facts.index("Alice works at Globex")


def test_historical_question_does_not_demote_ended_facts(store: GraphStore, world: World) -> None:
    engine = SearchEngine(store, EMBEDDER, clock=lambda: NOW)
    present = engine.search(SearchRequest(query="Alice works at Acme now", group_id="g1"))
    past = engine.search(SearchRequest(query="Alice used to work at Acme", group_id="g1"))

    def score(results: list[SearchResult]) -> float:
        return next(r.score for r in results if r.text == "Alice works at Acme")

    def globex(results: list[SearchResult]) -> float:
        return next(r.score for r in results if r.text == "Alice works at Globex")

    assert score(past) / globex(past) > score(present) / globex(present)


def test_results_carry_validity_and_transaction_times(store: GraphStore, world: World) -> None:
    results = _search(store, "Alice lives in Paris", limit=20)
    result = next(r for r in results if r.text == "Alice lives in Paris")
    assert (result.valid_at, result.invalid_at) == (at(2015), at(2020))
    assert isinstance(result.created_at, datetime)
    assert result.expired_at is None
