"""The ``chronomem`` command: help for every command, JSON shapes, clear errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from chronomem.cli import cli
from chronomem.errors import InputError

TURNS = [
    {"speaker": "Alice", "text": "I live in Paris.", "time": "2023-01-10T09:00:00Z", "id": "t1"},
    {"speaker": "Bob", "text": "I work at Acme.", "time": "2023-01-10T09:01:00Z", "id": "t2"},
    {"speaker": "Alice", "text": "I moved to Berlin.", "time": "2023-06-05T09:00:00Z", "id": "t3"},
]
RESULT_KEYS = {
    "kind",
    "text",
    "score",
    "subject",
    "relation",
    "object",
    "valid_at",
    "invalid_at",
    "created_at",
    "expired_at",
    "episodes",
}


def _commands(group: click.Group, prefix: str = "") -> Iterator[tuple[str, click.Command]]:
    for name, command in group.commands.items():
        yield f"{prefix}{name}", command
        if isinstance(command, click.Group):
            yield from _commands(command, f"{prefix}{name} ")


@pytest.mark.parametrize(("name", "command"), list(_commands(cli)))
def test_every_command_has_help(name: str, command: click.Command) -> None:
    assert command.help, f"`chronomem {name}` has no help text"
    result = CliRunner().invoke(cli, [*name.split(), "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"option {param.name} of `chronomem {name}` has no help"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A memory ingested by the command with the real models: its tests are marked model."""
    tmp = tmp_path_factory.mktemp("cli")
    turns = tmp / "turns.jsonl"
    turns.write_text("\n".join(json.dumps(t) for t in TURNS) + "\n")
    target = str(tmp / "memory")
    result = CliRunner().invoke(
        cli, ["ingest", "dialogue", str(turns), "--store", target, "--group", "g", "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["conversations"][0]["episodes_added"] == 3
    return target


def _json(args: list[str]) -> Any:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.model
def test_search_json_shape(store: str) -> None:
    hits = _json(["search", "Where does Alice live?", "--store", store, "--group", "g", "--json"])
    assert isinstance(hits, list)
    assert hits
    for hit in hits:
        assert set(hit) >= RESULT_KEYS
        assert hit["kind"] in {"fact", "entity", "episode"}
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)
    paris = [h for h in hits if h["kind"] == "fact" and h["object"] == "Paris"]
    assert paris
    assert all(h["invalid_at"] is not None for h in paris)  # ended: never shown as current


@pytest.mark.model
def test_facts_as_of_and_current(store: str) -> None:
    base = ["facts", "--store", store, "--group", "g", "--subject", "Alice", "--json"]
    now = _json([*base, "--relation", "LIVES_IN"])
    then = _json([*base, "--relation", "LIVES_IN", "--as-of", "2023-03-01T00:00:00Z"])
    assert [f["object"] for f in now] == ["Berlin"]
    assert [f["object"] for f in then] == ["Paris"]


@pytest.mark.model
def test_history_and_stats_json(store: str) -> None:
    timeline = _json(["history", "Alice", "--store", store, "--group", "g", "--json"])
    assert isinstance(timeline, list)
    assert len(timeline) >= 2
    assert all(set(row) >= RESULT_KEYS for row in timeline)
    stats = _json(["stats", "--store", store, "--json"])
    assert stats == stats | {"episodes": 3}
    assert {"episodes", "entities", "facts", "current_facts"} <= set(stats)


@pytest.mark.model
def test_search_and_context_take_the_asking_speaker(store: str) -> None:
    args = ["Where do I work?", "--store", store, "--group", "g", "--speaker", "Bob"]
    hits = _json(["search", *args, "--json"])
    assert isinstance(hits, list)
    assert hits[0]["subject"] == "Bob"
    assert hits[0]["object"] == "Acme"
    result = CliRunner().invoke(cli, ["context", *args])
    assert result.exit_code == 0, result.output
    assert "Acme" in result.output


@pytest.mark.model
def test_export_reembed_copies_everything(store: str, tmp_path: Path) -> None:
    from chronomem import Memory

    target = str(tmp_path / "copy")
    counts = _json(["export", "--store", store, "--to", target, "--reembed", "--json"])
    assert isinstance(counts, dict)
    assert (counts["to"], counts["groups"], counts["episodes"]) == (target, 1, 3)
    with Memory.open(store) as old, Memory.open(target) as new:
        assert new.stats() == old.stats()
        uuids = [e.uuid for e in old.store.dump("g").episodes]
        mine = {e.uuid: e.content_embedding for e in old.store.get_episodes("g", uuids)}
        theirs = {e.uuid: e.content_embedding for e in new.store.get_episodes("g", uuids)}
    assert theirs.keys() == mine.keys()
    for uuid, vector in theirs.items():  # this version's vectors both times
        assert vector == pytest.approx(mine[uuid], abs=1e-5)


@pytest.mark.model
def test_naive_as_of_is_a_clear_error(store: str) -> None:
    from chronomem.cli import main

    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "facts",
            "--store",
            store,
            "--subject",
            "Alice",
            "--group",
            "g",
            "--as-of",
            "2023-03-01T10:00",
        ],
    )
    assert result.exit_code != 0
    assert "timezone" in str(result.exception)
    assert callable(main)


def test_bad_jsonl_reports_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(TURNS[0]) + "\n{not json\n")
    result = CliRunner().invoke(
        cli, ["ingest", "dialogue", str(bad), "--store", str(tmp_path / "m")]
    )
    assert result.exit_code != 0
    assert "bad.jsonl:2" in str(result.exception)


@pytest.mark.model
def test_ingest_records_shows_progress_on_stderr(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2] / "examples" / "crm"
    args = ["ingest", "records", str(root / "customers.csv"), "--mapping"]
    args += [str(root / "mapping.yaml"), "--store", str(tmp_path / "m"), "--group", "crm"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "records added" in result.stdout
    assert "record/s" in result.stderr  # the bar counts records and their rate
    quiet = CliRunner().invoke(cli, [*args, "--json"])
    assert json.loads(quiet.stdout)["episodes_skipped"] > 0
    assert "record/s" not in quiet.stderr


@pytest.mark.model
def test_timeline_plot_of_a_year_0001_fact_and_a_bad_extension(tmp_path: Path) -> None:
    """Issue 17, item 9: both were tracebacks. A fact from year 1 plots; an unsupported
    extension is one InputError (the CLI's one `error:` line, exit 2) and writes nothing."""
    turns = tmp_path / "turns.jsonl"
    early = {**TURNS[0], "time": "0001-01-10T09:00:00Z"}
    turns.write_text("\n".join(json.dumps(t) for t in (early, TURNS[2])) + "\n")
    store = str(tmp_path / "memory")
    ingested = CliRunner().invoke(cli, ["ingest", "dialogue", str(turns), "--store", store])
    assert ingested.exit_code == 0, ingested.output
    picture = tmp_path / "alice.png"
    result = CliRunner().invoke(
        cli, ["timeline", "Alice", "--store", store, "--plot", str(picture)]
    )
    assert result.exit_code == 0, result.output
    assert picture.read_bytes().startswith(b"\x89PNG")
    wrong = tmp_path / "alice.xyz"
    refused = CliRunner().invoke(cli, ["timeline", "Alice", "--store", store, "--plot", str(wrong)])
    assert isinstance(refused.exception, InputError)
    assert "alice.xyz: cannot save a figure as .xyz" in str(refused.exception)
    assert not wrong.exists()
