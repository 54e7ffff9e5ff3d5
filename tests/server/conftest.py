"""Fixtures of the server tests: a memory on each backend, keys, the app in-process, and a
real uvicorn server on a free localhost port.

Memories use the hashing embedder and the rules extractor: no model is loaded. On Neo4j every
test writes under group ids no other test uses (the database is shared and never wiped).
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from chronomem.engine.embed import HashingEmbedder
from chronomem.ingest.extract.fake import FunctionExtractor
from chronomem.memory import Memory
from chronomem.server.api import ServerSettings, create_app
from chronomem.server.keys import KeyRing

BACKENDS = [
    pytest.param("embedded", id="embedded"),
    pytest.param("neo4j", id="neo4j", marks=pytest.mark.neo4j),
]

TURNS = [
    {"speaker": "Alice", "text": "I live in Paris.", "time": "2023-01-10T09:00:00Z", "id": "t1"},
    {"speaker": "Alice", "text": "I work at Acme.", "time": "2023-01-11T09:00:00Z", "id": "t2"},
    {"speaker": "Alice", "text": "I moved to Berlin.", "time": "2023-06-05T09:00:00Z", "id": "t3"},
]


def open_memory(backend: str, request: pytest.FixtureRequest, directory: Path) -> Memory:
    """A memory of ``backend`` with the fakes (no model)."""
    fakes = {"embedder": HashingEmbedder(), "extractor": FunctionExtractor()}
    if backend == "inmemory":
        return Memory.open("memory://", **fakes)  # type: ignore[arg-type]
    if backend == "embedded":
        return Memory.open(directory, **fakes)  # type: ignore[arg-type]
    from chronomem.config import MemoryConfig

    uri: str = request.getfixturevalue("neo4j_uri")
    auth = request.getfixturevalue("neo4j_auth")
    return Memory.open(uri, config=MemoryConfig(neo4j_auth=auth), **fakes)  # type: ignore[arg-type]


def unique(name: str) -> str:
    """A group id no other test run uses."""
    return f"{name}-{uuid.uuid4().hex[:10]}"


@dataclass
class Tenants:
    """Two tenants of one memory, each with its own key, and an admin key."""

    group_a: str
    group_b: str
    key_a: str
    key_b: str
    admin: str
    keys: KeyRing

    def auth(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture(scope="module")
def memory(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Memory]:
    """One memory per backend and test module; tests keep apart by their own group ids."""
    directory = tmp_path_factory.mktemp("server") / "memory"
    with open_memory(backend, request, directory) as mem:
        yield mem


@pytest.fixture
def tenants(tmp_path: Path) -> Tenants:
    keys = KeyRing(tmp_path / "keys.json")
    group_a, group_b = unique("tenant-a"), unique("tenant-b")
    _, key_a = keys.create("a", groups=[group_a])
    _, key_b = keys.create("b", groups=[group_b])
    _, admin = keys.create("admin", admin=True)
    return Tenants(group_a, group_b, key_a, key_b, admin, keys)


def make_app(memory: Memory, keys: KeyRing | None, **settings: object) -> FastAPI:
    return create_app(memory, keys=keys, settings=ServerSettings(**settings))  # type: ignore[arg-type]


@pytest.fixture
def app(memory: Memory, tenants: Tenants) -> FastAPI:
    """The app with rate limiting off (tests send bursts)."""
    return make_app(memory, tenants.keys, rate_limit=None)


@pytest.fixture
def http(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
        yield client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """``app`` served by a real uvicorn on a free localhost port, in a thread: its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
