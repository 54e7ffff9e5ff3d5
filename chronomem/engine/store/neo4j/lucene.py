"""Turn plain user text into a Lucene query that can only mean "any of these words".

Neo4j's full-text indexes parse their query with Lucene's query syntax, where characters such
as ``( ) : * ~ " \\`` and the words ``AND``/``OR``/``NOT`` are operators. User text must never
change what a query means nor make it fail, so every special character is escaped and the
operator words are lower-cased (the analyzer lower-cases terms anyway, so matching is
unchanged). Words are then OR-ed, like a plain BM25 search.

A group id can be added as a required, zero-weight phrase on the ``group_id`` field: a
pre-filter that keeps other tenants' documents out of the top hits without changing scores.
It is only a pre-filter (the analyzer splits and stems ids); callers still check the group.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

__all__ = ["MAX_QUERY_WORDS", "escape_word", "lucene_query"]

MAX_QUERY_WORDS: Final = 128
"""Words kept from a query (Lucene refuses queries of more than 1024 clauses)."""

_SPECIAL: Final = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/<>=])')
_OPERATORS: Final = frozenset({"AND", "OR", "NOT", "TO"})
_FIELD: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_WORD_CHAR: Final = re.compile(r"[^\W_]")


def escape_word(word: str) -> str:
    """One whitespace-free word with every Lucene special character escaped."""
    if word in _OPERATORS:
        return word.lower()
    return _SPECIAL.sub(r"\\\1", word)


def lucene_query(text: str, fields: Mapping[str, float], group_id: str | None = None) -> str | None:
    """A Lucene query matching documents with any word of ``text`` in any of ``fields``
    (field name -> boost), restricted to ``group_id`` when given; None when ``text`` holds
    no letter or digit (nothing to search for)."""
    if not fields:
        raise ValueError("give at least one field to search")
    for field, boost in fields.items():
        if not _FIELD.fullmatch(field) or not 0 < boost <= 100:
            raise ValueError(f"not a plain field name with a boost in (0, 100]: {field!r}")
    words = [w for w in text.split() if _WORD_CHAR.search(w)][:MAX_QUERY_WORDS]
    if not words:
        return None
    body = " ".join(escape_word(w) for w in words)
    clauses = " ".join(
        f"{field}:({body})" + ("" if boost == 1 else f"^{boost:g}")
        for field, boost in fields.items()
    )
    if group_id is None or not group_id.strip():
        return clauses
    group = " ".join(escape_word(part) for part in group_id.split())
    return f'+group_id:"{group}"^0 +({clauses})'
