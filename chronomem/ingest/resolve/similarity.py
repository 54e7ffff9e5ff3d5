"""Fuzzy name similarity with guards against wrong merges, and a vectorised shortlist.

Matching is two-stage: :func:`shortlist` scores every query against every known key of a
family with a cheap scorer in one ``rapidfuzz.process.cdist`` call and keeps the pairs above a
cutoff; :func:`fuzzy_score` then checks each kept pair with the real rule:

* Person: the names have the same number of tokens, start with the same letter, and each
  aligned token pair has ``fuzz.ratio >= threshold`` ("Carolin" ~ "Caroline"; "Ann" vs "Dan",
  "John Smith" vs "Joan Smith" stay apart). Token-set scores are not used for people: they
  would rate "Anna" against "Anna Schmidt" at 100 and bypass the first-name rule.
* other families: ``fuzz.token_set_ratio >= threshold``, with the lengths of the two keys
  within a factor of 0.75 (so "Paris" never absorbs "Paris Texas"), a shared token or, for
  one-word names, the same first letter.
* always: both keys at least four characters long and the same numbers in both ("Room 101"
  vs "Room 102", "iPhone 14" vs "iPhone 15" stay apart).

For people, whole-name ``ratio`` is a lower bound of the per-token rule, so the shortlist
misses nothing; for other families the shortlist uses ``token_sort_ratio`` with a margin.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
from rapidfuzz import fuzz, process

from chronomem.ingest.resolve.names import PERSON

__all__ = ["fuzzy_score", "numbers_of", "shortlist"]

_MIN_LENGTH: Final = 4
_LENGTH_RATIO: Final = 0.75
_SHORTLIST_MARGIN: Final = 15.0
_CELLS_PER_CHUNK: Final = 8_000_000


def numbers_of(key: str) -> tuple[str, ...]:
    """The tokens of ``key`` that contain a digit, in order."""
    return tuple(t for t in key.split() if any(c.isdigit() for c in t))


def _person_score(query: str, candidate: str, threshold: float) -> float | None:
    q_tokens, c_tokens = query.split(), candidate.split()
    if len(q_tokens) != len(c_tokens) or query[0] != candidate[0]:
        return None
    for a, b in zip(q_tokens, c_tokens, strict=True):
        if a == b:
            continue
        if min(len(a), len(b)) < 2 or fuzz.ratio(a, b) < threshold:
            return None
    return float(fuzz.ratio(query, candidate))


def _other_score(query: str, candidate: str, threshold: float) -> float | None:
    if min(len(query), len(candidate)) < _LENGTH_RATIO * max(len(query), len(candidate)):
        return None
    q_tokens, c_tokens = query.split(), candidate.split()
    if set(q_tokens).isdisjoint(c_tokens) and not (
        len(q_tokens) == 1 and len(c_tokens) == 1 and query[0] == candidate[0]
    ):
        return None
    score = float(fuzz.token_set_ratio(query, candidate))
    return score if score >= threshold else None


def fuzzy_score(query: str, candidate: str, family: str, threshold: float) -> float | None:
    """The similarity of two keys of ``family`` when they may merge, else None."""
    if query == candidate:
        return 100.0
    if min(len(query), len(candidate)) < _MIN_LENGTH:
        return None
    if numbers_of(query) != numbers_of(candidate):
        return None
    if family == PERSON:
        return _person_score(query, candidate, threshold)
    return _other_score(query, candidate, threshold)


def shortlist(
    queries: Sequence[str], choices: Sequence[str], family: str, threshold: float
) -> list[list[int]]:
    """For each query, the indices (ascending) of the choices worth a :func:`fuzzy_score`."""
    result: list[list[int]] = [[] for _ in queries]
    if not queries or not choices:
        return result
    if family == PERSON:
        scorer, cutoff = fuzz.ratio, max(threshold - 0.5, 0.0)
    else:
        scorer, cutoff = fuzz.token_sort_ratio, max(threshold - _SHORTLIST_MARGIN, 0.0)
    cutoff = max(cutoff, 1.0)  # 0 marks "below the cutoff" in the matrix
    rows = max(1, _CELLS_PER_CHUNK // len(choices))
    for start in range(0, len(queries), rows):
        block = process.cdist(
            queries[start : start + rows],
            choices,
            scorer=scorer,
            score_cutoff=cutoff,
            dtype=np.uint8,
            workers=-1,
        )
        for row, col in zip(*np.nonzero(block), strict=True):
            result[start + int(row)].append(int(col))
    return result
