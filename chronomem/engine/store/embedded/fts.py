"""Turning plain user text into a safe SQLite FTS5 query."""

from __future__ import annotations

import re
from typing import Final

__all__ = ["MAX_TERMS", "STOP_WORDS", "match_expression"]

#: At most this many distinct terms of a query are used.
MAX_TERMS: Final = 64

_STOP_WORDS_TEXT: Final = """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    s t d ll m re ve
"""

#: English function words left out of a query that has other words: they match most rows
#: (each matching row costs BM25 work) and barely move the ranking.
STOP_WORDS: Final = frozenset(_STOP_WORDS_TEXT.split())

# Runs of letters and digits, as the unicode61 tokenizer splits them.
_TERM: Final = re.compile(r"[^\W_]+")


def match_expression(text: str) -> str | None:
    """An FTS5 MATCH expression that ORs the words of ``text``, each quoted as a string.

    Quoting every term means FTS5 syntax in user text (quotes, ``*``, ``:``, ``^``, ``NEAR``,
    ``AND``/``OR``/``NOT``, parentheses) never changes the query or raises. Stop words are
    dropped unless nothing else is left. Returns None when the text holds no words: such a
    query matches nothing.
    """
    terms = list(dict.fromkeys(term.casefold() for term in _TERM.findall(text)))
    if not terms:
        return None
    content = [term for term in terms if term not in STOP_WORDS]
    return " OR ".join(f'"{term}"' for term in (content or terms)[:MAX_TERMS])
