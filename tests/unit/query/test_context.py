"""The context block: dates, sources, sections, and a budget that is never exceeded."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chronomem.engine.store.protocol import GraphStore
from chronomem.query import SearchEngine, build_context, estimate_tokens
from chronomem.schema import SearchResult
from tests.unit.query.conftest import EMBEDDER, NOW, World, at


def _fact(text: str, **fields: object) -> SearchResult:
    return SearchResult(kind="fact", uuid=text, text=text, score=1.0, group_id="g", **fields)


def test_estimate_is_ceil_of_chars_over_four() -> None:
    assert [estimate_tokens(t) for t in ("", "a", "abcd", "abcde")] == [0, 1, 1, 2]


def test_fact_lines_show_interval_and_sources() -> None:
    results = [
        _fact("Caroline went to an LGBTQ support group", valid_at=at(2023, 5, 7), sources=["D1:3"]),
        _fact("Alice works at Acme", valid_at=at(2018), invalid_at=at(2021, 6)),
        _fact("Alice will run the team", valid_at=at(2024), invalid_at=at(2026)),
        _fact("Alice owns a boat", expired_at=at(2023)),
    ]
    text = build_context(results, max_tokens=500, now=NOW)
    assert text.splitlines() == [
        "Facts:",
        "- [2023-05-07 → now] Caroline went to an LGBTQ support group (source D1:3)",
        "- [2018-01-01 → 2021-06-01, ended] Alice works at Acme",
        "- [2024-01-01 → 2026-01-01] Alice will run the team",
        "- [? → now; retracted 2023-01-01] Alice owns a boat",
    ]


def test_sections_come_in_order_facts_conversation_entities() -> None:
    results = [
        SearchResult(
            kind="entity",
            uuid="e",
            text="Alice: a test person",
            score=3.0,
            group_id="g",
            labels=["Person"],
        ),
        SearchResult(
            kind="episode",
            uuid="p",
            text="Alice: hi",
            score=2.0,
            group_id="g",
            sources=["D1:1"],
            reference_time=at(2023, 5, 8),
        ),
        _fact("Alice works at Acme", valid_at=at(2018)),
    ]
    assert build_context(results, max_tokens=500, now=NOW).splitlines() == [
        "Facts:",
        "- [2018-01-01 → now] Alice works at Acme",
        "Conversation:",
        "- [2023-05-08 00:00] Alice: hi (source D1:1)",
        "Entities:",
        "- Alice (Person): a test person",
    ]


@given(
    st.lists(st.text(min_size=1, max_size=300), max_size=20),
    st.integers(min_value=0, max_value=400),
)
def test_budget_is_never_exceeded(texts: list[str], budget: int) -> None:
    results = [_fact(t, valid_at=at(2020), sources=["D1:1"]) for t in texts if t.strip()]
    text = build_context(results, max_tokens=budget, now=NOW)
    assert estimate_tokens(text) <= budget


def test_a_long_line_is_shortened_to_fit() -> None:
    long = " ".join(["word"] * 200)
    text = build_context([_fact(long, valid_at=at(2020))], max_tokens=40, now=NOW)
    assert text.startswith("Facts:\n- [2020-01-01 → now] word word")
    assert text.endswith(" ...")
    assert estimate_tokens(text) <= 40


def test_zero_budget_gives_an_empty_block() -> None:
    assert build_context([_fact("Alice works at Acme")], max_tokens=0) == ""


def test_engine_source_searches_then_renders(store: GraphStore, world: World) -> None:
    engine = SearchEngine(store, EMBEDDER, clock=lambda: NOW)
    text = build_context(engine, "Who is Carol married to?", 200, group_id="g1", now=NOW)
    assert "Carol is married to Bob (source D3:1)" in text
    assert estimate_tokens(text) <= 200
