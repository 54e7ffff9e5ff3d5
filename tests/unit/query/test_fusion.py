"""Reciprocal-rank fusion, score fusion and maximal marginal relevance."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronomem.query.fusion import mmr, reciprocal_rank_fusion, score_fusion


def test_rrf_sums_reciprocal_ranks_with_k() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "a"]], k=60)
    assert fused["a"] == pytest.approx(1 / 61 + 1 / 62)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["c"] == pytest.approx(1 / 63)


def test_rrf_applies_weights_per_list() -> None:
    fused = reciprocal_rank_fusion([["a"], ["b"]], weights=[2.0, 0.5], k=1)
    assert fused == {"a": pytest.approx(1.0), "b": pytest.approx(0.25)}


def test_rrf_counts_an_item_once_per_list_at_its_best_rank() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "a"]], k=60)
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["b"] == pytest.approx(1 / 62)


def test_rrf_item_in_two_lists_beats_item_on_top_of_one() -> None:
    fused = reciprocal_rank_fusion([["x", "both"], ["y", "both"]], k=60)
    assert max(fused, key=lambda key: fused[key]) == "both"


def test_rrf_rejects_mismatched_weights_and_bad_k() -> None:
    with pytest.raises(ValueError, match="weights"):
        reciprocal_rank_fusion([["a"]], weights=[1.0, 2.0])
    with pytest.raises(ValueError, match="k must"):
        reciprocal_rank_fusion([["a"]], k=0)


@given(st.lists(st.lists(st.sampled_from("abcdefgh"), max_size=8), max_size=5))
def test_rrf_scores_are_bounded_by_number_of_lists(rankings: list[list[str]]) -> None:
    fused = reciprocal_rank_fusion(rankings, k=60)
    assert set(fused) == {item for ranking in rankings for item in ranking}
    for score in fused.values():
        assert 0 < score <= len(rankings) / 61 + 1e-12


def test_score_fusion_normalises_each_list_by_its_best() -> None:
    fused = score_fusion([[("a", 10.0), ("b", 5.0)], [("b", 0.8), ("c", 0.4)]], [1.0, 0.5])
    assert fused["a"] == pytest.approx(1.0)
    assert fused["b"] == pytest.approx(0.5 + 0.5 * 1.0)
    assert fused["c"] == pytest.approx(0.5 * 0.5)


def test_score_fusion_ignores_lists_without_positive_scores() -> None:
    fused = score_fusion([[("a", -1.0)], [("b", 2.0)]])
    assert "a" not in fused
    assert fused["b"] == pytest.approx(1.0)


def _unit(*values: float) -> npt.NDArray[np.float32]:
    vector = np.asarray(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def test_mmr_with_lambda_one_keeps_score_order() -> None:
    scores = {"a": 3.0, "b": 2.0, "c": 1.0}
    vectors = {k: _unit(1, 0) for k in scores}
    assert mmr(["c", "a", "b"], scores, vectors, limit=3, lam=1.0) == ["a", "b", "c"]


def test_mmr_skips_near_duplicates_for_diverse_items() -> None:
    scores = {"a": 1.0, "a_copy": 0.95, "other": 0.6}
    vectors = {"a": _unit(1, 0), "a_copy": _unit(1, 0.01), "other": _unit(0, 1)}
    assert mmr(list(scores), scores, vectors, limit=2, lam=0.5) == ["a", "other"]


def test_mmr_uses_extra_similarity_for_items_without_vectors() -> None:
    scores = {"a": 1.0, "b": 0.9, "c": 0.5}

    def same_turn(x: str, y: str) -> float:
        return 1.0 if {x, y} == {"a", "b"} else 0.0

    assert mmr(list(scores), scores, {}, limit=2, lam=0.5, similarity=same_turn) == ["a", "c"]


@given(
    st.dictionaries(st.text("abcdef", min_size=1, max_size=2), st.floats(0, 10), max_size=12),
    st.integers(0, 15),
    st.floats(0, 1),
)
def test_mmr_returns_distinct_items_up_to_limit(
    scores: dict[str, float], limit: int, lam: float
) -> None:
    rng = np.random.default_rng(0)
    vectors = {k: _unit(*rng.normal(size=4)) for k in scores}
    chosen = mmr(list(scores), scores, vectors, limit=limit, lam=lam)
    assert len(chosen) == min(limit, len(scores))
    assert len(set(chosen)) == len(chosen)
    if chosen:
        assert scores[chosen[0]] == max(scores.values())
