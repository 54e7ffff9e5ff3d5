"""Benchmarks: the LoCoMo evidence-recall harness, its metrics and single-turn baselines."""

from chronomem.bench.baselines import BM25Index, DenseIndex
from chronomem.bench.locomo import load_questions, plot_recall, run_locomo
from chronomem.bench.metrics import evidence_ids, percentile, recall_at_k

__all__ = [
    "BM25Index",
    "DenseIndex",
    "evidence_ids",
    "load_questions",
    "percentile",
    "plot_recall",
    "recall_at_k",
    "run_locomo",
]
