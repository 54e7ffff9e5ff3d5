"""The soak test in its short form: ingest and search concurrently for ~12 s on the embedded
store. The long form is ``python -m benchmarks.soak`` (see docs/reliability.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.soak import main, rss_kib, run_soak, synthetic_queries, synthetic_turns
from chronomem.engine.embed import HashingEmbedder
from chronomem.errors import ConfigurationError
from chronomem.ingest.extract.protocol import Extractor

MIB = 1024


def test_short_soak_runs_clean_with_bounded_memory(
    tmp_path: Path, spacy_extractor: Extractor
) -> None:
    report = run_soak(
        tmp_path / "soak",
        12,
        searchers=2,
        batch_size=16,
        embedder=HashingEmbedder(),
        extractor=spacy_extractor,
    )
    assert report["errors"] == 0, report["first_errors"]
    assert report["backend"] == "embedded"
    assert 12 <= report["seconds"] < 40
    assert report["turns"] >= 64  # at least four batches in 12 s, even on a loaded machine
    assert report["stats"]["episodes"] == report["turns"]  # every reported turn is stored
    assert report["searches"] >= 10
    assert 0 < report["search_ms_p50"] <= report["search_ms_p95"] <= report["search_ms_max"]
    assert report["search_ms_p95"] < 5_000
    assert report["rss_growth_kib"] < 200 * MIB
    assert report["rss_peak_kib"] >= report["rss_end_kib"] > 0
    json.dumps(report)  # the report is plain JSON


def test_synthetic_dialogue_is_deterministic_and_resumable() -> None:
    turns = synthetic_turns(30)
    assert turns == synthetic_turns(30)
    assert turns[10:] == synthetic_turns(20, start=10)
    assert len({t["id"] for t in turns}) == 30
    assert [t["time"] for t in turns] == sorted(t["time"] for t in turns)
    assert synthetic_turns(5, seed=1) != synthetic_turns(5, seed=2)
    assert len(synthetic_queries(7)) == 7


def test_soak_refuses_remote_neo4j_and_bad_durations(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="only against a Neo4j on this machine"):
        run_soak("bolt://10.1.2.3:7687", 5)
    with pytest.raises(ConfigurationError, match="seconds must be positive"):
        run_soak(tmp_path / "soak", 0)
    assert main(["--store", "neo4j://db.example.org:7687", "--seconds", "1"]) == 2


def test_rss_is_read_from_proc() -> None:
    assert rss_kib() > 10 * MIB
    assert rss_kib("VmHWM") >= rss_kib() - MIB
    assert rss_kib("NoSuchField") == 0
