"""``--database`` and ``--user`` of the commands that open a memory: honoured on a Neo4j
store, refused elsewhere; the password comes from the environment or a prompt, never from
the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

import chronomem.cli
from chronomem.cli import cli
from chronomem.config import NEO4J_PASSWORD_VARIABLE, MemoryConfig
from chronomem.engine.store.neo4j import Neo4jStore, cypher
from chronomem.errors import ConfigurationError, InputError
from chronomem.memory import Memory


class OpenedError(Exception):
    """Raised by the fake ``Memory.open`` once it has seen its arguments."""


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, MemoryConfig]]:
    """The store and configuration of every memory the command opens (none is opened)."""
    seen: list[tuple[str, MemoryConfig]] = []

    def fake_open(target: str, *, config: MemoryConfig, **_: Any) -> None:
        seen.append((target, config))
        raise OpenedError

    monkeypatch.setattr(Memory, "open", fake_open)
    monkeypatch.delenv(NEO4J_PASSWORD_VARIABLE, raising=False)
    monkeypatch.delenv("NEO4J_USER", raising=False)
    monkeypatch.delenv("NEO4J_DATABASE", raising=False)
    return seen


def test_the_options_reach_the_store_with_the_password_from_the_environment(
    opened: list[tuple[str, MemoryConfig]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(NEO4J_PASSWORD_VARIABLE, "from-env")
    args = ["stats", "--store", "neo4j://db:7687", "--database", "sales", "--user", "ann"]
    result = CliRunner().invoke(cli, args)
    assert isinstance(result.exception, OpenedError)
    [(store, config)] = opened
    assert store == "neo4j://db:7687"
    assert config.neo4j_database == "sales"
    assert config.neo4j_auth == ("ann", "from-env")


def test_a_user_without_a_password_is_asked_for_it_at_a_terminal(
    opened: list[tuple[str, MemoryConfig]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chronomem.cli, "_interactive", lambda: True)
    result = CliRunner().invoke(cli, ["groups", "--store", "neo4j://ann@db"], input="typed\n")
    assert isinstance(result.exception, OpenedError)
    assert "Neo4j password for ann at neo4j://ann@db" in result.output
    assert "typed" not in result.output  # hidden input
    assert opened[0][1].neo4j_auth == ("ann", "typed")


def test_a_user_without_a_password_and_no_terminal_is_refused(
    opened: list[tuple[str, MemoryConfig]],
) -> None:
    result = CliRunner().invoke(cli, ["groups", "--store", "bolt://db", "--user", "ann"])
    assert isinstance(result.exception, InputError)
    assert f"set {NEO4J_PASSWORD_VARIABLE}" in str(result.exception)
    assert not opened


def test_a_password_on_the_command_line_is_refused_and_not_repeated(
    opened: list[tuple[str, MemoryConfig]],
) -> None:
    for args in (
        ["groups", "--store", "neo4j://ann:hunter22@db/sales"],
        ["export", "--store", "neo4j://db", "--to", "bolt://ann:hunter22@other"],
    ):
        result = CliRunner().invoke(cli, args)
        assert isinstance(result.exception, InputError), result.output
        assert "holds a password" in str(result.exception)
        assert "hunter22" not in str(result.exception)
    assert not opened


def test_the_options_are_refused_for_a_memory_directory(
    opened: list[tuple[str, MemoryConfig]], tmp_path: Path
) -> None:
    for option in (["--database", "sales"], ["--user", "ann"]):
        result = CliRunner().invoke(cli, ["stats", "--store", str(tmp_path), *option])
        assert isinstance(result.exception, InputError)
        assert "apply to a Neo4j store" in str(result.exception)
    assert not opened


def test_export_to_neo4j_takes_the_options_for_its_destination(
    opened: list[tuple[str, MemoryConfig]], tmp_path: Path
) -> None:
    args = ["export", "--store", str(tmp_path), "--to", "neo4j://db", "--database", "sales"]
    result = CliRunner().invoke(cli, args)
    assert isinstance(result.exception, OpenedError)
    assert opened[0][1].neo4j_database == "sales"


@pytest.fixture
def server_login(neo4j_auth: tuple[str, str] | None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test server's credentials where the CLI reads them (none: auth is off)."""
    if neo4j_auth is not None:
        monkeypatch.setenv("NEO4J_USER", neo4j_auth[0])
        monkeypatch.setenv(NEO4J_PASSWORD_VARIABLE, neo4j_auth[1])


@pytest.mark.neo4j
@pytest.mark.usefixtures("server_login")
def test_a_database_the_server_lacks_is_one_clear_error(neo4j_uri: str) -> None:
    refused = CliRunner().invoke(cli, ["groups", "--store", neo4j_uri, "--database", "nope-db"])
    assert isinstance(refused.exception, ConfigurationError)
    assert "no database 'nope-db'" in str(refused.exception)
    in_path = CliRunner().invoke(cli, ["groups", "--store", f"{neo4j_uri}/nope-db"])
    assert isinstance(in_path.exception, ConfigurationError)
    routed = f"neo4j://{urlsplit(neo4j_uri).netloc}"
    served = CliRunner().invoke(cli, ["groups", "--store", routed, "--database", "neo4j"])
    assert served.exit_code == 0, served.output


@pytest.mark.neo4j
@pytest.mark.usefixtures("server_login")
def test_reindex_rebuilds_a_neo4j_stores_vector_indexes(
    neo4j_uri: str, neo4j_auth: tuple[str, str] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    rebuilt: list[str] = []
    real = Neo4jStore.rebuild_vector_indexes

    def spied(store: Neo4jStore, progress: Any = None) -> None:
        rebuilt.append(store.uri)
        real(store, progress)

    monkeypatch.setattr(Neo4jStore, "rebuild_vector_indexes", spied)
    done = CliRunner().invoke(cli, ["reindex", "--store", neo4j_uri, "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["seconds"] >= 0
    assert rebuilt == [neo4j_uri]
    with Neo4jStore(neo4j_uri, auth=neo4j_auth, read_only=True) as store:
        states = store._live_driver().execute_query(
            cypher.VECTOR_INDEX_STATES, names=list(cypher.VECTOR_INDEX_NAMES)
        )
    assert sorted(r["state"] for r in states.records) == ["ONLINE"] * 4


def test_reindex_is_refused_for_a_memory_directory(tmp_path: Path) -> None:
    refused = CliRunner().invoke(cli, ["reindex", "--store", str(tmp_path)])
    assert isinstance(refused.exception, InputError)
    assert "is an embedded memory" in str(refused.exception)
