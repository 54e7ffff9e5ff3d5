"""Retrieval metrics: evidence ids, evidence recall@k (plain, with a turn budget, by session),
latency percentiles.

Every recall takes the ranked results as the turn ids behind each (``sources_per_result``):

- :func:`recall_at_k`: the evidence among *all* turns behind the top k results. A fact drawn
  from several turns covers them all, so k results may cover many more than k turns.
- :func:`budget_recall_at_k`: the evidence among the first k *distinct turns* behind the ranked
  results (a result's turns in its own order): k results never cover more than k turns, the
  same budget a turn-retrieval baseline has.
- :func:`session_recall_at_k`: 1 when an evidence turn's session is among the first k distinct
  sessions behind the results, else 0 (the session-level figure peers publish).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Final

__all__ = [
    "budget_recall_at_k",
    "budget_turns",
    "evidence_ids",
    "percentile",
    "recall_at_k",
    "session_of",
    "session_recall_at_k",
    "turns_behind",
]

# "D3:5", and malformed variants seen in the data: "D:11:26", "D 3 : 5".
_EVIDENCE: Final = re.compile(r"D\s*:?\s*(\d+)\s*:\s*(\d+)")
# A normalised dialogue id ("D3:5"): its session ("D3") is what comes before the colon.
_SESSION: Final = re.compile(r"^(D\d+):\d+$")


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


def budget_turns(sources_per_result: Sequence[Sequence[str]], k: int) -> list[str]:
    """The first ``k`` distinct turn ids behind the ranked results, in rank order."""
    found: dict[str, None] = {}
    for sources in sources_per_result:
        for source in sources:
            if len(found) == k:
                return list(found)
            found.setdefault(source)
    return list(found)


def budget_recall_at_k(
    evidence: Sequence[str], sources_per_result: Sequence[Sequence[str]], k: int
) -> float:
    """Fraction of ``evidence`` among the first ``k`` distinct turns behind the results."""
    wanted = set(evidence)
    if not wanted:
        raise ValueError("recall is undefined without evidence")
    return len(wanted.intersection(budget_turns(sources_per_result, k))) / len(wanted)


def session_of(turn_id: str) -> str | None:
    """The session of a dialogue id: "D3:5" -> "D3" (None for anything else)."""
    match = _SESSION.match(turn_id)
    return match.group(1) if match else None


def session_recall_at_k(
    evidence: Sequence[str], sources_per_result: Sequence[Sequence[str]], k: int
) -> float:
    """1.0 when the session of an evidence turn is among the first ``k`` distinct sessions
    behind the ranked results, else 0.0."""
    wanted = {session_of(turn) for turn in evidence} - {None}
    if not wanted:
        raise ValueError("session recall is undefined without evidence from a session")
    sessions: dict[str, None] = {}
    for sources in sources_per_result:
        for source in sources:
            session = session_of(source)
            if session is not None and len(sessions) < k:
                sessions.setdefault(session)
    return 1.0 if wanted.intersection(sessions) else 0.0


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
