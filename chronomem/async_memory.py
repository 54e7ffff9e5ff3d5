"""``AsyncMemory``: the same memory for agent frameworks that run an event loop.

It holds a :class:`~chronomem.memory.Memory` and runs each call in a worker thread
(``asyncio.to_thread``), so there is one implementation: the sync one. Reads may run
concurrently; writes are serialised by the memory itself. ``progress`` callbacks are called
from the worker thread.

How it cannot drift from :class:`Memory`: each method is *derived* from the sync one by
:func:`_in_thread`, whose type is written with a ``ParamSpec``, so the twin has the same
parameters (names, kinds, defaults, annotations) for the type checker (``await mem.search(...)``
is a ``list[SearchResult]``) and, through ``functools.wraps``, for ``inspect.signature`` and
``help()``. Only what cannot be derived that way is written by hand: :meth:`AsyncMemory.open`
(an async classmethod returning an ``AsyncMemory``), the async context manager, :meth:`now`
(it does not block, so it runs on the loop) and the plain properties ``store``, ``config``,
``embedder``, ``registry`` and ``vocabulary``, which return the memory's own. A test compares
every public member of ``Memory`` with its twin here, so a method added to ``Memory`` without
its twin, or a hand-written twin with other parameters, fails it.

Not mirrored (:data:`NOT_MIRRORED`): ``extractor``, a property whose first read loads the spaCy
pipeline (seconds of blocking work an event loop must not do); read it as
``mem.memory.extractor`` from a worker thread if it is needed.

>>> import asyncio
>>> async def main() -> int:
...     async with await AsyncMemory.open(tmp_path / "amem", embedder=HashingEmbedder()) as mem:
...         await mem.add_dialogue(
...             [{"speaker": "Ann", "text": "I live in Oslo.", "time": "2024-02-01T08:00:00Z"}]
...         )
...         return (await mem.stats()).episodes
>>> asyncio.run(main())
1
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Concatenate, Final, ParamSpec, Self, TypeVar

from chronomem.config import MemoryConfig
from chronomem.engine.embed import Embedder
from chronomem.engine.store.protocol import GraphStore
from chronomem.engine.temporal import RelationRegistry
from chronomem.ingest.extract.protocol import Extractor
from chronomem.language.vocabulary import Vocabulary
from chronomem.memory import Memory

__all__ = ["NOT_MIRRORED", "AsyncMemory"]

_P = ParamSpec("_P")
_R = TypeVar("_R")

NOT_MIRRORED: Final = {
    "extractor": "its first read loads the spaCy pipeline, blocking work an event loop must "
    "not do; use mem.memory.extractor from a worker thread",
}
"""Public members of :class:`Memory` that :class:`AsyncMemory` leaves out, and why."""


def _in_thread(
    method: Callable[Concatenate[Memory, _P], _R],
) -> Callable[Concatenate[AsyncMemory, _P], Coroutine[Any, Any, _R]]:
    """The async twin of a ``Memory`` method: the same parameters, run in a worker thread."""

    @functools.wraps(method)
    async def twin(self: AsyncMemory, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        return await asyncio.to_thread(method, self.memory, *args, **kwargs)

    twin.__qualname__ = f"AsyncMemory.{method.__name__}"
    twin.__module__ = __name__
    return twin


class AsyncMemory:
    """Async facade over :class:`Memory`: every method is the sync one, awaited."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    # -- lifecycle ------------------------------------------------------------------------------

    @classmethod
    async def open(
        cls,
        target: str | Path,
        *,
        embedder: Embedder | None = None,
        extractor: Extractor | None = None,
        config: MemoryConfig | None = None,
        read_only: bool = False,
    ) -> AsyncMemory:
        """Open a memory (see :meth:`Memory.open`) without blocking the event loop."""
        memory = await asyncio.to_thread(
            Memory.open,
            target,
            embedder=embedder,
            extractor=extractor,
            config=config,
            read_only=read_only,
        )
        return cls(memory)

    close = _in_thread(Memory.close)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- what the memory holds ------------------------------------------------------------------

    @property
    def store(self) -> GraphStore:
        """The memory's store (see :attr:`Memory.store`)."""
        return self.memory.store

    @property
    def config(self) -> MemoryConfig:
        """The memory's settings (see :attr:`Memory.config`)."""
        return self.memory.config

    @property
    def embedder(self) -> Embedder:
        """The memory's embedder (see :attr:`Memory.embedder`)."""
        return self.memory.embedder

    @property
    def registry(self) -> RelationRegistry:
        """The memory-wide base of relation cardinalities (see :attr:`Memory.registry`)."""
        return self.memory.registry

    registry_for = _in_thread(Memory.registry_for)

    @property
    def vocabulary(self) -> Vocabulary:
        """The relation vocabulary (see :attr:`Memory.vocabulary`; reading files, no model)."""
        return self.memory.vocabulary

    # -- writing --------------------------------------------------------------------------------

    add_dialogue = _in_thread(Memory.add_dialogue)
    validate_dialogue = _in_thread(Memory.validate_dialogue)
    add_episodes = _in_thread(Memory.add_episodes)
    add_records = _in_thread(Memory.add_records)
    add_fact = _in_thread(Memory.add_fact)
    invalidate_fact = _in_thread(Memory.invalidate_fact)
    retract_fact = _in_thread(Memory.retract_fact)

    # -- forgetting -----------------------------------------------------------------------------

    forget_episode = _in_thread(Memory.forget_episode)
    forget_entity = _in_thread(Memory.forget_entity)
    forget_group = _in_thread(Memory.forget_group)

    # -- reading --------------------------------------------------------------------------------

    entity = _in_thread(Memory.entity)
    facts = _in_thread(Memory.facts)
    history = _in_thread(Memory.history)
    profile = _in_thread(Memory.profile)
    search = _in_thread(Memory.search)
    context = _in_thread(Memory.context)
    neighbors = _in_thread(Memory.neighbors)
    paths = _in_thread(Memory.paths)
    stats = _in_thread(Memory.stats)
    groups = _in_thread(Memory.groups)
    incomplete_copy = _in_thread(Memory.incomplete_copy)
    export = _in_thread(Memory.export)

    async def now(self) -> datetime:
        """The memory's clock (UTC); it does not block, so it runs on the event loop."""
        return self.memory.now()
