"""Plain user text becomes a Lucene query that can only OR words together."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from chronomem.engine.store.neo4j.lucene import MAX_QUERY_WORDS, lucene_query

SPECIAL = set('+-&|!(){}[]^"~*?:\\/<>=')


def unescaped_specials(query: str) -> list[str]:
    """Special characters of ``query`` not preceded by an escaping backslash."""
    found, escaped = [], False
    for char in query:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in SPECIAL:
            found.append(char)
    assert not escaped, "a dangling backslash would escape the closing parenthesis"
    return found


FACT = {"fact": 1.0}


def test_words_are_ored_inside_the_fields() -> None:
    assert lucene_query("Alice works", FACT) == "fact:(Alice works)"
    assert lucene_query("Bob", {"name": 2.0, "aliases": 1.0}) == "name:(Bob)^2 aliases:(Bob)"


def test_group_is_a_required_zero_weight_phrase() -> None:
    assert lucene_query("Alice", FACT, "user-42") == '+group_id:"user\\-42"^0 +(fact:(Alice))'


def test_operators_and_syntax_are_neutralised() -> None:
    query = lucene_query('Alice AND NOT (bob OR "x") fact:* ~2 ^3 [a TO b] && || \\', FACT)
    assert query is not None
    body = query.removeprefix("fact:(").removesuffix(")")
    assert unescaped_specials(body) == []
    assert not re.search(r"\b(AND|OR|NOT|TO)\b", body)
    assert "and not" in body


def test_text_without_words_gives_no_query() -> None:
    assert lucene_query("", FACT) is None
    assert lucene_query("  *** ?? ()  ", FACT) is None
    assert lucene_query("___", FACT, "g") is None


def test_long_text_is_capped() -> None:
    query = lucene_query(" ".join(f"w{i}" for i in range(5 * MAX_QUERY_WORDS)), FACT)
    assert query is not None
    assert len(query.removeprefix("fact:(").split()) == MAX_QUERY_WORDS


@given(st.text(max_size=200))
def test_any_text_is_escaped(text: str) -> None:
    query = lucene_query(text, {"content": 1.0})
    if query is None:
        return
    assert query.startswith("content:(")
    assert query.endswith(")")
    assert unescaped_specials(query[len("content:(") : -1]) == []
