"""AsyncMemory: the sync memory behind an event loop, with concurrent reads."""

from __future__ import annotations

import asyncio
import inspect
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from chronomem import AsyncMemory, Episode, Memory, NotFoundError, RecordMapping
from chronomem.async_memory import NOT_MIRRORED
from chronomem.engine.embed import HashingEmbedder
from chronomem.engine.store.factory import INMEMORY_URI
from chronomem.errors import StoreError
from chronomem.ingest.extract import CandidateFact, EntityMention, FunctionExtractor, simple_rules
from chronomem.ingest.extract.protocol import Extraction, Extractor
from chronomem.ingest.sources import as_turns, turns_to_episodes

GROUP = "user-1"
TURNS = [
    {"speaker": "Alice", "text": "I live in Paris.", "time": "2023-01-10T09:00:00Z", "id": "1"},
    {"speaker": "Alice", "text": "I work at Acme.", "time": "2023-01-10T09:01:00Z", "id": "2"},
    {"speaker": "Alice", "text": "I moved to Berlin.", "time": "2023-06-05T09:00:00Z", "id": "3"},
]
QUESTIONS = ["Where does Alice live?", "Where does Alice work?", "Berlin", "Paris", "Acme"]


@pytest.fixture
def extractor() -> Extractor:
    """The function-backed extractor, a few milliseconds a turn as a model takes: a write lasts
    long enough for the event loop to be seen running meanwhile."""

    def rules(episode: Episode) -> Iterator[EntityMention | CandidateFact]:
        time.sleep(0.005)
        return simple_rules(episode)

    return FunctionExtractor(rules)


async def _open(extractor: Extractor) -> AsyncMemory:
    """A new memory on the in-memory store, with the hashing embedder."""
    return await AsyncMemory.open(INMEMORY_URI, embedder=HashingEmbedder(), extractor=extractor)


def test_round_trip_add_search_facts_history_stats(extractor: Extractor) -> None:
    async def scenario() -> None:
        async with await _open(extractor) as mem:
            report = await mem.add_dialogue(TURNS, group_id=GROUP)
            assert report.episodes_added == 3
            stats = await mem.stats(GROUP)
            assert stats.episodes == 3
            assert stats.facts >= 3

            lives = await mem.facts(subject="Alice", relation="LIVES_IN", group_id=GROUP)
            assert [r.object for r in lives] == ["Berlin"]
            before = await mem.facts(
                subject="Alice", relation="LIVES_IN", group_id=GROUP, as_of="2023-03-01T00:00:00Z"
            )
            assert [r.object for r in before] == ["Paris"]

            history = await mem.history("Alice", relation="LIVES_IN", group_id=GROUP)
            assert [r.object for r in history] == ["Paris", "Berlin"]
            assert history[0].invalid_at == history[1].valid_at

            hits = await mem.search("Where does Alice live?", group_id=GROUP, limit=5)
            assert any(h.kind == "fact" and h.object == "Berlin" for h in hits)
            context = await mem.context("Where does Alice live?", group_id=GROUP, max_tokens=300)
            assert "Berlin" in context

            alice = await mem.entity("Alice", group_id=GROUP)
            assert alice.name == "Alice"
            near = await mem.neighbors("Alice", group_id=GROUP)
            assert {"Berlin", "Acme"} <= {r.object for r in near}
            routes = await mem.paths("Berlin", "Acme", group_id=GROUP)
            assert routes
            assert len(routes[0]) == 2
            with pytest.raises(NotFoundError):
                await mem.entity("Zed", group_id=GROUP)

    asyncio.run(scenario())


def test_concurrent_searches_match_sequential_ones(extractor: Extractor) -> None:
    async def scenario() -> None:
        async with await _open(extractor) as mem:
            await mem.add_dialogue(TURNS, group_id=GROUP)
            sequential = [await mem.search(q, group_id=GROUP, limit=5) for q in QUESTIONS]
            together = await asyncio.gather(
                *(mem.search(q, group_id=GROUP, limit=5) for q in QUESTIONS * 3)
            )
            for index, hits in enumerate(together):
                expected = sequential[index % len(QUESTIONS)]
                assert [h.uuid for h in hits] == [h.uuid for h in expected]

    asyncio.run(scenario())


def test_writes_do_not_block_the_event_loop(extractor: Extractor) -> None:
    async def scenario() -> int:
        async with await _open(extractor) as mem:
            ticks = 0
            write = asyncio.create_task(mem.add_dialogue(TURNS, group_id=GROUP))
            while not write.done():
                ticks += 1
                await asyncio.sleep(0.001)
            await write
            return ticks

    assert asyncio.run(scenario()) > 1


