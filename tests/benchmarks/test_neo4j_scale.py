"""The Neo4j scale benchmark on a tiny database: it loads once, measures both libraries on a
large and a small group, and its vector search finds what exact search finds."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.neo4j


def test_the_benchmark_runs_and_reports_recall(
    neo4j_uri: str, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("benchmarks.graphiti_search")  # sets graphiti-core up first
    from benchmarks.neo4j_scale import main

    args = ["--store", neo4j_uri, "--sizes", "240", "--small-groups", "2", "--small-facts", "20"]
    assert main([*args, "--queries", "3", "--rounds", "1", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["size"], r["group"]) for r in rows] == [(240, "large group"), (240, "small group")]
    for row in rows:
        assert row["recall@10"] == {"fact": 1.0, "entity": 1.0}  # exact on groups this small
        for search in ("default", "fast", "graphiti"):
            assert row[search]["p50_ms"] > 0
            assert row[search]["statements"] >= 1
    assert rows[0]["group_size"].endswith("200 fact rows")
    assert main([*args, "--queries", "2", "--rounds", "1"]) == 0  # loaded: not written again
    assert "| 240 | large group" in capsys.readouterr().out
