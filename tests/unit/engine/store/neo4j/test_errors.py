"""Driver errors become chronomem errors at the boundary, with messages that say what to do."""

from __future__ import annotations

import socket
import time

import pytest

from chronomem.engine.store.neo4j import Neo4jStore
from chronomem.engine.store.neo4j.boundary import start_hint
from chronomem.errors import ConfigurationError, StoreError, StoreUnavailableError


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.mark.parametrize("scheme", ["bolt", "neo4j"])
def test_unreachable_server_fails_fast_and_says_how_to_start_one(scheme: str) -> None:
    uri = f"{scheme}://127.0.0.1:{free_port()}"
    started = time.monotonic()
    with pytest.raises(StoreUnavailableError) as caught:
        Neo4jStore(uri, connection_timeout=2.0)
    assert time.monotonic() - started < 10
    message = str(caught.value)
    assert uri in message
    port = uri.rsplit(":", 1)[1]
    assert f"start the Neo4j server that should listen on 127.0.0.1:{port}" in message
    assert "7687" not in message  # the hint names the address used, not the default port


@pytest.mark.parametrize("uri", ["bolt://127.0.0.1:7687", "neo4j://localhost", "bolt://[::1]:7687"])
def test_the_local_server_is_suggested_for_its_own_address(uri: str) -> None:
    hint = start_hint(uri)
    assert "make neo4j-start" in hint
    assert "tools/neo4j-local" in hint
    assert "tools/neo4j-local" not in start_hint("bolt://db.example.com:7687")


@pytest.mark.parametrize("uri", ["http://127.0.0.1:7474", "not a uri", "bolt://127.0.0.1:notaport"])
def test_malformed_uri_is_a_configuration_error(uri: str) -> None:
    with pytest.raises((ConfigurationError, StoreUnavailableError)):
        Neo4jStore(uri, connection_timeout=1.0)


@pytest.mark.neo4j
def test_closed_store_refuses_use(neo4j_uri: str, neo4j_auth: tuple[str, str] | None) -> None:
    store = Neo4jStore(neo4j_uri, auth=neo4j_auth)
    store.close()
    store.close()  # closing twice is harmless
    with pytest.raises(StoreError, match="closed"):
        store.stats()
