"""Plain user text becomes safe FTS5 terms (the store ORs them)."""

from __future__ import annotations

import pytest

from chronomem.engine.store.embedded.fts import MAX_TERMS, match_terms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Where does Alice work?", '"alice" OR "work"'),
        ('"apple" NEAR(banana) OR *', '"apple" OR "near" OR "banana"'),
        ("col:value ^x", '"col" OR "value" OR "x"'),
        ("snake_case o'brien", '"snake" OR "case" OR "o" OR "brien"'),
        ("who is he?", '"who" OR "is" OR "he"'),
        ("Ünïcode 日本", '"ünïcode" OR "日本"'),
        ("a A a", '"a"'),
    ],
)
def test_words_are_quoted(text: str, expected: str) -> None:
    assert " OR ".join(match_terms(text)) == expected


@pytest.mark.parametrize("text", ["", "   ", "*", '"', "()", "--", "'; --", "_"])
def test_text_without_words_gives_no_terms(text: str) -> None:
    assert match_terms(text) == []


def test_long_queries_are_capped() -> None:
    assert len(match_terms(" ".join(f"w{i}" for i in range(500)))) == MAX_TERMS
