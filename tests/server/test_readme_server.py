"""README.md's "Serving agents over HTTP and MCP" section, run as written in a fresh directory:
the key is created, the server started (with the test fakes in place of the models, on a free
port instead of 8765), the curl lines sent, the MCP and Client examples executed."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.server.conftest import free_port
from tests.test_docs import README, _blocks, _section

ROOT = Path(__file__).resolve().parents[2]
FAKES = [sys.executable, "-m", "tests.server.serve_with_fakes"]
SECTION = "Serving agents over HTTP and MCP"
README_PORT = "8765"


def _commands(block: str) -> list[list[str]]:
    return [shlex.split(line, comments=True) for line in block.splitlines() if line.strip()]


@pytest.fixture
def section() -> str:
    return _section(README.read_text(encoding="utf-8"), SECTION)


@pytest.fixture
def started(
    section: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, str]]:
    """The section's first block run: (the server's port, the key it created)."""
    monkeypatch.chdir(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    create, export, serve = _commands(_blocks(section, "bash")[0])
    assert create[1:3] == ["keys", "create"]
    assert export[0] == "export"
    assert serve[1] == "serve"
    assert serve[0] == create[0] == ".venv/bin/chronomem"
    made = subprocess.run(
        [*FAKES, *create[1:]], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    key = next(line for line in made.stdout.splitlines() if line.startswith("cmk_"))
    monkeypatch.setenv("CHRONOMEM_API_KEY", key)
    port = str(free_port())
    env["CHRONOMEM_API_KEY"] = key
    process = subprocess.Popen(
        [*FAKES, *serve[1:], "--port", port], cwd=tmp_path, env=env, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz").is_success:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline
            time.sleep(0.2)
        yield port, key
    finally:
        process.kill()
        process.wait()


def test_the_readme_server_section_runs(
    section: str, started: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    port, key = started
    curls = [line for line in _blocks(section, "bash")[1].splitlines() if line.strip()]
    assert len(curls) == 2
    outputs = []
    for line in curls:
        assert line.startswith("curl ")
        assert README_PORT in line
        done = subprocess.run(
            ["bash", "-c", line.replace(README_PORT, port)],
            env={**os.environ, "CHRONOMEM_API_KEY": key},
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.append(json.loads(done.stdout))
    assert outputs[0]["episodes_added"] == 2
    assert [hit["object"] for hit in outputs[1]["results"]] == ["Paris"]

    mcp_example, client_example = _blocks(section, "python")
    for example in (mcp_example, client_example):
        assert README_PORT in example
        exec(compile(example.replace(README_PORT, port), "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert "'object': 'Paris'" in printed[0]
    assert "Berlin" not in printed[0]
    assert printed[1] == "['Paris', 'Berlin']"
