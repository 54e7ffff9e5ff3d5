"""The HTTP API on each backend: every endpoint, its JSON shape, pagination, and every error
status in the one error shape with the messages the Python API (and so the CLI) gives."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from chronomem.errors import InputError, NotFoundError, StoreUnavailableError
from chronomem.memory import Memory
from tests.server.conftest import TURNS, Tenants, make_app

ERROR_KEYS = {"status", "code", "message", "where"}

MAPPING = {
    "source": "crm.customers",
    "kind": "change_log",
    "entity": {"key": "customer_id", "name": "company", "label": "Customer"},
    "time": {"column": "updated_at"},
    "attributes": [{"column": "plan", "relation": "HAS_PLAN", "label": "Plan"}],
}
ROWS = [
    {"customer_id": "C-1", "company": "Kestrel", "plan": "Starter", "updated_at": "2023-01-02"},
    {"customer_id": "C-1", "company": "Kestrel", "plan": "Pro", "updated_at": "2023-05-02"},
]


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == ERROR_KEYS
    assert body["error"]["status"] == status
    assert body["error"]["code"] == code
    detail: dict[str, Any] = body["error"]
    return detail


def _ingest(http: TestClient, tenants: Tenants) -> None:
    response = http.post(
        "/v1/dialogue",
        json={"group_id": tenants.group_a, "turns": TURNS},
        headers=tenants.auth(tenants.key_a),
    )
    assert response.status_code == 200, response.text
    assert response.json()["episodes_added"] == 3


def test_every_read_after_a_dialogue(http: TestClient, tenants: Tenants) -> None:
    _ingest(http, tenants)
    auth, group = tenants.auth(tenants.key_a), tenants.group_a

    hits = http.post(
        "/v1/search", json={"query": "Where does Alice live?", "group_id": group}, headers=auth
    ).json()["results"]
    assert any(h["object"] == "Berlin" and h["invalid_at"] is None for h in hits)
    assert all(h["group_id"] == group for h in hits)

    then = http.post(
        "/v1/search",
        json={
            "query": "Where does Alice live?",
            "group_id": group,
            "as_of": "2023-03-01T00:00:00Z",
            "kinds": ["fact"],
            "relations": ["lives_in"],
            "limit": 5,
        },
        headers=auth,
    ).json()["results"]
    assert [h["object"] for h in then] == ["Paris"]

    block = http.post(
        "/v1/context", json={"query": "Alice", "group_id": group}, headers=auth
    ).json()["context"]
    assert "Berlin" in block

    facts = http.get("/v1/facts", params={"group_id": group, "subject": "Alice"}, headers=auth)
    assert {f["object"] for f in facts.json()["items"]} == {"Berlin", "Acme"}
    past = http.get(
        "/v1/facts",
        params={"group_id": group, "subject": "Alice", "as_of": "2023-03-01T00:00:00Z"},
        headers=auth,
    ).json()["items"]
    assert {f["object"] for f in past} == {"Paris", "Acme"}

    history = http.get(
        "/v1/history", params={"group_id": group, "entity": "Alice"}, headers=auth
    ).json()
    assert [f["object"] for f in history["items"]] == ["Paris", "Acme", "Berlin"]
    assert history["total"] == 3
    assert history["next_offset"] is None

    entity = http.get("/v1/entity", params={"group_id": group, "name": "alice"}, headers=auth)
    assert entity.json()["name"] == "Alice"
    assert entity.json()["name_embedding"] is None

    around = http.get(
        "/v1/neighbors", params={"group_id": group, "entity": "Berlin"}, headers=auth
    ).json()["items"]
    assert [f["subject"] for f in around] == ["Alice"]

    found = http.get(
        "/v1/paths",
        params={"group_id": group, "source": "Paris", "target": "Berlin"},
        headers=auth,
    ).json()["paths"]
    assert found
    assert all(len(path) == 2 for path in found)

    stats = http.get("/v1/stats", params={"group_id": group}, headers=auth).json()
    assert stats["episodes"] == 3
    assert stats["current_facts"] == 2

    groups = http.get("/v1/groups", headers=auth).json()
    assert groups["items"] == [group]


def test_records_with_a_mapping(http: TestClient, tenants: Tenants) -> None:
    auth, group = tenants.auth(tenants.key_a), tenants.group_a
    body = {"group_id": group, "mapping": MAPPING, "rows": ROWS}
    response = http.post("/v1/records", json=body, headers=auth)
    assert response.status_code == 200, response.text
    assert response.json()["episodes_added"] == 2
    history = http.get(
        "/v1/history",
        params={"group_id": group, "entity": "Kestrel", "relation": "HAS_PLAN"},
        headers=auth,
    ).json()["items"]
    assert [(f["object"], f["invalid_at"] is None) for f in history] == [
        ("Starter", False),
        ("Pro", True),
    ]
    again = http.post("/v1/records", json=body, headers=auth).json()
    assert again["episodes_added"] == 0  # idempotent, like the Python API


def test_a_bad_mapping_is_a_400_naming_the_field(http: TestClient, tenants: Tenants) -> None:
    body: dict[str, Any] = {
        "group_id": tenants.group_a,
        "mapping": {**MAPPING, "timezone": "Mars/Olympus"},
    }
    body["rows"] = ROWS
    response = http.post("/v1/records", json=body, headers=tenants.auth(tenants.key_a))
    error = _error(response, 400, "bad_input")
    assert error["where"] == "body.mapping.timezone"
    assert "unknown timezone 'Mars/Olympus'" in error["message"]


def test_pages_walk_the_whole_list(http: TestClient, tenants: Tenants) -> None:
    _ingest(http, tenants)
    auth, group = tenants.auth(tenants.key_a), tenants.group_a
    params: dict[str, Any] = {"group_id": group, "entity": "Alice", "limit": 2}
    first = http.get("/v1/history", params=params, headers=auth).json()
    assert len(first["items"]) == 2
    assert first["total"] == 3
    assert first["next_offset"] == 2
    second = http.get(
        "/v1/history", params={**params, "offset": first["next_offset"]}, headers=auth
    ).json()
    assert second["next_offset"] is None
    whole = http.get("/v1/history", params={"group_id": group, "entity": "Alice"}, headers=auth)
    assert first["items"] + second["items"] == whole.json()["items"]
    too_big = http.get("/v1/history", params={**params, "limit": 5000}, headers=auth)
    assert _error(too_big, 400, "bad_input")["where"] == "query.limit"


def test_bad_input_carries_the_python_apis_message(
    http: TestClient, tenants: Tenants, memory: Memory
) -> None:
    auth, group = tenants.auth(tenants.key_a), tenants.group_a
    _ingest(http, tenants)
    with pytest.raises(InputError) as raised:
        memory.facts(subject="Alice", group_id=group, as_of="last tuesday")
    response = http.get(
        "/v1/facts",
        params={"group_id": group, "subject": "Alice", "as_of": "last tuesday"},
        headers=auth,
    )
    assert _error(response, 400, "bad_input")["message"] == str(raised.value)

    with pytest.raises(NotFoundError) as missing:
        memory.entity("Alicia", group_id=group)
    response = http.get("/v1/entity", params={"group_id": group, "name": "Alicia"}, headers=auth)
    assert _error(response, 404, "not_found")["message"] == str(missing.value)

    naive = [{**TURNS[0], "time": "2023-01-10T09:00:00"}]
    response = http.post("/v1/dialogue", json={"group_id": group, "turns": naive}, headers=auth)
    error = _error(response, 400, "bad_input")
    assert error["where"] == "body.turns.0.time"

    response = http.post(
        "/v1/search", json={"query": "x", "group_id": group, "recipe": "nope"}, headers=auth
    )
    assert "recipe" in _error(response, 400, "bad_input")["message"]

    response = http.post(
        "/v1/search", content=b"{not json", headers={**auth, "content-type": "application/json"}
    )
    _error(response, 400, "bad_input")


def test_a_group_built_with_another_embedder_is_a_409(
    http: TestClient, tenants: Tenants, memory: Memory
) -> None:
    memory.store.set_meta(f"embedder:{tenants.group_a}", "another-model:7")
    response = http.post(
        "/v1/dialogue",
        json={"group_id": tenants.group_a, "turns": TURNS},
        headers=tenants.auth(tenants.key_a),
    )
    assert "another-model:7" in _error(response, 409, "conflict")["message"]


def test_an_oversized_body_is_a_413(memory: Memory, tenants: Tenants) -> None:
    app = make_app(memory, tenants.keys, rate_limit=None, max_body_bytes=2048)
    turns = [{**TURNS[0], "id": f"t{i}", "text": "I live in Paris. " * 20} for i in range(20)]
    with TestClient(app, base_url="http://127.0.0.1") as http:
        response = http.post(
            "/v1/dialogue",
            json={"group_id": tenants.group_a, "turns": turns},
            headers=tenants.auth(tenants.key_a),
        )
        assert "2048 bytes" in _error(response, 413, "too_large")["message"]

        def chunks() -> Any:  # no Content-Length: the limit counts the streamed bytes
            for _ in range(10):
                yield b" " * 512

        streamed = http.post(
            "/v1/search",
            content=chunks(),
            headers={**tenants.auth(tenants.key_a), "content-type": "application/json"},
        )
        _error(streamed, 413, "too_large")
    assert memory.stats(tenants.group_a).episodes == 0


def test_the_rate_limit_is_per_key_and_a_429(memory: Memory, tenants: Tenants) -> None:
    app = make_app(memory, tenants.keys, rate_limit=0.5, burst=2)
    with TestClient(app, base_url="http://127.0.0.1") as http:
        params = {"group_id": tenants.group_a}
        for _ in range(2):
            ok = http.get("/v1/stats", params=params, headers=tenants.auth(tenants.key_a))
            assert ok.status_code == 200
        limited = http.get("/v1/stats", params=params, headers=tenants.auth(tenants.key_a))
        _error(limited, 429, "rate_limited")
        assert int(limited.headers["Retry-After"]) >= 1
        other = http.get(
            "/v1/stats", params={"group_id": tenants.group_b}, headers=tenants.auth(tenants.key_b)
        )
        assert other.status_code == 200  # another key has its own bucket


def test_no_key_a_wrong_key_and_a_revoked_key_are_401(http: TestClient, tenants: Tenants) -> None:
    params = {"group_id": tenants.group_a}
    error = _error(http.get("/v1/stats", params=params), 401, "unauthenticated")
    assert "chronomem keys create" in error["message"]
    forged = tenants.key_a[:-4] + "AAAA"
    _error(
        http.get("/v1/stats", params=params, headers=tenants.auth(forged)), 401, "unauthenticated"
    )
    _error(
        http.get("/v1/stats", params=params, headers={"Authorization": tenants.key_a}),
        401,
        "unauthenticated",
    )
    assert http.get("/v1/stats", params=params, headers=tenants.auth(tenants.key_a)).is_success
    key_id = tenants.key_a.split("_")[1]
    tenants.keys.revoke(key_id)
    revoked = http.get("/v1/stats", params=params, headers=tenants.auth(tenants.key_a))
    assert _error(revoked, 401, "unauthenticated")["message"] == "unknown or revoked API key"


def test_health_and_readiness_need_no_key(http: TestClient) -> None:
    assert http.get("/healthz").json() == {"status": "ok"}
    assert http.get("/readyz").json() == {"status": "ok"}


def test_an_unreachable_store_is_a_503(
    http: TestClient, tenants: Tenants, memory: Memory, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(*_: object, **__: object) -> None:
        raise StoreUnavailableError("cannot reach the store at bolt://nowhere:7687")

    monkeypatch.setattr(memory.store, "get_meta", down)
    monkeypatch.setattr(memory.store, "stats", down)
    assert "bolt://nowhere" in _error(http.get("/readyz"), 503, "store_unavailable")["message"]
    response = http.get(
        "/v1/stats", params={"group_id": tenants.group_a}, headers=tenants.auth(tenants.key_a)
    )
    _error(response, 503, "store_unavailable")


def test_unknown_routes_share_the_error_shape(http: TestClient, tenants: Tenants) -> None:
    _error(http.get("/v1/nothing", headers=tenants.auth(tenants.admin)), 404, "no_route")
    _error(
        http.delete("/v1/search", headers=tenants.auth(tenants.admin)), 405, "method_not_allowed"
    )


def test_openapi_is_generated_from_the_python_apis_models(http: TestClient) -> None:
    spec = http.get("/openapi.json").json()
    schemas = set(spec["components"]["schemas"])
    assert {"SearchRequest", "SearchResult", "Turn", "RecordMapping", "Stats", "Entity"} <= schemas
    assert "ErrorBody" in schemas
    assert {"/v1/search", "/v1/dialogue", "/v1/records", "/v1/facts", "/v1/groups"} <= set(
        spec["paths"]
    )
    search = spec["paths"]["/v1/search"]["post"]
    assert search["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/SearchRequest"
    )
    assert {"400", "401", "403", "413", "429", "503"} <= set(search["responses"])
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_a_request_is_one_transaction_or_refused(
    http: TestClient, tenants: Tenants, memory: Memory
) -> None:
    most = memory.config.batch_size
    turns = [{**TURNS[0], "id": f"many-{i}"} for i in range(most + 1)]
    response = http.post(
        "/v1/dialogue",
        json={"group_id": tenants.group_a, "turns": turns},
        headers=tenants.auth(tenants.key_a),
    )
    error = _error(response, 400, "limit_exceeded")
    assert f"at most {most} turns per request" in error["message"]
    assert memory.stats(tenants.group_a).episodes == 0


def test_a_slow_read_is_a_504_and_the_server_stays_up(
    memory: Memory, tenants: Tenants, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()

    def stuck(*_: object, **__: object) -> None:
        release.wait(timeout=30)

    monkeypatch.setattr(memory, "search", stuck)
    app = make_app(memory, tenants.keys, rate_limit=None, read_timeout=0.3)
    try:
        with TestClient(app, base_url="http://127.0.0.1") as http:
            started = time.monotonic()
            response = http.post(
                "/v1/search",
                json={"query": "x", "group_id": tenants.group_a},
                headers=tenants.auth(tenants.key_a),
            )
            assert time.monotonic() - started < 10
            assert "--read-timeout" in _error(response, 504, "timeout")["message"]
            stats = http.get(
                "/v1/stats",
                params={"group_id": tenants.group_a},
                headers=tenants.auth(tenants.key_a),
            )
            assert stats.status_code == 200
    finally:
        release.set()
