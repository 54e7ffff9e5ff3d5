"""The store-call profiler on the tiny LoCoMo fixture, embedded store, hashing embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.storecalls import main, profile_store_calls, timed_store
from chronomem.bench.locomo import load_questions, read_conversations
from chronomem.bench.synthetic import SyntheticMemory, TopicEmbedder
from chronomem.engine.embed import HashingEmbedder
from chronomem.errors import InputError
from chronomem.ingest.extract.protocol import Extractor
from chronomem.memory import Memory

FIXTURE = Path(__file__).parent.parent / "unit" / "bench" / "locomo_fixture.json"


def test_every_store_call_of_a_search_is_counted_and_timed(
    tmp_path: Path, spacy_extractor: Extractor
) -> None:
    (item, conversation), *_ = read_conversations(FIXTURE)
    questions = [q.question for q in load_questions(item, (1, 2, 3, 4))]
    with Memory.open(tmp_path / "m", embedder=HashingEmbedder(), extractor=spacy_extractor) as mem:
        report = profile_store_calls(mem, conversation, questions, group_id="g", warm_up=1)
        again = profile_store_calls(mem, conversation, questions, group_id="g", warm_up=0)
        assert mem.stats("g").episodes == len(conversation.turns)  # ingested once

    assert report["searches"] == len(questions)
    assert report["ingest_seconds"] > 0
    assert again["ingest_seconds"] == 0
    calls = report["calls"]
    assert {"fulltext:episode", "fulltext:fact", "vector:episode", "get_episodes"} <= set(calls)
    total = sum(row["calls_per_search"] for row in calls.values())
    assert total == pytest.approx(report["store_calls_per_search"], abs=0.05)
    for row in calls.values():
        assert row["ms_per_call"] > 0
        per_search = row["ms_per_call"] * row["calls_per_search"]
        assert row["ms_per_search"] == pytest.approx(per_search, rel=0.05, abs=0.01)


def test_the_store_gets_its_own_methods_back(tmp_path: Path) -> None:
    with Memory.open(tmp_path / "m", embedder=HashingEmbedder()) as mem:
        store = mem.store
        with timed_store(store) as timings:
            store.groups()
            assert "groups" in vars(store)
        assert timings["groups"]
        assert "groups" not in vars(store)  # the class's method again


def test_no_questions_is_a_clear_error(tmp_path: Path) -> None:
    (_, conversation), *_ = read_conversations(FIXTURE)
    mem = Memory.open(tmp_path / "m", embedder=HashingEmbedder())
    with mem, pytest.raises(InputError, match="no questions"):
        profile_store_calls(mem, conversation, [], group_id="g")


@pytest.mark.model
def test_command_prints_json_and_names_a_missing_conversation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = str(tmp_path / "m")
    args = [str(FIXTURE), "--store", store, "--embedder", "hashing", "--questions", "1"]
    assert main([*args, "--conversation", "conv-b", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["group"], report["searches"]) == ("storecalls-conv-b", 1)
    assert main(args) == 0
    assert "store calls per search" in capsys.readouterr().out
    assert main([*args, "--conversation", "conv-z"]) == 2
    assert "no conversation 'conv-z'" in capsys.readouterr().err


def test_a_group_written_by_the_scale_benchmark_is_profiled_with_its_questions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = str(tmp_path / "m")
    memory = SyntheticMemory(facts=200, seed=4, group_id="scale-g", uuid_prefix="scale-g:")
    with Memory.open(store, embedder=TopicEmbedder()) as mem:
        for batch in memory.batches():
            mem.store.write(batch)
    args = ["--store", store, "--synthetic", "scale-g", "--facts", "200", "--seed", "4"]
    assert main([*args, "--questions", "3", "--recipe", "fast", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["group"], report["recipe"], report["searches"]) == ("scale-g", "fast", 3)
    assert "vector:fact" in report["calls"]
    assert main([*args, "--questions", "2"]) == 0
    assert "2 searches (default) of group scale-g" in capsys.readouterr().out


def test_a_synthetic_group_needs_its_facts_and_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = ["--store", str(tmp_path / "m")]
    assert main([*store, "--synthetic", "scale-g"]) == 2
    assert "--synthetic needs --facts N" in capsys.readouterr().err
    assert main([*store, "--synthetic", "scale-g", "--facts", "100", "--questions", "1"]) == 2
    assert "group 'scale-g' holds no episodes" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(store)  # neither a file nor a group
    assert "one of them" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([str(FIXTURE), *store, "--synthetic", "scale-g"])
