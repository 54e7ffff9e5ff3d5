"""The LoCoMo retrieval benchmark: evidence recall@k of chronomem against two baselines.

LoCoMo (Maharana et al., ACL 2024; CC BY-NC 4.0) holds long two-person conversations and
questions whose ``evidence`` names the dialogue turns ("D3:5") that answer them. For every
conversation this harness ingests the turns into a fresh memory (only ``conversation`` is
read: the ``observation``, ``event_summary`` and ``session_summary`` annotations would leak
answers and are never touched), asks every question of the chosen categories, and measures:

- **recall@k**: for each question, the fraction of its evidence turns among the turns behind
  the top-k results (a fact counts for every turn in its ``sources``, an episode for its
  own turn; entities carry no turns), averaged over questions, overall and per category;
- **recall@k with a k-turn budget**: the same over the first k *distinct* turns behind the
  ranked results, so a fact with many source turns cannot cover more than k turns in all (the
  budget a turn-retrieval baseline has), with the mean number of turns behind the top k
  (``turns_behind``) to show what plain recall@k spends;
- **session recall@k**: the share of questions with an evidence turn's session among the first
  k sessions behind the results (the form peers publish). Only the top ``max(k)`` results are
  read, so at large k it counts the sessions those cover;
- ingest throughput (turns per second) and search latency (p50/p95 in ms);
- two baselines on the same questions: BM25 (numpy, k1 1.5, b 0.75, lower-case alphanumeric
  tokens) and dense cosine (the memory's embedder), both over single turns
  ``"speaker: text caption"``.

Categories: 1 multi-hop, 2 temporal, 3 open-domain, 4 single-hop (5, adversarial, has no
evidence to retrieve).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

from chronomem.bench.baselines import BM25Index, DenseIndex
from chronomem.bench.metrics import (
    budget_recall_at_k,
    evidence_ids,
    percentile,
    recall_at_k,
    session_recall_at_k,
    turns_behind,
)
from chronomem.config import config_from_env
from chronomem.errors import InputError, SourceFormatError
from chronomem.ingest.sources.jsontext import load_json
from chronomem.ingest.sources.locomo import read_locomo
from chronomem.ingest.sources.turns import DialogueSource, Turn
from chronomem.memory import Memory
from chronomem.query.recipes import DEFAULT as DEFAULT_RECIPE
from chronomem.schema import ResultKind, as_group_id, speaker_line

__all__ = [
    "Question",
    "load_questions",
    "plot_recall",
    "read_conversations",
    "run_locomo",
    "turn_document",
]

MemoryFactory = Callable[[Path], "Memory"]
Progress = Callable[[str], None]

#: Result kinds counted by the benchmark: entities have no source turns.
BENCH_KINDS: tuple[ResultKind, ...] = ("fact", "episode")


@dataclass(frozen=True, slots=True)
class Question:
    """One LoCoMo question with its parsed evidence turn ids."""

    sample_id: str
    question: str
    category: int
    evidence: tuple[str, ...]


def load_questions(item: dict[str, Any], categories: Sequence[int]) -> list[Question]:
    """The questions of one conversation in ``categories`` that have evidence.

    Reads ``sample_id`` and ``qa`` only.
    """
    sample_id = str(item.get("sample_id"))
    questions: list[Question] = []
    qa = item.get("qa")
    for entry in qa if isinstance(qa, list) else []:
        if not isinstance(entry, dict):
            continue
        category = entry.get("category")
        text = entry.get("question")
        if not isinstance(category, int) or category not in categories or not isinstance(text, str):
            continue
        evidence = evidence_ids(entry.get("evidence"))
        if evidence and text.strip():
            questions.append(Question(sample_id, text, category, tuple(evidence)))
    return questions


def turn_document(turn: Turn) -> str:
    """A turn as the baselines index it: ``"speaker: text caption"``."""
    caption = f" {turn.caption}" if turn.caption else ""
    return speaker_line(turn.speaker, f"{turn.text}{caption}")


def _open_memory(directory: Path) -> Memory:
    return Memory.open(directory, config=config_from_env())


@contextmanager
def _fresh_directory() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="chronomem-locomo-") as name:
        yield Path(name)


Metric = Callable[[Sequence[str], Sequence[Sequence[str]], int], float]
_METRICS: dict[str, Metric] = {
    "recall": recall_at_k,
    "recall_turn_budget": budget_recall_at_k,
    "recall_session": session_recall_at_k,
}
"""Each figure reported per k: see :mod:`chronomem.bench.metrics`."""


class _Tally:
    """Sums of every metric per k, overall and per category, and the turns behind the top k."""

    def __init__(self, k_values: Sequence[int], categories: Sequence[int]) -> None:
        self.k_values = tuple(k_values)
        self.sums = {name: dict.fromkeys(self.k_values, 0.0) for name in _METRICS}
        self.turns = dict.fromkeys(self.k_values, 0)
        self.count = 0
        self.by_category = {
            name: {c: dict.fromkeys(self.k_values, 0.0) for c in categories} for name in _METRICS
        }
        self.category_count = dict.fromkeys(categories, 0)

    def add(self, question: Question, sources: Sequence[Sequence[str]]) -> None:
        self.count += 1
        self.category_count[question.category] += 1
        for k in self.k_values:
            self.turns[k] += len(turns_behind(sources, k))
            for name, metric in _METRICS.items():
                value = metric(question.evidence, sources, k)
                self.sums[name][k] += value
                self.by_category[name][question.category][k] += value

    def recall(self, metric: str = "recall") -> dict[str, float]:
        return {str(k): _mean(self.sums[metric][k], self.count) for k in self.k_values}

    def recall_by_category(self, metric: str = "recall") -> dict[str, dict[str, float]]:
        return {
            str(c): {str(k): _mean(v, self.category_count[c]) for k, v in sums.items()}
            for c, sums in self.by_category[metric].items()
        }

    def figures(self) -> dict[str, dict[str, float]]:
        """Every metric per k (the baselines' entry in the result)."""
        return {name: self.recall(name) for name in _METRICS}

    def turns_behind(self) -> dict[str, float]:
        """The mean number of distinct turns behind the top k results, per k."""
        return {str(k): _mean(self.turns[k], self.count) for k in self.k_values}


def _mean(total: float, count: int) -> float:
    return round(total / count, 4) if count else 0.0


def run_locomo(
    path: str | Path,
    *,
    k_values: Sequence[int] = (1, 5, 10, 20),
    categories: Sequence[int] = (1, 2, 3, 4),
    limit_conversations: int | None = None,
    store_factory: MemoryFactory = _open_memory,
    progress: Progress | None = None,
    recipe: str = DEFAULT_RECIPE.name,
) -> dict[str, Any]:
    """Run the benchmark on a LoCoMo JSON file; see the module docstring for what is measured.

    ``store_factory`` opens a fresh :class:`~chronomem.Memory` in an empty directory (default:
    ``Memory.open(directory)`` with the local model and the offline extractor); each
    conversation gets its own. ``recipe`` names the search recipe. Returns::

        {"recall": {"1": r, "5": r, ...}, "recall_turn_budget": {...}, "recall_session": {...},
         "turns_behind": {"1": mean turns, ...},
         "by_category": {"1": {"1": r, ...}, ...}, "by_category_turn_budget": {...},
         "ingest": {"turns": n, "seconds": s, "turns_per_second": r},
         "search": {"queries": n, "p50_ms": x, "p95_ms": x},
         "baselines": {"bm25": {"recall": {...}, "recall_turn_budget": {...},
                                "recall_session": {...}}, "dense": {...}}}

    The three recalls are defined in :mod:`chronomem.bench.metrics`; ``by_category`` and
    ``recall`` keep the meaning they always had (every turn behind the top k results).
    """
    k_values = tuple(sorted(set(k_values)))
    if not k_values or k_values[0] < 1:
        raise InputError(f"k_values must be positive integers, got {k_values!r}")
    say = progress or (lambda _message: None)
    pairs = read_conversations(path)
    if limit_conversations is not None:
        pairs = pairs[:limit_conversations]

    ours, bm25, dense = (_Tally(k_values, categories) for _ in range(3))
    turns_total, ingest_seconds = 0, 0.0
    latencies: list[float] = []
    depth = max(k_values)
    for item, conversation in pairs:
        sample_id = str(item.get("sample_id"))
        questions = load_questions(item, categories)
        with _fresh_directory() as directory:
            memory = store_factory(directory)
            try:
                say(f"{sample_id}: ingesting {len(conversation.turns)} turns")
                started = time.perf_counter()
                memory.add_dialogue(
                    conversation.turns, group_id=_group(sample_id), source=conversation.source
                )
                ingest_seconds += time.perf_counter() - started
                turns_total += len(conversation.turns)
                say(f"{sample_id}: asking {len(questions)} questions")
                for question in questions:
                    started = time.perf_counter()
                    hits = memory.search(
                        question.question,
                        group_id=_group(sample_id),
                        limit=depth,
                        recipe=recipe,
                        kinds=BENCH_KINDS,
                    )
                    latencies.append((time.perf_counter() - started) * 1000.0)
                    ours.add(question, [hit.sources for hit in hits])
                _baselines(conversation, questions, memory, depth, bm25, dense)
            finally:
                memory.close()
    return {
        "recall": ours.recall(),
        "recall_turn_budget": ours.recall("recall_turn_budget"),
        "recall_session": ours.recall("recall_session"),
        "turns_behind": ours.turns_behind(),
        "by_category": ours.recall_by_category(),
        "by_category_turn_budget": ours.recall_by_category("recall_turn_budget"),
        "ingest": {
            "turns": turns_total,
            "seconds": round(ingest_seconds, 3),
            "turns_per_second": round(turns_total / ingest_seconds, 2) if ingest_seconds else 0.0,
        },
        "search": {
            "queries": len(latencies),
            "p50_ms": round(percentile(latencies, 50), 3),
            "p95_ms": round(percentile(latencies, 95), 3),
        },
        "baselines": {"bm25": bm25.figures(), "dense": dense.figures()},
    }


def read_conversations(path: str | Path) -> list[tuple[dict[str, Any], DialogueSource]]:
    """The conversations of a LoCoMo file: each item (for its questions) with its turns."""
    items = _load(Path(path))
    by_id = {
        c.source.removeprefix("locomo:"): c
        for c in read_locomo(items, str(path), UTC, prefix="locomo")
    }
    return [
        (item, by_id[str(item.get("sample_id"))])
        for item in items
        if str(item.get("sample_id")) in by_id
    ]


def _group(sample_id: str) -> str:
    """A valid group id for a conversation (its sample id, unsafe characters replaced)."""
    return as_group_id(sample_id) or "locomo"


def _baselines(
    conversation: DialogueSource,
    questions: Sequence[Question],
    memory: Memory,
    depth: int,
    bm25: _Tally,
    dense: _Tally,
) -> None:
    turns = conversation.turns
    documents = [turn_document(t) for t in turns]
    ids = [[t.id or ""] for t in turns]
    lexical = BM25Index(documents)
    vectors = DenseIndex(documents, memory.embedder)
    dense_tops = vectors.top_many([q.question for q in questions], depth)
    for question, dense_top in zip(questions, dense_tops, strict=True):
        bm25.add(question, [ids[i] for i in lexical.top(question.question, depth)])
        dense.add(question, [ids[i] for i in dense_top])


def _load(path: Path) -> list[dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourceFormatError(f"cannot read: {exc.strerror or exc}", path=str(path)) from None
    data = load_json(text, str(path))
    items = [data] if isinstance(data, dict) else data
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise SourceFormatError("expected a JSON list of LoCoMo conversations", path=str(path))
    return items


def plot_recall(result: dict[str, Any], path: str | Path) -> Path:
    """Draw recall@k with a k-turn budget per category and overall, plain recall@k, and both
    baselines, into an image file."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ks = sorted(result["recall"], key=int)
    x = [int(k) for k in ks]
    figure, axis = plt.subplots(figsize=(7, 4.5))
    budget = result["recall_turn_budget"]
    axis.plot(x, [budget[k] for k in ks], marker="o", linewidth=2.5, label="chronomem, k turns")
    axis.plot(
        x,
        [result["recall"][k] for k in ks],
        marker="o",
        linewidth=1,
        label="chronomem, every turn behind k hits",
    )
    by_category = result["by_category_turn_budget"]
    for category, values in sorted(by_category.items(), key=lambda kv: int(kv[0])):
        axis.plot(
            x, [values[k] for k in ks], marker=".", linestyle=":", label=f"category {category}"
        )
    for name, style in (("bm25", "--"), ("dense", "-.")):
        recall = result["baselines"][name]["recall"]
        axis.plot(x, [recall[k] for k in ks], linestyle=style, color="grey", label=f"{name} turns")
    axis.set_xscale("log")
    axis.set_xticks(x, [str(k) for k in x])
    axis.set_ylim(0, 1)
    axis.set_xlabel("k (results)")
    axis.set_ylabel("evidence recall@k")
    axis.set_title("LoCoMo evidence recall with a k-turn budget (categories by number)")
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8, loc="lower right")
    figure.tight_layout()
    out = Path(path)
    figure.savefig(out, dpi=120)
    plt.close(figure)
    return out