def test_records_and_reads_while_writing(extractor: Extractor) -> None:
    mapping = RecordMapping.model_validate(
        {
            "source": "crm",
            "entity": {"key": "id", "name": "name", "label": "Customer"},
            "time": {"column": "at"},
            "attributes": [{"column": "plan", "relation": "HAS_PLAN", "label": "Plan"}],
        }
    )
    rows = [
        {"id": "c1", "name": "Brightwater", "plan": "Starter", "at": "2023-01-01T00:00:00Z"},
        {"id": "c1", "name": "Brightwater", "plan": "Pro", "at": "2023-06-01T00:00:00Z"},
    ]

    async def scenario() -> None:
        async with await _open(extractor) as mem:
            await mem.add_dialogue(TURNS, group_id=GROUP)
            write = mem.add_records(rows, mapping=mapping, group_id="crm")
            read = mem.facts(subject="Alice", relation="LIVES_IN", group_id=GROUP)
            report, lives = await asyncio.gather(write, read)
            assert report.episodes_added == 2
            assert [r.object for r in lives] == ["Berlin"]
            plans = await mem.history("Brightwater", relation="HAS_PLAN", group_id="crm")
            assert [r.object for r in plans] == ["Starter", "Pro"]

    asyncio.run(scenario())


def test_closed_memory_refuses_reads(extractor: Extractor) -> None:
    async def scenario() -> None:
        mem = await _open(extractor)
        await mem.close()
        with pytest.raises(StoreError):
            await mem.stats()

    asyncio.run(scenario())


def _public(owner: object) -> set[str]:
    """Public members of a class, or of an instance (its attributes included)."""
    names = {n for n in dir(owner) if not n.startswith("_")}
    return names | {n for n in getattr(owner, "__dict__", {}) if not n.startswith("_")}


def test_every_public_member_of_memory_has_its_async_twin(tmp_path: Path) -> None:
    """Adding a method, property or attribute to Memory without its twin here fails this;
    so does a twin whose parameters (names, kinds, defaults, annotations) differ."""
    with Memory.open(tmp_path / "m", embedder=HashingEmbedder()) as memory:
        twin = AsyncMemory(memory)
        sync_names = _public(memory)
        assert set(NOT_MIRRORED) <= sync_names  # no stale exclusion
        assert not set(NOT_MIRRORED) & _public(AsyncMemory)
        mirrored = sync_names - set(NOT_MIRRORED)
        assert _public(twin) - {"memory"} == mirrored
        for name in sorted(mirrored):
            sync = inspect.getattr_static(Memory, name, None)
            other = inspect.getattr_static(AsyncMemory, name)
            if isinstance(sync, classmethod):
                assert isinstance(other, classmethod), name
                assert inspect.iscoroutinefunction(other.__func__), name
                mine = inspect.signature(getattr(Memory, name))
                theirs = inspect.signature(getattr(AsyncMemory, name))
                assert mine.parameters == theirs.parameters, name
                assert (mine.return_annotation, theirs.return_annotation) == (
                    "Memory",
                    "AsyncMemory",
                ), name
            elif inspect.isfunction(sync):
                assert inspect.iscoroutinefunction(other), name
                assert inspect.signature(other) == inspect.signature(sync), name
            else:  # a property or an attribute: a plain property giving the memory's own
                assert isinstance(other, property), name
                assert getattr(twin, name) is getattr(memory, name), name
    assert inspect.iscoroutinefunction(AsyncMemory.__aenter__)
    assert inspect.iscoroutinefunction(AsyncMemory.__aexit__)


class _NoFacts:
    """An extractor that finds nothing (these tests need no spaCy)."""

    name = "no-facts"

    def extract(self, episodes: Sequence[Episode]) -> list[Extraction]:
        return [Extraction(episode_uuid=e.uuid) for e in episodes]


def test_episodes_export_and_read_only_through_the_event_loop(tmp_path: Path) -> None:
    episodes = turns_to_episodes(as_turns(TURNS), group_id=GROUP, source="chat")
    loop_thread = threading.get_ident()
    threads: list[int] = []

    def progress(done: int) -> None:
        threads.append(threading.get_ident())

    async def scenario() -> dict[str, int]:
        async with await _open(_NoFacts()) as mem:
            report = await mem.add_episodes(episodes, progress=progress)
            assert report.episodes_added == 3
            assert mem.store is mem.memory.store
            return await mem.export(tmp_path / "copy", group_id=GROUP, reembed=True)

    counts = asyncio.run(scenario())
    assert counts == {"groups": 1, "episodes": 3, "entities": 0, "facts": 0}
    assert threads
    assert loop_thread not in threads  # the work ran in worker threads

    async def read_copy() -> None:
        mem = await AsyncMemory.open(
            tmp_path / "copy", embedder=HashingEmbedder(), extractor=_NoFacts(), read_only=True
        )
        async with mem:
            assert (await mem.stats(GROUP)).episodes == 3
            with pytest.raises(StoreError, match="opened with read_only=True"):
                await mem.add_dialogue([{**TURNS[0], "id": "new"}], group_id=GROUP)

    asyncio.run(read_copy())
