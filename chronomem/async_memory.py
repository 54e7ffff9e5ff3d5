"""``AsyncMemory``: the same memory for agent frameworks that run an event loop.

It holds a :class:`~chronomem.memory.Memory` and runs each call in a worker thread
(``asyncio.to_thread``), so there is one implementation: the sync one. Reads may run
concurrently; writes are serialised by the memory itself.

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
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from chronomem.config import MemoryConfig
from chronomem.engine.embed import Embedder
from chronomem.ingest.extract.protocol import Extractor
from chronomem.ingest.pipeline import IngestReport
from chronomem.ingest.sources import RecordMapping, Turn
from chronomem.memory import Memory
from chronomem.schema import Entity, SearchResult, Stats

__all__ = ["AsyncMemory"]


class AsyncMemory:
    """Async facade over :class:`Memory`; every method mirrors the sync one."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    @classmethod
    async def open(
        cls,
        target: str | Path,
        *,
        embedder: Embedder | None = None,
        extractor: Extractor | None = None,
        config: MemoryConfig | None = None,
    ) -> AsyncMemory:
        """Open a memory (see :meth:`Memory.open`) without blocking the event loop."""
        memory = await asyncio.to_thread(
            Memory.open, target, embedder=embedder, extractor=extractor, config=config
        )
        return cls(memory)

    async def close(self) -> None:
        """Close the memory."""
        await asyncio.to_thread(self.memory.close)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def add_dialogue(
        self,
        turns: Iterable[Turn | Mapping[str, Any]],
        *,
        group_id: str = "default",
        source: str = "chat",
    ) -> IngestReport:
        """See :meth:`Memory.add_dialogue`."""
        turns = list(turns)
        return await asyncio.to_thread(
            self.memory.add_dialogue, turns, group_id=group_id, source=source
        )

    async def add_records(
        self, rows: Any, *, mapping: RecordMapping, group_id: str = "default"
    ) -> IngestReport:
        """See :meth:`Memory.add_records`."""
        return await asyncio.to_thread(
            self.memory.add_records, rows, mapping=mapping, group_id=group_id
        )

    async def search(self, query: str, **options: Any) -> list[SearchResult]:
        """See :meth:`Memory.search`."""
        return await asyncio.to_thread(self.memory.search, query, **options)

    async def context(self, query: str, **options: Any) -> str:
        """See :meth:`Memory.context`."""
        return await asyncio.to_thread(self.memory.context, query, **options)

    async def facts(self, **options: Any) -> list[SearchResult]:
        """See :meth:`Memory.facts`."""
        return await asyncio.to_thread(self.memory.facts, **options)

    async def history(self, entity: str, **options: Any) -> list[SearchResult]:
        """See :meth:`Memory.history`."""
        return await asyncio.to_thread(self.memory.history, entity, **options)

    async def entity(self, name: str, *, group_id: str = "default") -> Entity:
        """See :meth:`Memory.entity`."""
        return await asyncio.to_thread(self.memory.entity, name, group_id=group_id)

    async def neighbors(self, entity: str, **options: Any) -> list[SearchResult]:
        """See :meth:`Memory.neighbors`."""
        return await asyncio.to_thread(self.memory.neighbors, entity, **options)

    async def paths(self, source: str, target: str, **options: Any) -> list[list[SearchResult]]:
        """See :meth:`Memory.paths`."""
        return await asyncio.to_thread(self.memory.paths, source, target, **options)

    async def stats(self, group_id: str | None = None) -> Stats:
        """See :meth:`Memory.stats`."""
        return await asyncio.to_thread(self.memory.stats, group_id)
