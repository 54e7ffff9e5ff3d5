"""A Neo4j server of one test's own, started with tools/neo4j-local in a private home on free
ports, so a test may kill -9 and restart it without disturbing the session's server."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "tools" / "neo4j-local" / "neo4j-local"
MAIN_CLASS = "dev.chronomem.neo4jlocal.Main"

__all__ = ["PrivateNeo4j", "free_port", "private_neo4j"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PrivateNeo4j:
    """One neo4j-local server: its home directory and ports."""

    home: Path
    bolt_port: int
    http_port: int
    version: str | None = None  # CHRONOMEM_NEO4J_VERSION: None for the default 5.26 build
    java: str | None = None  # JAVA: None to let the script pick one

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    def _run(self, command: str, timeout: float) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "CHRONOMEM_NEO4J_HOME": str(self.home),
            "CHRONOMEM_NEO4J_BOLT_PORT": str(self.bolt_port),
            "CHRONOMEM_NEO4J_HTTP_PORT": str(self.http_port),
            "CHRONOMEM_NEO4J_JAVA_OPTS": "-Xms256m -Xmx1g",
            "CHRONOMEM_NEO4J_PAGECACHE_MB": "128",
        }
        for name, value in (("CHRONOMEM_NEO4J_VERSION", self.version), ("JAVA", self.java)):
            env.pop(name, None)
            if value is not None:
                env[name] = value
        return subprocess.run(
            [str(SCRIPT), command],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def run(self, command: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        """The script's ``command`` (``build``, ``start``...) for this server: its exit and
        output."""
        return self._run(command, timeout)

    def start(self) -> None:
        """Start (or restart after a kill) and wait until Bolt answers."""
        done = self._run("start", timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"neo4j-local start failed:\n{(done.stdout + done.stderr)[-3000:]}")

    def stop(self) -> None:
        self._run("stop", timeout=120)

    def pid(self) -> int | None:
        """The pid of the server this object started, if it still runs."""
        try:
            pid = int((self.home / "neo4j-local.pid").read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except (OSError, ValueError):
            return None
        return pid if MAIN_CLASS in cmdline else None

    def kill(self) -> None:
        """SIGKILL the server (no clean shutdown) and wait until it is gone."""
        pid = self.pid()
        if pid is None:
            return
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
            time.sleep(0.1)


@contextlib.contextmanager
def private_neo4j(home: Path, version: str | None = None) -> Iterator[PrivateNeo4j]:
    """A started private server (of ``version``: see tools/neo4j-local/README.md), stopped
    afterwards; skips (or fails in CI) if it cannot run."""
    server = PrivateNeo4j(home, free_port(), free_port(), version)
    if not SCRIPT.is_file():
        pytest.skip(f"{SCRIPT} is missing")
    try:
        server.start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        server.stop()
        message = f"cannot start a private Neo4j to kill: {exc}"
        if os.environ.get("CHRONOMEM_REQUIRE_NEO4J", "").strip() in ("1", "true", "yes", "on"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    try:
        yield server
    finally:
        server.stop()
