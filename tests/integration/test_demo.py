"""`chronomem demo` (what `make demo` runs): an ended fact and an as-of answer that differs
from the current one, on the embedded store and on Neo4j."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from chronomem.cli import cli

pytestmark = pytest.mark.model  # the demo runs the real extractor and embedder


def _demo(store: str | None) -> dict[str, Any]:
    args = ["demo", "--json"] + (["--store", store] if store else [])
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _lives_in(facts: list[dict[str, Any]]) -> list[str]:
    return [f["object"] for f in facts if f["relation"] == "LIVES_IN"]


def _check(data: dict[str, Any]) -> None:
    assert _lives_in(data["current"]) == ["Berlin"]
    assert _lives_in(data["as_of"]["facts"]) == ["Paris"]
    ended = [f for f in data["history"] if f["invalid_at"] is not None]
    assert {(f["relation"], f["object"]) for f in ended} >= {("LIVES_IN", "Paris")}
    assert data["search"][0]["object"] == "Berlin"


def test_demo_on_the_embedded_store(tmp_path: Path) -> None:
    _check(_demo(str(tmp_path / "demo")))


def test_demo_in_a_temporary_memory() -> None:
    _check(_demo(None))


@pytest.mark.neo4j
def test_demo_on_neo4j(neo4j_uri: str) -> None:
    _check(_demo(neo4j_uri))


def test_demo_never_mixes_into_an_existing_demo_group(tmp_path: Path) -> None:
    """Issue 17, item 11: a second `demo --store` on the same memory added its turns to the
    first one's group; it now uses a fresh group and says so."""
    store = str(tmp_path / "demo")
    first = _demo(store)
    assert first["group"] == "demo"
    second = _demo(store)
    assert second["group"] == "demo-2"
    _check(second)
    assert second["ingest"]["episodes_added"] == first["ingest"]["episodes_added"]
    said = CliRunner().invoke(cli, ["demo", "--store", store])
    assert said.exit_code == 0, said.output
    assert "already holds a 'demo' group; this demo uses the new group 'demo-3'" in said.stdout
