"""Combining ranked candidate lists and choosing a diverse top: RRF, score fusion, MMR."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import TypeVar

import numpy as np
import numpy.typing as npt

__all__ = ["mmr", "reciprocal_rank_fusion", "score_fusion"]

K = TypeVar("K", bound=Hashable)


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[K]], weights: Sequence[float] | None = None, k: int = 60
) -> dict[K, float]:
    """Reciprocal-rank fusion: ``sum(weight / (k + rank))`` over the lists holding each item.

    Ranks start at 1; an item repeated within one list counts at its best rank only. The
    result maps every item to its fused score (sort it to rank).
    """
    if weights is not None and len(weights) != len(rankings):
        raise ValueError(f"{len(weights)} weights for {len(rankings)} rankings")
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    fused: dict[K, float] = {}
    for index, ranking in enumerate(rankings):
        weight = 1.0 if weights is None else weights[index]
        seen: set[K] = set()
        for rank, item in enumerate(ranking, start=1):
            if item in seen:
                continue
            seen.add(item)
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused


def score_fusion(
    scored: Sequence[Sequence[tuple[K, float]]],
    weights: Sequence[float] | None = None,
    scales: Sequence[str | None] | None = None,
) -> dict[K, float]:
    """Weighted sum of scores, each list scaled so that its best score is 1.

    Lists given the same ``scales`` name are scaled together (by the best score among them),
    so that scores of one kind (say BM25 over facts and over episodes) stay comparable.
    Non-positive scores count as 0; within one list an item keeps its best score.
    """
    if weights is not None and len(weights) != len(scored):
        raise ValueError(f"{len(weights)} weights for {len(scored)} score lists")
    if scales is not None and len(scales) != len(scored):
        raise ValueError(f"{len(scales)} scales for {len(scored)} score lists")
    bests: list[dict[K, float]] = []
    for items in scored:
        best: dict[K, float] = {}
        for item, score in items:
            if score > best.get(item, float("-inf")):
                best[item] = score
        bests.append(best)
    tops = [max((s for s in best.values() if s > 0), default=0.0) for best in bests]
    if scales is not None:
        shared: dict[str, float] = {}
        for name, top in zip(scales, tops, strict=True):
            if name is not None:
                shared[name] = max(shared.get(name, 0.0), top)
        tops = [shared[n] if n is not None else t for n, t in zip(scales, tops, strict=True)]
    fused: dict[K, float] = {}
    for index, best in enumerate(bests):
        weight = 1.0 if weights is None else weights[index]
        if tops[index] <= 0:
            continue
        for item, score in best.items():
            fused[item] = fused.get(item, 0.0) + weight * max(score, 0.0) / tops[index]
    return fused


def mmr(
    items: Sequence[K],
    scores: Mapping[K, float],
    vectors: Mapping[K, npt.NDArray[np.float32]],
    limit: int,
    lam: float,
    similarity: Callable[[K, K], float] | None = None,
) -> list[K]:
    """Maximal marginal relevance: pick, one at a time, the item maximising
    ``lam * relevance - (1 - lam) * max similarity to the items already picked``.

    Relevance is the score rescaled to [0, 1] over ``items``. Similarity is the cosine of unit
    ``vectors`` (items without a vector are similar to nothing) or, when given, the maximum of
    that and ``similarity(a, b)``. ``lam = 1`` keeps the order of the scores.
    """
    pool = list(dict.fromkeys(items))
    if lam >= 1.0 or len(pool) <= 1:
        return sorted(pool, key=lambda i: -scores[i])[:limit]
    values = np.array([scores[i] for i in pool], dtype=np.float64)
    low, high = float(values.min()), float(values.max())
    relevance = (values - low) / (high - low) if high > low else np.ones_like(values)
    dimension = next((len(v) for v in vectors.values()), 0)
    matrix = np.zeros((len(pool), dimension), dtype=np.float32)
    for row, item in enumerate(pool):
        vector = vectors.get(item)
        if vector is not None:
            matrix[row] = vector
    chosen: list[int] = []
    max_sim = np.zeros(len(pool), dtype=np.float64)
    remaining = np.ones(len(pool), dtype=bool)
    for _ in range(min(limit, len(pool))):
        # The first pick is the most relevant item whatever lam is.
        value = lam * relevance - (1.0 - lam) * max_sim if chosen else relevance.copy()
        value[~remaining] = -np.inf
        pick = int(np.argmax(value))
        chosen.append(pick)
        remaining[pick] = False
        sims = (matrix @ matrix[pick]).astype(np.float64) if dimension else np.zeros(len(pool))
        if similarity is not None:
            picked = pool[pick]
            for j in np.flatnonzero(remaining):
                sims[j] = max(sims[j], similarity(picked, pool[j]))
        np.maximum(max_sim, sims, out=max_sim)
    return [pool[i] for i in chosen]
