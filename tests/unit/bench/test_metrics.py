"""Evidence ids, recall@k, percentiles, and the single-turn BM25 baseline."""

from __future__ import annotations

import math

import pytest

from chronomem.bench import BM25Index, evidence_ids, percentile, recall_at_k
from chronomem.bench.baselines import tokenize
from chronomem.bench.metrics import (
    budget_recall_at_k,
    budget_turns,
    session_of,
    session_recall_at_k,
)


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [
        (["D1:3"], ["D1:3"]),
        (["D8:6; D9:17"], ["D8:6", "D9:17"]),
        (["D:11:26"], ["D11:26"]),
        (["D"], []),
        (["D1:03", "D1:3"], ["D1:3"]),
        ("D2:4", ["D2:4"]),
        (None, []),
        ([7, None, "D3:1"], ["D3:1"]),
    ],
)
def test_evidence_ids_are_parsed_defensively(evidence: object, expected: list[str]) -> None:
    assert evidence_ids(evidence) == expected


def test_recall_counts_every_source_turn_of_a_result() -> None:
    results = [["D1:1"], ["D1:2", "D1:3"], ["D1:4"]]
    assert recall_at_k(["D1:3", "D1:4"], results, 1) == 0.0
    assert recall_at_k(["D1:3", "D1:4"], results, 2) == 0.5
    assert recall_at_k(["D1:3", "D1:4"], results, 3) == 1.0
    assert recall_at_k(["D1:3", "D1:3"], results, 2) == 1.0
    with pytest.raises(ValueError, match="evidence"):
        recall_at_k([], results, 1)


def test_a_turn_budget_stops_at_k_distinct_turns_in_rank_order() -> None:
    results = [["D1:1", "D1:2"], ["D1:2", "D2:5", "D3:1"], ["D1:4"]]
    assert budget_turns(results, 1) == ["D1:1"]
    assert budget_turns(results, 3) == ["D1:1", "D1:2", "D2:5"]  # the repeat costs nothing
    assert budget_turns(results, 9) == ["D1:1", "D1:2", "D2:5", "D3:1", "D1:4"]
    assert budget_recall_at_k(["D3:1", "D1:4"], results, 3) == 0.0
    assert recall_at_k(["D3:1", "D1:4"], results, 2) == 0.5  # the second result brings D3:1
    assert budget_recall_at_k(["D3:1", "D1:4"], results, 4) == 0.5
    assert budget_recall_at_k(["D3:1", "D1:4"], results, 5) == 1.0
    with pytest.raises(ValueError, match="evidence"):
        budget_recall_at_k([], results, 1)


def test_session_recall_is_a_hit_among_the_first_k_sessions() -> None:
    results = [["D4:1"], ["D4:2", "D7:3"], ["D2:9"]]
    assert session_of("D12:3") == "D12"
    assert session_of("turn-7") is None
    assert session_recall_at_k(["D7:1"], results, 1) == 0.0
    assert session_recall_at_k(["D7:1"], results, 2) == 1.0  # D4, then D7
    assert session_recall_at_k(["D2:1", "D9:9"], results, 2) == 0.0
    assert session_recall_at_k(["D2:1", "D9:9"], results, 3) == 1.0
    with pytest.raises(ValueError, match="session"):
        session_recall_at_k(["x"], results, 1)


def test_percentile_interpolates() -> None:
    assert percentile([], 50) == 0.0
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([0.0, 10.0], 95) == pytest.approx(9.5)
    with pytest.raises(ValueError, match="0-100"):
        percentile([1.0], 101)


def test_tokens_are_lowercase_alphanumeric() -> None:
    assert tokenize("Caroline: I'm at the LGBTQ+ group, 2023!") == [
        "caroline", "i", "m", "at", "the", "lgbtq", "group", "2023",
    ]  # fmt: skip


def test_bm25_matches_the_okapi_formula() -> None:
    docs = ["apple banana", "apple apple cherry", "durian"]
    index = BM25Index(docs, k1=1.5, b=0.75)
    n, avg = 3, (2 + 3 + 1) / 3
    idf = math.log1p((n - 2 + 0.5) / (2 + 0.5))  # "apple" is in two documents

    def term(tf: int, length: int) -> float:
        return tf * 2.5 / (tf + 1.5 * (1 - 0.75 + 0.75 * length / avg)) * idf

    scores = index.scores("apple")
    assert scores[0] == pytest.approx(term(1, 2), rel=1e-5)
    assert scores[1] == pytest.approx(term(2, 3), rel=1e-5)
    assert scores[2] == 0.0
    assert index.top("apple", 2) == [1, 0]
    assert index.top("unknown words", 2) == [0, 1]  # no match: all zero, document order
