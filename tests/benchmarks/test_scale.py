"""The scale benchmark: its synthetic memory, its embedder and the shape of its report."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from benchmarks.scale import (
    SyntheticMemory,
    TopicEmbedder,
    main,
    run_scale,
    synthetic_queries,
)
from chronomem.engine.store.embedded import EmbeddedStore

PATHS = (
    "search_default",
    "search_fast",
    "fulltext_fact",
    "fulltext_fact_common",
    "vector_fact",
    "numpy_exact_fact",
)


def test_run_scale_reports_every_size_and_path() -> None:
    result = run_scale(sizes=(500, 2000), queries=20)

    assert result["machine"]["cpus"] >= 1
    assert result["config"]["queries"] == 20
    assert [row["facts"] for row in result["sizes"]] == [500, 2000]
    for row in result["sizes"]:
        assert row["entities"] == max(40, row["facts"] // 10)
        assert row["episodes"] == row["facts"] // 2
        assert row["build"]["write_s"] > 0
        assert row["build"]["vector_index_s"] >= 0
        assert set(row["search"]) == set(PATHS)
        for summary in row["search"].values():
            assert set(summary) == {"p50_ms", "p95_ms", "mean_ms", "max_ms"}
            assert 0 < summary["p50_ms"] <= summary["p95_ms"] <= summary["max_ms"]
        assert 0.9 <= row["vector_recall_at_10"] <= 1.0  # exact search below the ANN threshold
        assert row["ann"] is False
    json.dumps(result)  # serialisable as it is


def test_the_synthetic_memory_is_deterministic_and_realistic(tmp_path: Path) -> None:
    first = list(SyntheticMemory(400, seed=3).batches())
    again = list(SyntheticMemory(400, seed=3).batches())
    facts = [f for b in first for f in b.facts]

    assert [f.fact for f in facts] == [f.fact for b in again for f in b.facts]
    assert len(facts) == 400
    assert len({f.relation for f in facts}) >= 6
    assert any(f.expired_at is not None for f in facts)
    assert any(f.invalid_at is not None for f in facts)
    assert any(f.valid_at is None for f in facts)
    assert len({f.valid_at.year for f in facts if f.valid_at is not None}) >= 10
    memory = SyntheticMemory(400, seed=3)
    with EmbeddedStore(tmp_path / "m") as store:
        memory.build(store)
        stats = store.stats("scale")
    assert (stats.facts, stats.entities, stats.episodes) == (400, memory.entity_count, 200)
    assert {f.subject_uuid for f in facts} | {f.object_uuid for f in facts} <= {
        u for kind in memory.uuids.values() for u in kind
    }


def test_topic_embeddings_are_unit_vectors_close_for_shared_words() -> None:
    embedder = TopicEmbedder()
    vectors = embedder.embed(
        ["Alice Moreno lives in Velmora.", "Where does Alice Moreno live?", "Kayaking in Oslo", ""]
    )

    assert vectors.shape == (4, 384)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > 0.5 > vectors[0] @ vectors[2]
    assert np.array_equal(embedder.embed(["Kayaking in Oslo"])[0], vectors[2])


def test_queries_name_entities_of_the_memory() -> None:
    memory = SyntheticMemory(1000)
    queries = synthetic_queries(memory, 40)
    names = [n for kind in memory.names.values() for n in kind]

    assert len(queries) == 40
    assert sum(any(name in q for name in names) for q in queries) >= 30


def test_the_command_line_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--sizes", "300", "--queries", "5", "--json"])

    printed = json.loads(capsys.readouterr().out)
    assert printed["sizes"][0]["facts"] == 300
