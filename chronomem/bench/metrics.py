"""Retrieval metrics: evidence ids, evidence recall@k, latency percentiles."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Final

__all__ = ["evidence_ids", "percentile", "recall_at_k", "turns_behind"]

# "D3:5", and malformed variants seen in the data: "D:11:26", "D 3 : 5".
_EVIDENCE: Final = re.compile(r"D\s*:?\s*(\d+)\s*:\s*(\d+)")


def evidence_ids(evidence: object) -> list[str]:
    """Dialogue ids ("D3:5") in a LoCoMo ``evidence`` value, parsed defensively.

    Accepts a list of strings or one string; "D8:6; D9:17" gives two ids, "D:11:26" gives
    "D11:26", and anything without a session and turn number ("D", "", None) gives nothing.
    Order is kept, repeats are dropped.
    """
    items: Iterable[object]
    if isinstance(evidence, str):
        items = [evidence]
    elif isinstance(evidence, list | tuple):
        items = evidence
    else:
        return []
    found: list[str] = []
    for item in items:
        if isinstance(item, str):
            found.extend(f"D{int(s)}:{int(t)}" for s, t in _EVIDENCE.findall(item))
    return list(dict.fromkeys(found))


def turns_behind(sources_per_result: Sequence[Sequence[str]], k: int) -> set[str]:
    """The turn ids behind the top ``k`` results (each result gives its list of sources)."""
    return {source for sources in sources_per_result[:k] for source in sources}


def recall_at_k(
    evidence: Sequence[str], sources_per_result: Sequence[Sequence[str]], k: int
) -> float:
    """Fraction of ``evidence`` among the turns behind the top ``k`` results."""
    wanted = set(evidence)
    if not wanted:
        raise ValueError("recall is undefined without evidence")
    return len(wanted & turns_behind(sources_per_result, k)) / len(wanted)


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) with linear interpolation; 0.0 for no values."""
    if not values:
        return 0.0
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be within 0-100, not {q}")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
