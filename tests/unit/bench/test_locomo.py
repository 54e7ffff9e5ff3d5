"""The LoCoMo harness on a tiny hand-made fixture with known answers."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

import chronomem.bench.locomo as locomo
from chronomem.bench import load_questions, plot_recall, run_locomo
from chronomem.engine.embed import HashingEmbedder
from chronomem.ingest.sources.turns import Turn
from chronomem.memory import Memory
from chronomem.schema import Episode, SearchResult

FIXTURE = Path(__file__).with_name("locomo_fixture.json")
ANNOTATIONS = {"observation", "event_summary", "session_summary"}
SCRIPTED = [["D1:2"], ["D1:1", "D1:3"], ["D2:3"], ["D1:4"]]


class ScriptedMemory:
    """Stands in for Memory: records what it ingests, answers every question with SCRIPTED."""

    def __init__(self) -> None:
        self.embedder = HashingEmbedder()
        self.turns: list[Turn] = []
        self.groups: set[str] = set()
        self.searches: list[dict[str, Any]] = []

    def add_dialogue(self, turns: Sequence[Turn], *, group_id: str, source: str) -> None:
        self.turns.extend(turns)
        self.groups.add(group_id)

    def search(self, query: str, **options: Any) -> list[SearchResult]:
        self.searches.append({"query": query, **options})
        return [
            SearchResult(kind="fact", uuid=str(i), text="x", score=1.0, group_id="g", sources=s)
            for i, s in enumerate(SCRIPTED)
        ]

    def close(self) -> None:
        pass


def _run_scripted(**options: Any) -> tuple[dict[str, Any], list[ScriptedMemory]]:
    opened: list[ScriptedMemory] = []

    def factory(directory: Path) -> ScriptedMemory:
        assert directory.is_dir()
        opened.append(ScriptedMemory())
        return opened[-1]

    result = run_locomo(FIXTURE, k_values=(1, 2, 3, 5), store_factory=factory, **options)  # type: ignore[arg-type]
    return result, opened


def test_recall_matches_hand_computed_values() -> None:
    result, _ = _run_scripted()
    assert result["recall"] == pytest.approx({"1": 0.25, "2": 0.75, "3": 0.8333, "5": 1.0})
    assert result["by_category"] == {
        "1": pytest.approx({"1": 0.25, "2": 0.75, "3": 1.0, "5": 1.0}),
        "2": pytest.approx({"1": 1.0, "2": 1.0, "3": 1.0, "5": 1.0}),
        "3": pytest.approx({"1": 0.0, "2": 0.0, "3": 0.0, "5": 1.0}),
        "4": pytest.approx({"1": 0.0, "2": 1.0, "3": 1.0, "5": 1.0}),
    }


def test_a_turn_budget_counts_at_most_k_turns_behind_the_top_k() -> None:
    # SCRIPTED's top 2 results stand on 3 turns (D1:2, D1:1, D1:3): plain recall@2 counts all
    # three, the budget only the first two, so question 3 (D1:3, D2:3) scores 0.5 and 0.
    result, _ = _run_scripted()
    assert result["recall_turn_budget"] == pytest.approx(
        {"1": 0.25, "2": 0.6667, "3": 0.75, "5": 1.0}
    )
    assert result["turns_behind"] == {"1": 1.0, "2": 3.0, "3": 4.0, "5": 5.0}
    assert result["by_category_turn_budget"]["1"] == pytest.approx(
        {"1": 0.25, "2": 0.5, "3": 0.75, "5": 1.0}
    )
    # Every question has evidence in session D1, the first session behind the top result.
    assert result["recall_session"] == {"1": 1.0, "2": 1.0, "3": 1.0, "5": 1.0}


def test_the_baselines_spend_one_turn_per_result() -> None:
    result, _ = _run_scripted()
    for baseline in result["baselines"].values():
        assert baseline["recall_turn_budget"] == baseline["recall"]


def test_output_has_exactly_the_documented_shape() -> None:
    result, _ = _run_scripted()
    assert set(result) == {
        "recall",
        "recall_turn_budget",
        "recall_session",
        "turns_behind",
        "by_category",
        "by_category_turn_budget",
        "ingest",
        "search",
        "baselines",
    }
    assert set(result["ingest"]) == {"turns", "seconds", "turns_per_second"}
    assert set(result["search"]) == {"queries", "p50_ms", "p95_ms"}
    assert set(result["baselines"]) == {"bm25", "dense"}
    assert all(
        set(b) == {"recall", "recall_turn_budget", "recall_session"}
        for b in result["baselines"].values()
    )
    assert result["ingest"]["turns"] == 9
    assert result["search"]["queries"] == 6  # category 5 and evidence "D" are left out
    assert 0 <= result["search"]["p50_ms"] <= result["search"]["p95_ms"]


def test_each_conversation_gets_a_fresh_memory_and_its_own_group() -> None:
    _, opened = _run_scripted()
    assert [m.groups for m in opened] == [{"conv-a"}, {"conv-b"}]
    assert [len(m.turns) for m in opened] == [7, 2]
    captioned = next(t for t in opened[0].turns if t.id == "D1:4")
    assert captioned.caption == "a loaf of sourdough bread on a table"
    assert all(s["group_id"] in {"conv-a", "conv-b"} and s["limit"] == 5 for m in opened
               for s in m.searches)  # fmt: skip


def test_limit_conversations_and_categories() -> None:
    result, opened = _run_scripted(limit_conversations=1, categories=(2,))
    assert len(opened) == 1
    assert result["search"]["queries"] == 1
    assert set(result["by_category"]) == {"2"}
    assert result["recall"]["1"] == 1.0


def test_bm25_baseline_finds_turns_that_share_words_with_the_question() -> None:
    result, _ = _run_scripted()
    bm25 = result["baselines"]["bm25"]["recall"]
    # Every fixture question shares a rare word with its evidence turns, and no conversation
    # has more than 7 turns; "Clara"/"Lisbon" appear in both evidence turns of question 3.
    assert bm25["5"] == 1.0
    assert bm25["1"] >= 0.75


class _Guarded(dict[str, Any]):
    """A conversation object that fails on any read of the annotations."""

    def __getitem__(self, key: str) -> Any:
        if key in ANNOTATIONS:
            raise AssertionError(f"the harness read {key!r}")
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        if key in ANNOTATIONS:
            raise AssertionError(f"the harness read {key!r}")
        return super().get(key, default)

    def items(self) -> Any:
        raise AssertionError("the harness iterated over a whole conversation object")

    def values(self) -> Any:
        raise AssertionError("the harness iterated over a whole conversation object")


def test_annotations_are_never_read(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = json.loads(FIXTURE.read_text())
    monkeypatch.setattr(locomo, "_load", lambda path: [_Guarded(item) for item in raw])
    result, _ = _run_scripted()
    assert result["search"]["queries"] == 6


def test_load_questions_parses_malformed_evidence() -> None:
    item = json.loads(FIXTURE.read_text())[0]
    questions = load_questions(item, (1, 2, 3, 4, 5))
    evidence = {q.question: q.evidence for q in questions}
    assert evidence["Where does Ann's sister Clara live?"] == ("D1:3", "D2:3")
    assert evidence["What sourdough bread would Ben bake?"] == ("D1:4",)
    assert "What did Ann chew?" not in evidence  # evidence "D" has no turn id


class _NoFacts:
    """An extractor that finds nothing: the memory holds episodes only."""

    name = "no-facts"

    def extract(self, episodes: Sequence[Episode]) -> list[Any]:
        from chronomem.ingest.extract.protocol import Extraction

        return [Extraction(episode_uuid=e.uuid) for e in episodes]


def test_runs_end_to_end_on_real_memories(tmp_path: Path) -> None:
    def factory(directory: Path) -> Memory:
        return Memory.open(directory, embedder=HashingEmbedder(), extractor=_NoFacts())

    result = run_locomo(FIXTURE, k_values=(1, 5), store_factory=factory)
    assert result["ingest"]["turns"] == 9
    assert result["search"]["queries"] == 6
    assert result["recall"]["5"] >= result["recall"]["1"] > 0.5
    out = plot_recall(result, tmp_path / "recall.png")
    assert out.stat().st_size > 1000
