"""Lemmas from Penn tags, computed only for the words the rules look at.

spaCy's own lemmatizer needs the ``attribute_ruler`` to map tags to POS and morphology, and
both run over every token; together they cost about a quarter of the pipeline's time. The
rules need lemmas for a few words per sentence, so this module derives them from the tag and
the English lemma tables shipped with the model (exceptions, suffix rules, word index), with
a cache.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Final

__all__ = ["Lemmatizer"]

# Tags whose word is its own lemma (base verbs, singular nouns, positive adjectives).
_BASE_TAGS: Final = frozenset({"VB", "VBP", "NN", "NNP", "JJ", "MD"})
_TAG_POS: Final[dict[str, str]] = {
    "VBD": "verb", "VBG": "verb", "VBN": "verb", "VBZ": "verb",
    "NNS": "noun", "NNPS": "noun", "JJR": "adj", "JJS": "adj",
}  # fmt: skip
_SPECIAL: Final[dict[str, str]] = {
    "'m": "be", "am": "be", "'re": "be", "are": "be", "'s": "be", "is": "be", "ai": "be",
    "'ve": "have", "'d": "would", "wo": "will", "ca": "can", "'ll": "will", "gon": "go",
}  # fmt: skip


class Lemmatizer:
    """Lemma of a lower-cased word given its Penn tag, from spaCy's English lemma tables.

    ``exceptions``, ``rules`` and ``index`` are the ``lemma_exc``, ``lemma_rules`` and
    ``lemma_index`` tables, keyed by coarse part of speech ("verb", "noun", "adj").
    """

    def __init__(
        self,
        exceptions: Mapping[str, Mapping[str, Sequence[str]]],
        rules: Mapping[str, Sequence[Sequence[str]]],
        index: Mapping[str, Sequence[str]],
    ) -> None:
        self._exc = {pos: dict(table) for pos, table in exceptions.items()}
        self._rules = {pos: [(old, new) for old, new in table] for pos, table in rules.items()}
        self._index = {pos: frozenset(words) for pos, words in index.items()}
        self._cache: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def lemma(self, lower: str, tag: str) -> str:
        """The lemma of ``lower`` (a lower-cased word) tagged ``tag`` (e.g. "VBD")."""
        key = (lower, tag)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        result = self._compute(lower.replace("’", "'"), tag)
        with self._lock:
            if len(self._cache) > 200_000:
                self._cache.clear()
            self._cache[key] = result
        return result

    def knows(self, lower: str) -> bool:
        """Whether ``lower`` is an English word: listed in the word index itself, or as the
        dictionary form of an inflection ("proposed", "cars", "happier")."""
        if any(lower in words for words in self._index.values()):
            return True
        if any(lower in table for table in self._exc.values()):
            return True
        for tag in ("VBD", "VBG", "VBZ", "NNS", "JJR", "JJS"):
            pos = _TAG_POS[tag]
            lemma = self.lemma(lower, tag)
            if lemma != lower and lemma in self._index.get(pos, frozenset()):
                return True
        return False

    def _compute(self, word: str, tag: str) -> str:
        special = _SPECIAL.get(word)
        if special is not None and (tag.startswith("VB") or tag == "MD"):
            return special
        if tag in _BASE_TAGS:
            return word
        pos = _TAG_POS.get(tag)
        if pos is None:
            return word
        exceptions = self._exc.get(pos, {}).get(word)
        if exceptions:
            return exceptions[0]
        index = self._index.get(pos, frozenset())
        fallback: str | None = None
        for old, new in self._rules.get(pos, []):
            if word.endswith(old):
                form = word[: len(word) - len(old)] + new
                if not form:
                    continue
                if form in index or not form.isalpha():
                    return form
                if fallback is None:
                    fallback = form
        return fallback if fallback is not None else word
