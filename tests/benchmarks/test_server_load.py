"""The server load test in its short form: ``chronomem serve`` (with the fakes) as a process,
one then two clients searching for two seconds while one ingests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.server_load import main, run_load


@pytest.mark.slow
def test_short_load_run(tmp_path: Path) -> None:
    report = run_load(tmp_path / "load", clients=[1, 2], seconds=2, preload=40, batch=5, fakes=True)
    assert report["preloaded_episodes"] == 40
    assert [step["clients"] for step in report["steps"]] == [1, 2]
    for step in report["steps"]:
        assert step["errors"] == {}
        assert step["searches"] > 0
        assert step["ingest_requests"] > 0
        assert step["ingest_turns_per_second"] > 0
        search = step["search"]
        assert 0 < search["p50_ms"] <= search["p95_ms"] <= search["p99_ms"] <= search["max_ms"]
    json.dumps(report)


def test_the_command_refuses_an_unbounded_run(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["--store", str(tmp_path / "x"), "--clients", "100"])
    with pytest.raises(SystemExit):
        main(["--store", str(tmp_path / "x"), "--seconds", "3600"])
