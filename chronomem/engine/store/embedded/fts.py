"""Turning plain user text into a safe SQLite FTS5 query, leaving out terms too common to
rank by."""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Mapping
from typing import Final

__all__ = [
    "COMMON_ROWS",
    "MAX_TERMS",
    "STOP_WORDS",
    "CommonTerms",
    "match_terms",
]

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


def match_terms(text: str) -> list[str]:
    """The words of ``text`` as quoted FTS5 strings (the store ORs them), stop words left out
    unless nothing else is left, at most :data:`MAX_TERMS`; none when the text has no words.

    Quoting every term means FTS5 syntax in user text (quotes, ``*``, ``:``, ``^``, ``NEAR``,
    ``AND``/``OR``/``NOT``, parentheses) never changes the query or raises.
    """
    terms = list(dict.fromkeys(term.casefold() for term in _TERM.findall(text)))
    content = [term for term in terms if term not in STOP_WORDS]
    return [f'"{term}"' for term in (content or terms)[:MAX_TERMS]]


#: A term found in more than this many rows of a full-text table is *common*.
COMMON_ROWS: Final = 2_000
#: Verdicts remembered per store before the cache starts over.
_MAX_VERDICTS: Final = 100_000


class CommonTerms:
    """Which query terms are too common to rank by, per full-text table, remembered.

    BM25 over an OR of terms scores every row that matches any of them (about 1-2 us a row
    here): in a memory of a million facts one first name found in 10,000 rows costs more than
    the rest of the search together, while its weight (IDF) barely moves the ranking. Terms
    found in more than :data:`COMMON_ROWS` rows are left out of the query, which bounds the
    work per term whatever the size of the memory; a query made only of such terms gets no
    full-text hits (vectors and the graph still answer). Tables with at most that many rows
    are never counted: nothing changes for small memories.

    A term's rows are counted up to the threshold and the verdict remembered: rows are never
    deleted, so a common term stays common, and a rare one is counted again once the table
    has grown enough for it to have crossed the threshold. Thread-safe.
    """

    def __init__(self, counts: Mapping[str, str], sizes: Mapping[str, str]) -> None:
        """``counts``/``sizes``: per table, the statements counting a term's rows (parameters:
        term, cap) and giving the table's largest rowid."""
        self._counts = counts
        self._sizes = sizes
        self._lock = threading.Lock()
        self._verdicts: dict[tuple[str, str], tuple[int, int]] = {}

    def keep(self, conn: sqlite3.Connection, table: str, terms: list[str]) -> list[str]:
        """The terms of ``terms`` worth ranking by in ``table`` (all of them in a small
        table; possibly none)."""
        if not terms:
            return terms
        size = int(conn.execute(self._sizes[table]).fetchone()[0] or 0)
        if size <= COMMON_ROWS:
            return terms
        return [t for t in terms if self._count(conn, table, t, size) <= COMMON_ROWS]

    def _count(self, conn: sqlite3.Connection, table: str, term: str, size: int) -> int:
        key = (table, term)
        with self._lock:
            seen = self._verdicts.get(key)
        if seen is not None:
            count, then = seen
            if count > COMMON_ROWS or count + size - then <= COMMON_ROWS:
                return count
        count = int(conn.execute(self._counts[table], (term, COMMON_ROWS + 1)).fetchone()[0])
        with self._lock:
            if len(self._verdicts) >= _MAX_VERDICTS:
                self._verdicts.clear()
            self._verdicts[key] = (count, size)
        return count
