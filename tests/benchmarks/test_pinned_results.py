"""The pinned-reads comparison on the tiny LoCoMo fixture, on Neo4j."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.pinned_results import main
from chronomem.query.recipes import RECIPES

FIXTURE = Path(__file__).parent.parent / "unit" / "bench" / "locomo_fixture.json"


@pytest.mark.neo4j
def test_every_recipe_gets_a_row_and_the_pinned_reads_send_fewer_statements(
    neo4j_uri: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--store", neo4j_uri, "--locomo", str(FIXTURE), "--questions", "3"]) == 0
    rows = [line.split(" | ") for line in capsys.readouterr().out.splitlines()]
    rows = [row for row in rows if row[0].lstrip("| ") in RECIPES]
    assert len(rows) == len(RECIPES)
    for _, searches, identical, pinned, server in rows:
        assert int(searches) > 0
        assert identical == searches
        assert float(pinned) < float(server.rstrip(" |"))
