"""Which ``--store`` values name a Neo4j server: the schemes the Neo4j store accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from chronomem.engine.store.factory import NEO4J_SCHEMES, is_neo4j_uri
from chronomem.engine.store.neo4j import Neo4jStore
from chronomem.errors import ConfigurationError


@pytest.mark.parametrize("scheme", NEO4J_SCHEMES)
def test_every_neo4j_scheme_names_a_server(scheme: str) -> None:
    assert is_neo4j_uri(f"{scheme}://db.example.org:7687")
    assert is_neo4j_uri(f"{scheme.upper()}://db.example.org:7687")


@pytest.mark.parametrize("target", ["./memory", "http://db.example.org:7474", "neo4j:/x"])
def test_anything_else_names_a_directory(target: str) -> None:
    assert not is_neo4j_uri(target)
    assert not is_neo4j_uri(Path("bolt://x"))


def test_the_neo4j_store_refuses_what_the_factory_would_not_send_it() -> None:
    with pytest.raises(ConfigurationError, match="the scheme must be one of bolt, bolt\\+s, "):
        Neo4jStore("http://127.0.0.1:7474")
