"""The data-lifecycle operations served: direct facts (add, invalidate, retract) and erasure
(an episode, an entity, a group) over HTTP, through ``Client``/``AsyncClient`` and as the MCP
``add_fact`` and ``forget`` tools, on every backend. What they refuse across tenants is in
``test_tenancy.py``."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from mcp import Client as McpClient

from chronomem import AsyncClient, Client, RemoteError
from chronomem.errors import InputError, NotFoundError
from chronomem.memory import Memory
from chronomem.server.gate import Gate
from chronomem.server.keys import Principal
from chronomem.server.mcp_tools import build_mcp, fixed_principal
from tests.server.conftest import TURNS, Tenants, serving, unique

START, MOVE, LEAVE = "2023-01-01T00:00:00Z", "2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z"


def _post(http: TestClient, path: str, key: str, body: dict[str, Any]) -> Any:
    return http.post(path, json=body, headers={"Authorization": f"Bearer {key}"})


def _objects(http: TestClient, key: str, group: str, **params: str) -> list[str]:
    response = http.get(
        "/v1/facts",
        params={"group_id": group, "subject": "Alice", **params},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200, response.text
    return [r["object"] for r in response.json()["items"]]


def test_direct_facts_over_http(http: TestClient, tenants: Tenants) -> None:
    key, group = tenants.key_a, tenants.group_a
    fact = {"subject": "Alice", "relation": "LIVES_IN", "group_id": group}
    added = _post(http, "/v1/facts/add", key, {**fact, "object": "Paris", "valid_at": START})
    assert added.status_code == 200, added.text
    assert added.json()["facts_added"] == 1
    again = _post(http, "/v1/facts/add", key, {**fact, "object": "Paris", "valid_at": START})
    assert again.json()["episodes_skipped"] == 1
    assert again.json()["facts_added"] == 0
    moved = _post(http, "/v1/facts/add", key, {**fact, "object": "Berlin", "valid_at": MOVE})
    assert moved.json()["facts_revised"] == 1
    assert _objects(http, key, group) == ["Berlin"]
    assert _objects(http, key, group, as_of="2023-06-01T00:00:00Z") == ["Paris"]
    ended = _post(
        http, "/v1/facts/invalidate", key, {**fact, "object": "Berlin", "invalid_at": LEAVE}
    )
    assert ended.status_code == 200, ended.text
    assert _objects(http, key, group) == []
    assert _objects(http, key, group, as_of="2024-06-01T00:00:00Z") == ["Berlin"]

    job = {"subject": "Alice", "relation": "WORKS_AT", "object": "Acme", "group_id": group}
    assert _post(http, "/v1/facts/add", key, job).status_code == 200
    assert _objects(http, key, group) == ["Acme"]
    retracted = _post(http, "/v1/facts/retract", key, job)
    assert retracted.status_code == 200, retracted.text
    assert retracted.json()["facts_retracted"] == 1
    assert _objects(http, key, group) == []
    twice = _post(http, "/v1/facts/retract", key, job)
    assert twice.status_code == 404
    assert twice.json()["error"]["code"] == "not_found"
    typo = _post(http, "/v1/facts/invalidate", key, {**fact, "subject": "Alicia", "object": "X"})
    assert typo.status_code == 404, typo.text
    unzoned = _post(
        http, "/v1/facts/add", key, {**fact, "object": "Rome", "valid_at": "2023-01-01T00:00"}
    )
    assert unzoned.status_code == 400, unzoned.text
    huge = _post(http, "/v1/facts/add", key, {**fact, "subject": "A" * 5_000, "object": "X"})
    assert huge.status_code == 400, huge.text
    assert huge.json()["error"]["code"] == "bad_input"
    assert _objects(http, key, group) == []  # nothing half-written


def test_forget_over_http(http: TestClient, tenants: Tenants, memory: Memory) -> None:
    key, group = tenants.key_a, tenants.group_a
    assert _post(http, "/v1/dialogue", key, {"group_id": group, "turns": TURNS}).is_success
    episode = _post(http, "/v1/forget/episode", key, {"episode": "t1", "group_id": group})
    assert episode.status_code == 200, episode.text
    receipt = episode.json()
    assert receipt["kind"] == "episode"
    assert receipt["group_id"] == group
    assert receipt["episodes"] == 1
    assert "Paris" not in episode.text  # counts, never content
    assert "Paris" not in [r.object for r in memory.history("Alice", group_id=group)]
    missing = _post(http, "/v1/forget/episode", key, {"episode": "t1", "group_id": group})
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"

    entity = _post(http, "/v1/forget/entity", key, {"name": "Alice", "group_id": group})
    assert entity.status_code == 200, entity.text
    assert entity.json()["kind"] == "entity"
    assert entity.json()["episodes"] == 2
    assert memory.stats(group).facts == 0
    again = _post(http, "/v1/forget/entity", key, {"name": "Alice", "group_id": group})
    assert again.status_code == 404, again.text
    assert memory.stats(group).episodes == 0

    assert _post(http, "/v1/dialogue", key, {"group_id": group, "turns": TURNS}).is_success
    no_group = _post(http, "/v1/forget/group", key, {})
    assert no_group.status_code == 400  # a whole group is never erased by default
    assert no_group.json()["error"]["where"] == "body.group_id"
    whole = _post(http, "/v1/forget/group", key, {"group_id": group})
    assert whole.status_code == 200, whole.text
    assert whole.json()["kind"] == "group"
    assert whole.json()["episodes"] == 3
    assert memory.stats(group).episodes == 0
    listed = http.get("/v1/groups", headers={"Authorization": f"Bearer {key}"}).json()
    assert listed["items"] == []


@pytest.fixture
def remote(app: FastAPI, tenants: Tenants) -> Iterator[Client]:
    with serving(app) as url, Client(url, api_key=tenants.key_a) as client:
        yield client


def test_the_client_adds_facts_and_forgets_as_the_memory_does(
    remote: Client, memory: Memory, tenants: Tenants
) -> None:
    group, local = tenants.group_a, unique("local")
    for mem, where in ((remote, group), (memory, local)):
        first = mem.add_fact("Alice", "LIVES_IN", "Paris", valid_at=START, group_id=where)
        assert first.facts_added == 1
        moved = mem.add_fact(
            "Alice", "LIVES_IN", "Berlin", valid_at=MOVE, group_id=where, object_label="City"
        )
        assert moved.facts_revised == 1
        ended = mem.invalidate_fact("Alice", "LIVES_IN", "Berlin", invalid_at=LEAVE, group_id=where)
        assert ended.facts_revised == 1
        mem.add_fact("Alice", "WORKS_AT", "Acme", group_id=where, text="Alice joined Acme")
        assert mem.retract_fact("Alice", "WORKS_AT", "Acme", group_id=where).facts_retracted == 1
    assert [
        r.model_dump(include={"relation", "object", "valid_at", "invalid_at"})
        for r in remote.history("Alice", group_id=group)
    ] == [
        r.model_dump(include={"relation", "object", "valid_at", "invalid_at"})
        for r in memory.history("Alice", group_id=local)
    ]
    with pytest.raises(NotFoundError, match="no current fact"):
        remote.retract_fact("Alice", "WORKS_AT", "Acme", group_id=group)

    remote.add_dialogue(TURNS, group_id=group)
    receipt = remote.forget_episode("t2", group_id=group, source="chat")
    assert (receipt.kind, receipt.group_id, receipt.episodes) == ("episode", group, 1)
    assert receipt.erased_at.tzinfo is not None
    with pytest.raises(NotFoundError):
        remote.forget_episode("t2", group_id=group)
    assert remote.forget_entity("Alice", group_id=group).kind == "entity"
    with pytest.raises(NotFoundError):
        remote.entity("Alice", group_id=group)
    gone = remote.forget_group(group)
    assert gone.kind == "group"
    assert remote.stats(group).episodes == 0
    assert memory.forget_group(local).kind == "group"
    with pytest.raises(RemoteError) as forbidden:
        remote.forget_group(tenants.group_b)
    assert forbidden.value.status == 403
    with pytest.raises(InputError):
        remote.add_fact("Alice", "LIVES_IN", "Rome", valid_at="soon", group_id=group)


def test_the_async_client_adds_facts_and_forgets(app: FastAPI, tenants: Tenants) -> None:
    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with AsyncClient(
            "http://127.0.0.1", api_key=tenants.key_a, transport=transport
        ) as mem:
            group = tenants.group_a
            assert (await mem.add_fact("Bo", "LIVES_IN", "Oslo", group_id=group)).facts_added == 1
            ended = await mem.invalidate_fact("Bo", "LIVES_IN", "Oslo", group_id=group)
            assert ended.facts_revised == 1
            await mem.add_fact("Bo", "LIKES", "Tea", group_id=group)
            assert (await mem.retract_fact("Bo", "LIKES", "Tea", group_id=group)).facts_retracted
            await mem.add_dialogue(TURNS, group_id=group)
            assert (await mem.forget_episode("t3", group_id=group)).episodes == 1
            assert (await mem.forget_entity("Bo", group_id=group)).kind == "entity"
            assert (await mem.forget_group(group)).kind == "group"
            assert (await mem.stats(group)).episodes == 0
            with pytest.raises(RemoteError):
                await mem.forget_entity("Bob", group_id=tenants.group_b)

    asyncio.run(scenario())


def test_the_mcp_add_fact_and_forget_tools(memory: Memory, tenants: Tenants) -> None:
    group, other = tenants.group_a, tenants.group_b
    memory.add_fact("Bob", "LIVES_IN", "Zanzibar", group_id=other)
    before = memory.stats(other)
    principal = Principal("a", frozenset({group}))
    server = build_mcp(Gate(memory), fixed_principal(principal))

    async def scenario() -> None:
        async with McpClient(server) as client:
            added = await client.call_tool(
                "add_fact",
                {"subject": "Alice", "relation": "LIVES_IN", "object": "Paris", "group_id": group},
            )
            assert not added.is_error, added.content
            assert added.structured_content is not None
            assert added.structured_content["facts_added"] == 1
            forgot = await client.call_tool(
                "forget", {"what": "entity", "target": "Alice", "group_id": group}
            )
            assert not forgot.is_error, forgot.content
            assert forgot.structured_content is not None
            assert forgot.structured_content["kind"] == "entity"
            assert forgot.structured_content["facts"] == 1
            unclear = await client.call_tool("forget", {"what": "entity", "group_id": group})
            assert unclear.is_error
            missing = await client.call_tool(
                "forget", {"what": "episode", "target": "nope", "group_id": group}
            )
            assert missing.is_error
            assert "no episode" in " ".join(getattr(c, "text", "") for c in missing.content)
            for arguments in (
                {"what": "group", "group_id": other},
                {"what": "entity", "target": "Bob", "group_id": other},
                {"what": "episode", "target": "x", "group_id": other},
            ):
                refused = await client.call_tool("forget", arguments)
                text = " ".join(getattr(c, "text", "") for c in refused.content)
                assert refused.is_error
                assert "may not use group" in text, text
                assert "Zanzibar" not in text
            refused = await client.call_tool(
                "add_fact",
                {"subject": "Bob", "relation": "LIVES_IN", "object": "Mars", "group_id": other},
            )
            assert refused.is_error
            whole = await client.call_tool("forget", {"what": "group", "group_id": group})
            assert whole.structured_content is not None
            assert whole.structured_content["kind"] == "group"

    asyncio.run(scenario())
    assert memory.stats(other) == before
    assert memory.stats(group).episodes == 0
