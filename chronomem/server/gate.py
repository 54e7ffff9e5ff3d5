"""The one way a request reaches the memory: checked against its key's groups first, then run in a
worker thread, writes of one group one at a time.

Both the HTTP routes and the MCP tools call :class:`Gate`, so the tenancy check cannot be
forgotten by one of them. Reads and writes run on separate thread pools: a burst of ingests
cannot take every thread and leave searches waiting, and a read never waits for a write's lock
(the stores let reads run beside a write; :class:`~chronomem.memory.Memory` serialises the
writes themselves). Each group has an ``asyncio`` lock, so two writes of one group queue on the
event loop rather than each holding a worker thread while it waits. A read that runs longer
than ``read_timeout`` is answered with 504 (a write is never cut short: it finishes). A
request's turns are written in one transaction, so no read sees half of a request: a request
holds at most the memory's ``batch_size`` turns (256 by default).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import ParamSpec, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter

from chronomem.errors import LimitError
from chronomem.ingest.pipeline import IngestReport
from chronomem.ingest.sources import Turn
from chronomem.memory import Memory, OnChange
from chronomem.schema import check_group_id
from chronomem.server.keys import Principal
from chronomem.server.problems import ApiError

__all__ = ["Gate"]

_P = ParamSpec("_P")
_R = TypeVar("_R")


class Gate:
    """Authorises and runs calls on one :class:`Memory`."""

    def __init__(
        self,
        memory: Memory,
        *,
        read_threads: int = 16,
        write_threads: int = 2,
        read_timeout: float | None = None,
    ) -> None:
        self.memory = memory
        self.read_timeout = read_timeout
        self._readers = CapacityLimiter(read_threads)
        self._writers = CapacityLimiter(write_threads)
        self._group_locks: dict[str, asyncio.Lock] = {}

    @staticmethod
    def authorise(principal: Principal, group_id: str) -> str:
        """``group_id`` if ``principal`` may use it, else a 403 that says nothing of the group's
        content (the same answer whether it exists or not)."""
        if not principal.may_use(group_id):
            raise ApiError(
                403,
                "forbidden",
                f"key {principal.key_id!r} may not use group {group_id!r}; use a key created "
                "with `chronomem keys create --group` for that group",
            )
        return check_group_id(group_id)

    def visible_groups(self, principal: Principal, stored: list[str]) -> list[str]:
        """The groups of ``stored`` that ``principal`` may see."""
        return [group for group in stored if principal.may_use(group)]

    async def read(
        self,
        principal: Principal,
        group_id: str | None,
        function: Callable[_P, _R],
        /,
        *args: _P.args,
        **kwargs: _P.kwargs,
    ) -> _R:
        """Run a read of ``group_id`` (``None``: the whole memory, admin keys only)."""
        if group_id is None:
            if not principal.admin:
                raise ApiError(
                    403, "forbidden", "only an admin key may read across groups; give group_id"
                )
        else:
            self.authorise(principal, group_id)
        call = partial(function, *args, **kwargs)
        try:
            with anyio.fail_after(self.read_timeout):
                # on a timeout the request is answered at once; the thread finishes on its own
                return await anyio.to_thread.run_sync(
                    call, limiter=self._readers, abandon_on_cancel=True
                )
        except TimeoutError:
            raise ApiError(
                504,
                "timeout",
                f"the read took longer than the server's limit of {self.read_timeout:g} s; ask "
                "for less (a smaller limit, depth or max_hops) or start the server with a "
                "larger --read-timeout",
            ) from None

    async def write(
        self,
        principal: Principal,
        group_id: str,
        function: Callable[_P, _R],
        /,
        *args: _P.args,
        **kwargs: _P.kwargs,
    ) -> _R:
        """Run a write of ``group_id``, after every earlier write of that group."""
        self.authorise(principal, group_id)
        lock = self._group_locks.setdefault(group_id, asyncio.Lock())
        call = partial(function, *args, **kwargs)
        async with lock:
            return await anyio.to_thread.run_sync(call, limiter=self._writers)

    async def add_dialogue(
        self,
        principal: Principal,
        turns: list[Turn],
        group_id: str,
        source: str,
        on_change: OnChange = "error",
    ) -> IngestReport:
        """Write one request's turns in one transaction (so no read sees part of them): a
        request holds at most the memory's ``batch_size`` turns."""
        self.authorise(principal, group_id)
        most = self.memory.config.batch_size
        if len(turns) > most:
            raise LimitError(
                f"{len(turns)} turns in one request, more than the {most} this memory writes in "
                f"one transaction; send at most {most} turns per request (each request is "
                "applied whole), or raise CHRONOMEM_BATCH_SIZE for the server"
            )
        return await self.write(
            principal,
            group_id,
            self.memory.add_dialogue,
            turns,
            group_id=group_id,
            source=source,
            on_change=on_change,
        )
