"""``chronomem.Client`` and ``AsyncClient``: Memory's method names and parameters, the same
answers as the memory they serve, and the chronomem errors for the server's refusals."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from chronomem import AsyncClient, Client, Memory, RecordMapping, RemoteError
from chronomem.errors import InputError, NotFoundError, StoreUnavailableError
from chronomem.schema import SearchResult
from tests.server.conftest import TURNS, Tenants, free_port, serving

SHARED = (
    "add_dialogue",
    "add_records",
    "search",
    "context",
    "facts",
    "history",
    "entity",
    "profile",
    "neighbors",
    "paths",
    "stats",
    "groups",
    "add_fact",
    "invalidate_fact",
    "retract_fact",
    "forget_episode",
    "forget_entity",
    "forget_group",
)
"""The methods a remote memory shares with :class:`Memory` (``export`` and ``add_episodes``
stay local: they hand over stored rows, not requests)."""


def _parameters(function: object) -> list[tuple[str, object, object]]:
    signature = inspect.signature(function)  # type: ignore[arg-type]
    return [(p.name, p.kind, p.default) for p in signature.parameters.values() if p.name != "self"]


@pytest.mark.parametrize("name", SHARED)
def test_the_clients_take_memorys_parameters(name: str) -> None:
    expected = _parameters(getattr(Memory, name))
    assert _parameters(getattr(Client, name)) == expected
    assert _parameters(getattr(AsyncClient, name)) == expected
    assert inspect.iscoroutinefunction(getattr(AsyncClient, name))


@pytest.fixture
def remote(app: FastAPI, tenants: Tenants) -> Iterator[Client]:
    with serving(app) as url, Client(url, api_key=tenants.key_a) as client:
        yield client


def _same(a: list[SearchResult], b: list[SearchResult]) -> None:
    assert [r.model_dump(exclude={"score"}) for r in a] == [
        r.model_dump(exclude={"score"}) for r in b
    ]


def test_the_client_answers_as_the_memory_does(
    remote: Client, memory: Memory, tenants: Tenants
) -> None:
    group = tenants.group_a
    report = remote.add_dialogue(TURNS, group_id=group)
    assert report.episodes_added == 3
    assert remote.add_dialogue(TURNS, group_id=group).episodes_skipped == 3
    question = "Where does Alice live?"
    _same(remote.search(question, group_id=group), memory.search(question, group_id=group))
    as_of = "2023-03-01T00:00:00Z"
    _same(
        remote.search(question, group_id=group, as_of=as_of, kinds=["fact"]),
        memory.search(question, group_id=group, as_of=as_of, kinds=["fact"]),
    )
    _same(
        remote.facts(subject="Alice", group_id=group), memory.facts(subject="Alice", group_id=group)
    )
    _same(
        remote.facts(subject="Alice", group_id=group, as_of=as_of),
        memory.facts(subject="Alice", group_id=group, as_of=as_of),
    )
    assert len(remote.facts(group_id=group, include_ended=True, limit=2)) == 2
    _same(remote.history("Alice", group_id=group), memory.history("Alice", group_id=group))
    _same(remote.neighbors("Berlin", group_id=group), memory.neighbors("Berlin", group_id=group))
    for mine, theirs in zip(
        remote.paths("Paris", "Berlin", group_id=group),
        memory.paths("Paris", "Berlin", group_id=group),
        strict=True,
    ):
        _same(mine, theirs)
    assert remote.context(question, group_id=group) == memory.context(question, group_id=group)
    assert (
        remote.entity("Alice", group_id=group).uuid == memory.entity("Alice", group_id=group).uuid
    )
    assert remote.profile("Alice", group_id=group) == memory.profile("Alice", group_id=group)
    assert remote.profile("Alice", group_id=group, as_of=as_of) == memory.profile(
        "Alice", group_id=group, as_of=as_of
    )
    assert remote.profile("Alice", group_id=group).entries  # the turns say where she lives
    assert remote.stats(group) == memory.stats(group)
    assert remote.groups() == [group]


def test_records_through_the_client(remote: Client, tenants: Tenants) -> None:
    mapping = RecordMapping.model_validate(
        {
            "source": "crm",
            "entity": {"key": "id", "name": "name", "label": "Customer"},
            "time": {"column": "at"},
            "attributes": [{"column": "plan", "relation": "HAS_PLAN", "label": "Plan"}],
        }
    )
    rows = [
        {"id": "C1", "name": "Kestrel", "plan": "Starter", "at": "2023-01-02T00:00:00Z"},
        {"id": "C1", "name": "Kestrel", "plan": "Pro", "at": "2023-05-02T00:00:00Z"},
    ]
    report = remote.add_records(rows, mapping=mapping, group_id=tenants.group_a)
    assert report.episodes_added == 2
    plans = remote.facts(subject="Kestrel", relation="HAS_PLAN", group_id=tenants.group_a)
    assert [r.object for r in plans] == ["Pro"]
    with pytest.raises(InputError, match="not a path"):
        remote.add_records("customers.csv", mapping=mapping, group_id=tenants.group_a)


def test_the_servers_refusals_are_chronomem_errors(remote: Client, tenants: Tenants) -> None:
    with pytest.raises(NotFoundError, match="no entity named 'Nobody'"):
        remote.entity("Nobody", group_id=tenants.group_a)
    with pytest.raises(InputError, match="as_of"):
        remote.facts(group_id=tenants.group_a, as_of="soon")
    with pytest.raises(InputError, match="turn 0"):  # checked here, before sending
        remote.add_dialogue([{"speaker": "A"}], group_id=tenants.group_a)
    with pytest.raises(RemoteError) as forbidden:
        remote.stats(tenants.group_b)
    assert (forbidden.value.status, forbidden.value.code) == (403, "forbidden")
    with Client(remote.url) as anonymous, pytest.raises(RemoteError) as unauthenticated:
        anonymous.stats(tenants.group_a)
    assert unauthenticated.value.status == 401


def test_an_unreachable_server_is_store_unavailable() -> None:
    with (
        Client(f"http://127.0.0.1:{free_port()}", api_key="x") as client,
        pytest.raises(StoreUnavailableError, match="did not answer"),
    ):
        client.stats("g")


def test_the_async_client_in_process(app: FastAPI, memory: Memory, tenants: Tenants) -> None:
    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with AsyncClient(
            "http://127.0.0.1", api_key=tenants.key_a, transport=transport
        ) as mem:
            group = tenants.group_a
            assert (await mem.add_dialogue(TURNS, group_id=group)).episodes_added == 3
            found, history = await asyncio.gather(
                mem.search("Where does Alice live?", group_id=group),
                mem.history("Alice", group_id=group),
            )
            assert found[0].object == "Berlin"
            _same(history, memory.history("Alice", group_id=group))
            assert (await mem.stats(group)).episodes == 3
            profile = await mem.profile("Alice", group_id=group)
            assert profile == memory.profile("Alice", group_id=group)
            assert await mem.groups() == [group]
            with pytest.raises(RemoteError):
                await mem.search("x", group_id=tenants.group_b)

    asyncio.run(scenario())


def test_a_long_dialogue_goes_in_several_requests(app: FastAPI, tenants: Tenants) -> None:
    told: list[int] = []
    with serving(app) as url, Client(url, api_key=tenants.key_a, turns_per_request=2) as mem:
        report = mem.add_dialogue(TURNS, group_id=tenants.group_a, progress=told.append)
        assert report.episodes_added == 3
        assert told == [2, 1]
        assert mem.stats(tenants.group_a).episodes == 3
    with pytest.raises(InputError, match="turns_per_request"):
        Client(url, turns_per_request=0)
