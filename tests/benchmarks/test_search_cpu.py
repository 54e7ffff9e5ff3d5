"""The per-search CPU benchmark on the tiny LoCoMo fixture, on Neo4j."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks.search_cpu import _server_cpu, main

FIXTURE = Path(__file__).parent.parent / "unit" / "bench" / "locomo_fixture.json"


def test_a_process_cpu_is_read_from_proc() -> None:
    assert _server_cpu(None) == 0.0
    before = _server_cpu(os.getpid())
    sum(i * i for i in range(2_000_000))
    assert _server_cpu(os.getpid()) > before


@pytest.mark.neo4j
def test_each_search_gets_a_row_with_its_cpu(
    neo4j_uri: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--store", neo4j_uri, "--locomo", str(FIXTURE), "--rounds", "1", "--threads", "2"]
    assert main([*args, "--server-pid", str(os.getpid())]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| chronomem")]
    assert len(rows) == 2
    for row in rows:
        wall, client, server = (float(cell) for cell in row.split("|")[2:5])
        assert min(wall, client, server) > 0
    assert "graphiti" in out
    assert "searches/s: " in out
