"""The Neo4j scale benchmark (``python -m chronomem.bench neo4j-scale``) on a tiny database: it
loads once, measures chronomem (and graphiti-core when installed) on a large and a small group,
and its vector search finds what exact search finds."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from chronomem.bench.__main__ import main as bench_main

ARGS = ["--sizes", "240", "--small-groups", "2", "--small-facts", "20", "--rounds", "1"]


@pytest.mark.neo4j
def test_the_benchmark_runs_and_reports_recall(
    neo4j_uri: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    graphiti = importlib.util.find_spec("graphiti_core") is not None
    args = ["neo4j-scale", "--store", neo4j_uri, *ARGS]
    plot = tmp_path / "scale.png"
    assert bench_main([*args, "--queries", "3", "--json", "--plot", str(plot)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["size"], r["group"]) for r in rows] == [(240, "large group"), (240, "small group")]
    for row in rows:
        assert row["recall@10"] == {"fact": 1.0, "entity": 1.0}  # exact on groups this small
        for search in ("default", "fast", "graphiti") if graphiti else ("default", "fast"):
            assert row[search]["p50_ms"] > 0
            assert row[search]["statements"] >= 1
        assert ("graphiti" in row) == graphiti
    assert rows[0]["group_size"].endswith("200 fact rows")
    assert plot.stat().st_size > 0
    assert bench_main([*args, "--queries", "2", "--no-graphiti"]) == 0  # loaded: not rewritten
    out = capsys.readouterr().out
    assert "| 240 | large group" in out
    assert "graphiti-core is not installed" not in out  # asked not to time it: no excuse given
    assert "| 240 | large group | fact 1.0, entity 1.0 | 0.0 |" in out


def test_a_wrong_benchmark_or_store_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_main(["nope"]) == 2
    assert "neo4j-scale" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        bench_main(["neo4j-scale", "--store", "/tmp/not-neo4j"])
    assert "must be a neo4j:// or bolt:// URI" in capsys.readouterr().err
