"""Running a server: uvicorn for HTTP (the API and MCP at ``/mcp``), and, with ``mcp_stdio``,
the MCP tools on stdin/stdout in the same process and over the same memory.

Shutdown is graceful: on SIGINT/SIGTERM uvicorn stops accepting connections and waits for the
requests in flight (writes included), then the app closes the memory; uvicorn then lets the
signal end the process, so its exit status says which signal stopped it.
"""

from __future__ import annotations

import ipaddress
import logging
import sys
from typing import Final

import anyio
import uvicorn

from chronomem.errors import ConfigurationError, InputError
from chronomem.memory import Memory
from chronomem.server.api import ServerSettings, create_app
from chronomem.server.gate import Gate
from chronomem.server.keys import LOCAL_ADMIN, KeyRing, Principal
from chronomem.server.mcp_tools import build_mcp, fixed_principal

__all__ = ["NO_AUTH_WARNING", "check_no_auth", "serve", "stdio_principal"]

NO_AUTH_WARNING: Final = (
    "WARNING: --no-auth: this server checks no API key; every request may read and write "
    "every group. Use it only for development on this machine."
)


def check_no_auth(host: str) -> None:
    """``--no-auth`` is refused on any address but a loopback one."""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise InputError(
            f"--no-auth is only allowed on localhost, not on {host!r}; create a key with "
            "`chronomem keys create` and drop --no-auth"
        )


def stdio_principal(keys: KeyRing | None, presented: str | None) -> Principal:
    """Who a stdio MCP session acts for: the key in ``CHRONOMEM_API_KEY``, or everyone's
    admin without authentication."""
    if keys is None:
        return LOCAL_ADMIN
    if not presented:
        raise ConfigurationError(
            "--mcp-stdio needs an API key: set CHRONOMEM_API_KEY to a key from "
            "`chronomem keys create` (or use --no-auth for local development)"
        )
    principal = keys.authenticate(presented.strip())
    if principal is None:
        raise ConfigurationError(f"CHRONOMEM_API_KEY is not a live key of {keys.path}")
    return principal


def _configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("chronomem.server").setLevel(logging.INFO)


def serve(
    memory: Memory,
    *,
    keys: KeyRing | None,
    settings: ServerSettings,
    http: bool = True,
    mcp_stdio: Principal | None = None,
) -> None:
    """Serve ``memory`` until interrupted (or, for stdio alone, until stdin closes); the
    memory is closed at the end."""
    _configure_logging()
    if keys is None:
        print(NO_AUTH_WARNING, file=sys.stderr, flush=True)
    try:
        anyio.run(_serve, memory, keys, settings, http, mcp_stdio)
    finally:
        memory.close()


async def _serve(
    memory: Memory,
    keys: KeyRing | None,
    settings: ServerSettings,
    http: bool,
    mcp_stdio: Principal | None,
) -> None:
    gate = Gate(
        memory,
        read_threads=settings.read_threads,
        write_threads=settings.write_threads,
        read_timeout=settings.read_timeout,
    )
    server: uvicorn.Server | None = None
    if http:
        app = create_app(memory, keys=keys, settings=settings, gate=gate, close_memory=True)
        config = uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port or 0,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=30,
        )
        server = uvicorn.Server(config)
    async with anyio.create_task_group() as tasks:
        if mcp_stdio is not None:
            stdio = build_mcp(gate, fixed_principal(mcp_stdio))

            async def stdio_then_stop() -> None:
                await stdio.run_stdio_async()
                if server is not None:  # the agent closed stdin: stop serving HTTP too
                    server.should_exit = True

            tasks.start_soon(stdio_then_stop)
        if server is not None:
            print(
                f"chronomem serving on http://{settings.host}:{settings.port} (MCP at /mcp)",
                file=sys.stderr,
                flush=True,
            )
            tasks.start_soon(server.serve)
