"""pytest plugin that finds a real Neo4j 5.26 for the tests that need one.

Load it from the root ``conftest.py`` with ``pytest_plugins = ["tests.neo4j_server"]``.

Where the server comes from, first match wins:

1. ``NEO4J_URI`` is set: that server (credentials from ``NEO4J_USER`` /
   ``NEO4J_PASSWORD`` if either is set, else no auth). Nothing else is tried.
2. A Docker engine answers: a testcontainers ``Neo4jContainer("neo4j:5.26-community")``,
   removed at the end of the session.
3. The local server from ``tools/neo4j-local/neo4j-local`` (Java 17 + Maven, no Docker).
   If it was already running it is reused and left running; if this plugin started it,
   it is stopped at the end of the session.

If none of these gives a Neo4j, the tests that need one are skipped with a message
saying what was tried -- or fail with that message when ``CHRONOMEM_REQUIRE_NEO4J=1``
(CI sets it, so the Neo4j tests never skip silently there).

Fixtures:

``neo4j_server`` (session)
    A :class:`Neo4jServer` with ``uri``, ``auth`` and ``source``.
``neo4j_uri`` (session)
    The Bolt URI, e.g. ``bolt://127.0.0.1:7687``.
``neo4j_auth`` (session)
    ``(user, password)`` or ``None`` when auth is disabled.
``neo4j_driver`` (session)
    A shared ``neo4j.Driver`` for that server.
``neo4j_group_id`` (function)
    A fresh ``group_id`` string. Neo4j Community has a single user database, so tests
    share one graph: write everything under this ``group_id`` and filter reads by it,
    and tests stay isolated without any cleanup.
``neo4j_clean`` (function)
    For tests that need an empty graph: deletes every node and relationship (in batches)
    before the test, then yields the driver. Indexes and constraints are kept.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

if TYPE_CHECKING:
    from neo4j import Driver

REPO_ROOT = Path(__file__).resolve().parent.parent
NEO4J_LOCAL_SCRIPT = REPO_ROOT / "tools" / "neo4j-local" / "neo4j-local"
NEO4J_IMAGE = "neo4j:5.26-community"
CONTAINER_PASSWORD = "chronomem-test"

#: How long to wait for a server that should already be up to answer ``RETURN 1``.
CONNECT_TIMEOUT_S = 30.0
#: Upper bound for ``neo4j-local start`` (a first run also builds with Maven).
LOCAL_START_TIMEOUT_S = 900.0
LOCAL_STOP_TIMEOUT_S = 120.0

Auth = tuple[str, str] | None


@dataclass(frozen=True)
class Neo4jServer:
    """A Neo4j server the tests can talk to."""

    uri: str
    auth: Auth
    source: str  # "NEO4J_URI", "testcontainers" or "neo4j-local"


class _UnavailableError(Exception):
    """This way of getting a Neo4j did not work; the message says why."""


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _wait_for_bolt(uri: str, auth: Auth, timeout_s: float = CONNECT_TIMEOUT_S) -> None:
    """Return once ``RETURN 1`` succeeds on ``uri``; raise :class:`_UnavailableError` otherwise."""
    try:
        from neo4j import GraphDatabase
    except ImportError as exc:
        raise _UnavailableError(f"the neo4j Python driver is not importable: {exc}") from exc
    deadline = time.monotonic() + timeout_s
    last_error: Exception | None = None
    while True:
        try:
            # A plain session.run, not execute_query: no hidden driver retries, so this
            # loop alone decides how long to wait.
            with (
                GraphDatabase.driver(uri, auth=auth, connection_timeout=5.0) as driver,
                driver.session() as session,
            ):
                record = session.run("RETURN 1 AS one").single()
                if record is not None and record["one"] == 1:
                    return
        except Exception as exc:  # any failure here means "not (yet) usable"
            last_error = exc
        if time.monotonic() >= deadline:
            raise _UnavailableError(
                f"{uri} did not answer RETURN 1 within {timeout_s:.0f} s: {last_error!r}"
            )
        time.sleep(1.0)


# --------------------------------------------------------------------------- 1. NEO4J_URI
def _server_from_env() -> Neo4jServer | None:
    uri = os.environ.get("NEO4J_URI", "").strip()
    if not uri:
        return None
    user = os.environ.get("NEO4J_USER")
    password = os.environ.get("NEO4J_PASSWORD")
    auth: Auth = None
    if user is not None or password is not None:
        auth = (user or "neo4j", password or "")
    return Neo4jServer(uri=uri, auth=auth, source="NEO4J_URI")


# --------------------------------------------------------------------------- 2. Docker
def _docker_engine_answers() -> str | None:
    """``None`` if a Docker engine answers a ping, else the reason it does not."""
    try:
        docker: Any = importlib.import_module("docker")
    except Exception as exc:
        return f"docker SDK not importable ({exc.__class__.__name__}: {exc})"
    try:
        client: Any = docker.from_env(timeout=2)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:
        return f"no Docker engine answers ({exc.__class__.__name__}: {exc})"
    return None


def _start_container() -> tuple[Neo4jServer, Any]:
    """Start ``neo4j:5.26-community``; returns the server and the container to stop."""
    container_cls: Any = None
    errors: list[str] = []
    for module_name in ("testcontainers.community.neo4j", "testcontainers.neo4j"):
        try:
            container_cls = importlib.import_module(module_name).Neo4jContainer
            break
        except Exception as exc:
            errors.append(f"{module_name}: {exc.__class__.__name__}: {exc}")
    if container_cls is None:
        raise _UnavailableError(
            "testcontainers' Neo4jContainer not importable (" + "; ".join(errors) + ")"
        )
    container: Any = None
    try:
        container = container_cls(NEO4J_IMAGE, username="neo4j", password=CONTAINER_PASSWORD)
        container.start()
        uri = str(container.get_connection_url())
        auth: Auth = (str(container.username), str(container.password))
        _wait_for_bolt(uri, auth)
    except Exception as exc:
        if container is not None:
            with contextlib.suppress(Exception):
                container.stop()
        raise _UnavailableError(
            f"testcontainers could not start {NEO4J_IMAGE} ({exc.__class__.__name__}: {exc})"
        ) from exc
    return Neo4jServer(uri=uri, auth=auth, source="testcontainers"), container


# --------------------------------------------------------------------------- 3. neo4j-local
def _local_uri() -> str:
    port = os.environ.get("CHRONOMEM_NEO4J_BOLT_PORT", "7687").strip() or "7687"
    return f"bolt://127.0.0.1:{port}"


def _run_local(command: str, timeout_s: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(NEO4J_LOCAL_SCRIPT), command],
        cwd=REPO_ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


def _start_local() -> tuple[Neo4jServer, bool]:
    """Use or start the neo4j-local server; the flag says whether this call started it."""
    if not NEO4J_LOCAL_SCRIPT.is_file():
        raise _UnavailableError(f"{NEO4J_LOCAL_SCRIPT} is missing")
    uri = _local_uri()
    try:
        status = _run_local("status", timeout_s=60)
        already_running = status.returncode == 0
        if not already_running:
            started = _run_local("start", timeout_s=LOCAL_START_TIMEOUT_S)
            if started.returncode != 0:
                output = (started.stdout + started.stderr).strip()
                raise _UnavailableError(
                    f"`{NEO4J_LOCAL_SCRIPT.relative_to(REPO_ROOT)} start` failed "
                    f"(exit {started.returncode}):\n{output[-4000:]}"
                )
    except (OSError, subprocess.SubprocessError) as exc:
        raise _UnavailableError(f"could not run {NEO4J_LOCAL_SCRIPT}: {exc}") from exc
    try:
        _wait_for_bolt(uri, None)
    except _UnavailableError:
        if not already_running:
            _stop_local()
        raise
    return Neo4jServer(uri=uri, auth=None, source="neo4j-local"), not already_running


def _stop_local() -> None:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        _run_local("stop", timeout_s=LOCAL_STOP_TIMEOUT_S)


# --------------------------------------------------------------------------- fixtures
def _give_up(tried: list[str]) -> NoReturn:
    message = "No Neo4j server available for the Neo4j tests. Tried:\n" + "\n".join(
        f"  - {line}" for line in tried
    )
    message += (
        "\nSet NEO4J_URI (and NEO4J_USER/NEO4J_PASSWORD) to use an existing server, "
        "or see tools/neo4j-local/README.md."
    )
    if _truthy(os.environ.get("CHRONOMEM_REQUIRE_NEO4J")):
        pytest.fail(message + "\n(CHRONOMEM_REQUIRE_NEO4J=1, so this is an error.)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def neo4j_server() -> Iterator[Neo4jServer]:
    """A running Neo4j for this test session (see the module docstring for the order)."""
    from_env = _server_from_env()
    if from_env is not None:
        problem = ""
        try:
            _wait_for_bolt(from_env.uri, from_env.auth)
        except _UnavailableError as exc:
            problem = str(exc)
        if problem:
            _give_up([f"NEO4J_URI={from_env.uri}: {problem}"])
        yield from_env
        return

    tried = ["NEO4J_URI: not set"]

    docker_problem = _docker_engine_answers()
    if docker_problem is None:
        try:
            server, container = _start_container()
        except _UnavailableError as exc:
            tried.append(str(exc))
        else:
            try:
                yield server
            finally:
                container.stop()
            return
    else:
        tried.append(f"testcontainers: {docker_problem}")

    local: tuple[Neo4jServer, bool] | None = None
    try:
        local = _start_local()
    except _UnavailableError as exc:
        tried.append(f"neo4j-local: {exc}")
    if local is None:
        _give_up(tried)
    server, started_here = local
    try:
        yield server
    finally:
        if started_here:
            _stop_local()


@pytest.fixture(scope="session")
def neo4j_uri(neo4j_server: Neo4jServer) -> str:
    """Bolt URI of the session's Neo4j."""
    return neo4j_server.uri


@pytest.fixture(scope="session")
def neo4j_auth(neo4j_server: Neo4jServer) -> Auth:
    """``(user, password)`` for the session's Neo4j, or ``None`` when auth is disabled."""
    return neo4j_server.auth


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_server: Neo4jServer) -> Iterator[Driver]:
    """One driver shared by the whole session."""
    from neo4j import GraphDatabase

    driver = GraphDatabase.driver(neo4j_server.uri, auth=neo4j_server.auth)
    try:
        yield driver
    finally:
        driver.close()


@pytest.fixture
def neo4j_group_id() -> str:
    """A unique ``group_id``: the way tests isolate their data in the one shared database."""
    return f"test-{uuid.uuid4().hex}"


def delete_all_nodes(driver: Driver, batch_size: int = 10_000) -> None:
    """Delete every node and relationship, ``batch_size`` nodes per transaction."""
    with driver.session() as session:
        session.run(
            "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF $batch ROWS",
            batch=batch_size,
        ).consume()


@pytest.fixture
def neo4j_clean(neo4j_driver: Driver) -> Driver:
    """An empty graph for this test (all nodes deleted first); returns the shared driver."""
    delete_all_nodes(neo4j_driver)
    return neo4j_driver
