"""``chronomem serve`` as a real process on a free localhost port (the test fakes in place of
the models): plain HTTP as curl sends it, ``chronomem.Client``, and the MCP tools through the
MCP SDK's own client over streamable HTTP and over stdio, tenancy included; then a graceful
stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from click.testing import CliRunner
from mcp import Client as McpClient
from mcp import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from chronomem import Client, RemoteError
from chronomem.cli import cli
from chronomem.engine.embed import HashingEmbedder
from chronomem.memory import Memory
from chronomem.server.mcp_tools import TIMELINE_URI, TOOL_NAMES
from tests.server.conftest import TURNS, free_port
from tests.server.serve_with_fakes import DELAY_VARIABLE

ROOT = Path(__file__).resolve().parents[2]
FAKES = [sys.executable, "-m", "tests.server.serve_with_fakes"]
STDIO_ONLY = ("--mcp-stdio", "--no-http")
LATE_TURNS = 3000
"""The turns of the request in flight when the server is stopped: seconds of work."""
B_TURN = {"speaker": "Bob", "text": "I live in Zanzibar.", "time": "2023-02-01T09:00:00Z"}


@dataclass
class Served:
    url: str
    store: Path
    key_a: str
    key_b: str
    process: subprocess.Popen[bytes]
    log: Path


def _key(keys: Path, group: str) -> str:
    result = CliRunner().invoke(
        cli, ["keys", "create", "--keys", str(keys), "--name", group, "--group", group, "--json"]
    )
    assert result.exit_code == 0, result.output
    key: str = json.loads(result.stdout)["key"]
    return key


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("serve")
    keys = tmp / "keys.json"
    key_a, key_b = _key(keys, "a"), _key(keys, "b")
    port = free_port()
    log = tmp / "server.log"
    args = ["serve", "--store", str(tmp / "memory"), "--keys", str(keys), "--port", str(port)]
    with log.open("wb") as out:
        # one transaction per request; the late write lasts 3 s whatever the machine
        env = {**_env(), "CHRONOMEM_BATCH_SIZE": "5000", DELAY_VARIABLE: "0.001"}
        process = subprocess.Popen([*FAKES, *args], cwd=ROOT, env=env, stderr=out)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/readyz").status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)
    served = Served(url, tmp / "memory", key_a, key_b, process, log)
    try:
        with httpx.Client(base_url=url) as http:
            for group, key, turns in (("a", key_a, TURNS), ("b", key_b, [B_TURN])):
                response = http.post(
                    "/v1/dialogue",
                    json={"group_id": group, "turns": turns},
                    headers={"Authorization": f"Bearer {key}"},
                )
                assert response.status_code == 200, response.text
        yield served
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_curl_style_search(served: Served) -> None:
    response = httpx.post(
        f"{served.url}/v1/search",
        json={"query": "Where does Alice live?", "group_id": "a", "limit": 3},
        headers={"Authorization": f"Bearer {served.key_a}"},
    )
    assert response.status_code == 200
    assert response.json()["results"][0]["object"] == "Berlin"
    assert "WARNING" not in served.log.read_text()  # keys on: no --no-auth warning
    line = served.log.read_text().splitlines()[-1]
    logged = json.loads(line.split(" INFO ", 1)[1])
    assert logged["path"] == "/v1/search"
    assert logged["key"] == served.key_a.split("_")[1]
    assert served.key_a not in served.log.read_text()


def test_the_client_against_the_process(served: Served) -> None:
    with Client(served.url, api_key=served.key_a) as mem:
        history = mem.history("Alice", group_id="a")
        assert [r.object for r in history] == ["Paris", "Acme", "Berlin"]
        with pytest.raises(RemoteError) as refused:
            mem.search("Where does Bob live?", group_id="b")
        assert refused.value.status == 403


@asynccontextmanager
async def _mcp_http(served: Served, key: str | None) -> AsyncIterator[McpClient]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    async with (
        httpx2.AsyncClient(headers=headers) as http,
        McpClient(streamable_http_client(f"{served.url}/mcp", http_client=http)) as client,
    ):
        yield client


def _tool_calls(group: str) -> dict[str, dict[str, Any]]:
    """Arguments for each tool, aimed at ``group``."""
    return {
        "remember_turns": {"turns": [B_TURN], "group_id": group},
        "search_memory": {"query": "Where does Bob live?", "group_id": group},
        "get_context": {"query": "Bob", "group_id": group},
        "get_facts": {"entity": "Bob", "group_id": group, "include_ended": True},
        "get_history": {"entity": "Bob", "group_id": group},
        "get_profile": {"entity": "Bob", "group_id": group},
        "facts_as_of": {"entity": "Bob", "as_of": "2023-03-01T00:00:00Z", "group_id": group},
        "add_fact": {"subject": "Bob", "relation": "LIVES_IN", "object": "Mars", "group_id": group},
        "forget": {"what": "group", "group_id": group},
    }


async def _exercise_tools(client: McpClient, group: str, other: str) -> None:
    """Every tool works on ``group``; every tool on ``other`` is refused and tells nothing."""
    listed = await client.list_tools()
    assert sorted(t.name for t in listed.tools) == sorted(TOOL_NAMES)
    assert all(t.description for t in listed.tools)
    hits = await client.call_tool(
        "search_memory", {"query": "Where does Alice live?", "group_id": group, "limit": 3}
    )
    assert not hits.is_error
    assert hits.structured_content is not None
    assert hits.structured_content["results"][0]["object"] == "Berlin"
    then = await client.call_tool(
        "facts_as_of", {"entity": "Alice", "as_of": "2023-03-01T00:00:00Z", "group_id": group}
    )
    assert then.structured_content is not None
    assert {r["object"] for r in then.structured_content["results"]} == {"Paris", "Acme"}
    history = await client.call_tool("get_history", {"entity": "Alice", "group_id": group})
    assert history.structured_content is not None
    assert [r["object"] for r in history.structured_content["results"]] == [
        "Paris",
        "Acme",
        "Berlin",
    ]
    block = await client.call_tool("get_context", {"query": "Alice", "group_id": group})
    assert block.structured_content is not None
    assert "Berlin" in block.structured_content["context"]
    again = await client.call_tool("remember_turns", {"turns": TURNS[:1], "group_id": group})
    assert again.structured_content is not None
    assert again.structured_content["episodes_skipped"] == 1
    templates = await client.list_resource_templates()
    assert [t.uri_template for t in templates.resource_templates] == [TIMELINE_URI]
    timeline = await client.read_resource(f"chronomem://{group}/timeline/Alice")
    text = getattr(timeline.contents[0], "text", "")
    assert [r["object"] for r in json.loads(text)["results"]] == ["Paris", "Acme", "Berlin"]
    with pytest.raises(MCPError, match="may not use group"):
        await client.read_resource(f"chronomem://{other}/timeline/Bob")
    for name, arguments in _tool_calls(other).items():
        refused = await client.call_tool(name, arguments)
        assert refused.is_error, name
        text = " ".join(getattr(c, "text", "") for c in refused.content)
        assert "may not use group" in text, text
        assert "Zanzibar" not in text, text


@pytest.mark.anyio
async def test_mcp_over_streamable_http(served: Served) -> None:
    async with _mcp_http(served, served.key_a) as client:
        await _exercise_tools(client, "a", "b")


@pytest.mark.anyio
async def test_mcp_over_http_needs_a_key(served: Served) -> None:
    with pytest.raises(Exception):  # noqa: B017, PT011 - the SDK reports the refusal its way
        async with _mcp_http(served, None) as client:
            await client.list_tools()
    raw = httpx.post(f"{served.url}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "ping"})
    assert raw.status_code == 401
    assert raw.json()["error"]["code"] == "unauthenticated"


@pytest.mark.anyio
async def test_mcp_over_stdio(tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    key_a = _key(keys, "a")
    store = str(tmp_path / "memory")
    params = StdioServerParameters(
        command=sys.executable,
        args=[*FAKES[1:], "serve", "--store", store, "--keys", str(keys), *STDIO_ONLY],
        env={**_env(), "CHRONOMEM_API_KEY": key_a},
        cwd=str(ROOT),
    )
    async with McpClient(params) as client:
        stored = await client.call_tool("remember_turns", {"turns": TURNS, "group_id": "a"})
        assert stored.structured_content is not None
        assert stored.structured_content["episodes_added"] == 3
        await _exercise_tools(client, "a", "b")


@pytest.mark.anyio
async def test_stdio_and_http_in_one_process(tmp_path: Path) -> None:
    """``serve --mcp-stdio`` without ``--no-http``: what the stdio agent remembers, an HTTP
    client of the same process finds (one memory, one process, one lock)."""
    keys = tmp_path / "keys.json"
    key_a = _key(keys, "a")
    port = free_port()
    args = ["serve", "--store", str(tmp_path / "memory"), "--keys", str(keys)]
    params = StdioServerParameters(
        command=sys.executable,
        args=[*FAKES[1:], *args, "--mcp-stdio", "--port", str(port)],
        env={**_env(), "CHRONOMEM_API_KEY": key_a},
        cwd=str(ROOT),
    )
    async with McpClient(params) as client:
        await client.call_tool("remember_turns", {"turns": TURNS, "group_id": "a"})
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            deadline = time.monotonic() + 60
            while True:
                try:
                    ready = await http.get("/readyz")
                    if ready.is_success:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline
                await anyio.sleep(0.2)
            history = await http.get(
                "/v1/history",
                params={"group_id": "a", "entity": "Alice"},
                headers={"Authorization": f"Bearer {key_a}"},
            )
            assert [f["object"] for f in history.json()["items"]] == ["Paris", "Acme", "Berlin"]


def test_a_graceful_stop(served: Served) -> None:
    """SIGTERM while a large write is in flight (one transaction: nothing of it is visible
    before the stop): the write finishes and is answered, the memory is closed, the process
    ends. Runs last (it stops the module's server)."""
    turns = [
        {"speaker": "Alice", "text": f"I met Carol number {i}.", "time": "2023-07-01T09:00:00Z"}
        | {"id": f"late-{i}"}
        for i in range(LATE_TURNS)
    ]
    answers: list[httpx.Response] = []

    def write() -> None:
        answers.append(
            httpx.post(
                f"{served.url}/v1/dialogue",
                json={"group_id": "a", "turns": turns},
                headers={"Authorization": f"Bearer {served.key_a}"},
                timeout=120,
            )
        )

    writer = threading.Thread(target=write)
    writer.start()
    time.sleep(1.0)  # the request is received (if not, it gets no answer and the test fails)
    with Memory.open(served.store, embedder=HashingEmbedder(), read_only=True) as watcher:
        assert watcher.stats("a").episodes == len(TURNS), "the write ended before the stop"
    assert writer.is_alive()
    served.process.send_signal(signal.SIGTERM)
    writer.join(timeout=120)
    assert served.process.wait(timeout=60) in (0, -signal.SIGTERM)
    assert len(answers) == 1, "the write got no answer"
    assert answers[0].status_code == 200, answers[0].text
    assert answers[0].json()["episodes_added"] == LATE_TURNS
    with Memory.open(served.store, embedder=HashingEmbedder(), read_only=True) as mem:
        assert mem.stats("a").episodes == len(TURNS) + LATE_TURNS
