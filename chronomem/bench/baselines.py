"""Single-turn retrieval baselines: BM25 (numpy) and dense cosine over the same texts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

from chronomem.engine.embed import Embedder

__all__ = ["BM25Index", "DenseIndex", "tokenize"]

_TOKEN: Final = re.compile(r"[a-z0-9]+")


def tokenize(text: str) -> list[str]:
    """Lower-case alphanumeric tokens."""
    return _TOKEN.findall(text.lower())


class BM25Index:
    """Okapi BM25 over a fixed list of documents, scored with numpy.

    ``idf = ln(1 + (N - df + 0.5) / (df + 0.5))`` (never negative), term frequencies saturated
    with ``k1`` and normalised for length with ``b``.
    """

    def __init__(self, documents: Sequence[str], k1: float = 1.5, b: float = 0.75) -> None:
        vocabulary: dict[str, int] = {}
        rows: list[dict[int, int]] = []
        for document in documents:
            counts: dict[int, int] = {}
            for token in tokenize(document):
                column = vocabulary.setdefault(token, len(vocabulary))
                counts[column] = counts.get(column, 0) + 1
            rows.append(counts)
        n = len(documents)
        tf = np.zeros((n, len(vocabulary)), dtype=np.float32)
        for row, counts in enumerate(rows):
            for column, count in counts.items():
                tf[row, column] = count
        length = tf.sum(axis=1)
        average = float(length.mean()) if n else 0.0
        df = (tf > 0).sum(axis=0)
        idf = np.log1p((n - df + 0.5) / (df + 0.5))
        norm = k1 * (1.0 - b + b * length / average) if average > 0 else np.full(n, k1)
        self._weights: npt.NDArray[np.float32] = (
            tf * (k1 + 1.0) / (tf + norm[:, None]) * idf
        ).astype(np.float32)
        self._vocabulary = vocabulary

    def __len__(self) -> int:
        return int(self._weights.shape[0])

    def scores(self, query: str) -> npt.NDArray[np.float32]:
        """The BM25 score of every document for ``query`` (query terms counted once each)."""
        columns = list(
            dict.fromkeys(self._vocabulary[t] for t in tokenize(query) if t in self._vocabulary)
        )
        if not columns:
            return np.zeros(len(self), dtype=np.float32)
        summed: npt.NDArray[np.float32] = self._weights[:, columns].sum(axis=1)
        return summed

    def top(self, query: str, k: int) -> list[int]:
        """Indexes of the ``k`` best documents, best first (ties in document order)."""
        return _top(self.scores(query), k)


class DenseIndex:
    """Cosine similarity between an embedded query and embedded documents."""

    def __init__(self, documents: Sequence[str], embedder: Embedder) -> None:
        self._embedder = embedder
        self._vectors = embedder.embed(list(documents))

    def top(self, query: str, k: int) -> list[int]:
        """Indexes of the ``k`` most similar documents, best first."""
        if len(self._vectors) == 0:
            return []
        scores = self._vectors @ self._embedder.embed([query])[0]
        return _top(scores, k)

    def top_many(self, queries: Sequence[str], k: int) -> list[list[int]]:
        """:meth:`top` for many queries, embedded in one batch."""
        if len(self._vectors) == 0 or not queries:
            return [[] for _ in queries]
        scores = self._embedder.embed(list(queries)) @ self._vectors.T
        return [_top(row, k) for row in scores]


def _top(scores: npt.NDArray[np.float32], k: int) -> list[int]:
    order = np.argsort(-scores, kind="stable")[:k]
    return [int(i) for i in order]
