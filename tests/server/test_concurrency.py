"""Many requests through one server: a read never waits for a write, writes of one group run
one after the other, and a read during a write sees the state before it or after it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import httpx
import pytest

from chronomem.engine.embed import HashingEmbedder
from chronomem.ingest.extract.fake import FunctionExtractor, simple_rules
from chronomem.ingest.extract.protocol import CandidateFact, EntityMention
from chronomem.memory import Memory
from chronomem.schema import Episode
from chronomem.server.keys import KeyRing
from tests.server.conftest import TURNS, make_app

GROUP, OTHER = "busy", "quiet"


class Gatekeeper:
    """An extraction function that holds every turn saying "hold" until released, and
    records which writes entered it, in order."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.order: list[str] = []

    def __call__(self, episode: Episode) -> Iterable[EntityMention | CandidateFact]:
        self.order.append(episode.content)
        if "hold" in episode.content:
            self.entered.set()
            assert self.release.wait(timeout=30)
        return simple_rules(episode)


@pytest.fixture
def gatekeeper() -> Gatekeeper:
    return Gatekeeper()


@pytest.fixture
def memory_held(tmp_path: Path, gatekeeper: Gatekeeper) -> Iterator[Memory]:
    extractor = FunctionExtractor(gatekeeper)
    with Memory.open(tmp_path / "memory", embedder=HashingEmbedder(), extractor=extractor) as mem:
        yield mem


def _turn(text: str, number: int) -> dict[str, str]:
    return {"speaker": "Alice", "text": text, "time": f"2024-01-{number:02d}T09:00:00Z"}


def test_reads_do_not_wait_for_a_write(memory_held: Memory, gatekeeper: Gatekeeper) -> None:
    memory_held.add_dialogue(TURNS, group_id=GROUP)
    memory_held.add_dialogue(TURNS, group_id=OTHER)
    before = memory_held.stats(GROUP)
    app = make_app(memory_held, None, rate_limit=None)

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            held = [_turn("I hold the line.", 1), _turn("I live in Oslo.", 2)]
            write = asyncio.create_task(
                http.post("/v1/dialogue", json={"group_id": GROUP, "turns": held})
            )
            assert await asyncio.to_thread(gatekeeper.entered.wait, 10)
            # the write is in the middle of its ingest: reads of its group and of another
            # answer at once, and see the group as it was before the write
            for group in (GROUP, OTHER):
                search = http.post("/v1/search", json={"query": "Alice", "group_id": group})
                found = await asyncio.wait_for(search, timeout=10)
                assert found.status_code == 200
                stats = await asyncio.wait_for(
                    http.get("/v1/stats", params={"group_id": group}), timeout=10
                )
                assert stats.json()["episodes"] == before.episodes
            assert not write.done()
            gatekeeper.release.set()
            answer = await asyncio.wait_for(write, timeout=30)
            assert answer.status_code == 200
            assert answer.json()["episodes_added"] == 2

    asyncio.run(scenario())
    assert memory_held.stats(GROUP).episodes == before.episodes + 2


def test_writes_of_one_group_run_one_after_the_other(
    memory_held: Memory, gatekeeper: Gatekeeper
) -> None:
    app = make_app(memory_held, None, rate_limit=None)

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            first = asyncio.create_task(
                http.post("/v1/dialogue", json={"group_id": GROUP, "turns": [_turn("hold", 1)]})
            )
            assert await asyncio.to_thread(gatekeeper.entered.wait, 10)
            second = asyncio.create_task(
                http.post(
                    "/v1/dialogue",
                    json={"group_id": GROUP, "turns": [_turn("I live in Rome.", 2)]},
                )
            )
            await asyncio.sleep(0.3)
            assert gatekeeper.order == ["hold"], "the second write started during the first"
            gatekeeper.release.set()
            answers = await asyncio.wait_for(asyncio.gather(first, second), timeout=30)
            assert [a.status_code for a in answers] == [200, 200]
            assert gatekeeper.order == ["hold", "I live in Rome."]

    asyncio.run(scenario())
    assert memory_held.stats(GROUP).episodes == 2


def test_a_refused_write_touches_nothing(tmp_path: Path, memory_held: Memory) -> None:
    """The key is checked before the write reaches the memory."""
    keys = KeyRing(tmp_path / "keys.json")
    _, key = keys.create("quiet only", groups=[OTHER])
    app = make_app(memory_held, keys, rate_limit=None)

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {key}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://127.0.0.1", headers=headers
        ) as http:
            refused = await asyncio.wait_for(
                http.post("/v1/dialogue", json={"group_id": GROUP, "turns": TURNS}), timeout=10
            )
            assert refused.status_code == 403

    asyncio.run(scenario())
    assert memory_held.stats(GROUP).episodes == 0
