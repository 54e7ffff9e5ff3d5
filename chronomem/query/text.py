"""Query text: words, keywords (question words and function words removed) and n-grams."""

from __future__ import annotations

import re
from typing import Final

__all__ = ["STOPWORDS", "keywords", "name_ngrams", "words"]

_WORD: Final = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_POSSESSIVE: Final = re.compile(r"['’]s?$")

#: Function words and question words: they say how a question is asked, not what about.
STOPWORDS: Final[frozenset[str]] = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing done down during each ever few for
    from further had has have having he her here hers herself him himself his how i if in into
    is it its itself just me might more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up upon
    very was we were what whats when where which while who whom whose why will with would you
    your yours yourself yourselves s t ll d ve re m kind sort type many much
    """.split()  # noqa: SIM905
)


def words(text: str) -> list[str]:
    """The words of ``text``, lower-cased, possessive endings removed ("Anna's" -> "anna")."""
    return [_POSSESSIVE.sub("", w.casefold().replace("’", "'")) or w for w in _WORD.findall(text)]


def keywords(text: str) -> list[str]:
    """The content words of ``text`` in order, without repeats."""
    return list(dict.fromkeys(w for w in words(text) if w not in STOPWORDS))


def name_ngrams(text: str, max_words: int = 4) -> list[str]:
    """Word n-grams of ``text`` (original case kept, possessives removed) that may name an
    entity: at most ``max_words`` words, not starting or ending with a stopword."""
    tokens = [_POSSESSIVE.sub("", w.replace("’", "'")) or w for w in _WORD.findall(text)]
    grams: list[str] = []
    for size in range(1, max_words + 1):
        for start in range(len(tokens) - size + 1):
            gram = tokens[start : start + size]
            if gram[0].casefold() in STOPWORDS or gram[-1].casefold() in STOPWORDS:
                continue
            grams.append(" ".join(gram))
    return list(dict.fromkeys(grams))
