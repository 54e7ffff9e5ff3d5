"""Plain user text becomes a safe FTS5 expression."""

from __future__ import annotations

import pytest

from chronomem.engine.store.embedded.fts import MAX_TERMS, match_expression


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
def test_words_are_quoted_and_ored(text: str, expected: str) -> None:
    assert match_expression(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "*", '"', "()", "--", "'; --", "_"])
def test_text_without_words_gives_no_expression(text: str) -> None:
    assert match_expression(text) is None


def test_long_queries_are_capped() -> None:
    expression = match_expression(" ".join(f"w{i}" for i in range(500)))
    assert expression is not None
    assert expression.count(" OR ") == MAX_TERMS - 1
