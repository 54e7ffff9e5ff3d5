"""Generators run side by side on worker threads give the results they give one by one."""

from __future__ import annotations

import pytest

from chronomem.engine.store.protocol import GraphStore
from chronomem.errors import InputError
from chronomem.query import SearchEngine, SearchRequest
from tests.unit.query.conftest import EMBEDDER, NOW, World
from tests.unit.query.recording import RecordingStore

QUESTIONS = [
    "Where does Alice live?",
    "Who works at Globex?",
    "Alice's friend Bob",
    "Where did Alise work before?",
    "sailing boat",
    "",
]


def _found(engine: SearchEngine, request: SearchRequest) -> list[tuple[str, str, float]]:
    return [(r.kind, r.uuid, round(r.score, 9)) for r in engine.search(request)]


def _engine(store: GraphStore, workers: int) -> SearchEngine:
    return SearchEngine(store, EMBEDDER, clock=lambda: NOW, workers=workers)


def _requests(recipe: str) -> list[SearchRequest]:
    return [
        SearchRequest(query=question, group_id="g1", recipe=recipe, limit=10)
        for question in QUESTIONS
    ]


@pytest.mark.parametrize("recipe", ["default", "graph", "rrf", "facts_only", "fast"])
def test_threads_do_not_change_results(store: GraphStore, world: World, recipe: str) -> None:
    serial, threaded = _engine(store, 0), _engine(store, 4)
    for request in _requests(recipe):
        one_by_one = _found(serial, request)
        assert _found(threaded, request) == one_by_one, request.query
        if request.query in QUESTIONS[:3]:
            assert one_by_one, request.query


@pytest.mark.parametrize("recipe", ["default", "graph", "rrf", "facts_only", "fast"])
def test_reads_side_by_side_on_a_server_do_not_change_results(
    store: GraphStore, world: World, recipe: str
) -> None:
    """On a server store a search also sends its independent reads side by side (the turns
    around the hits with their centres, the result pool's kinds, the named entities beside
    the index searches): the same results as one by one, and as on a store that is not a
    server."""
    server = RecordingStore(EMBEDDER.dimension, server=True)
    server.write(store.dump("g1"))
    serial, threaded, embedded = _engine(server, 0), _engine(server, 4), _engine(store, 4)
    for request in _requests(recipe):
        one_by_one = _found(serial, request)
        assert _found(threaded, request) == one_by_one, request.query
        assert _found(embedded, request) == one_by_one, request.query


@pytest.mark.parametrize("workers", [-1, 1.5, True])
def test_workers_must_be_a_count(store: GraphStore, workers: object) -> None:
    with pytest.raises(InputError, match="workers"):
        SearchEngine(store, EMBEDDER, workers=workers)  # type: ignore[arg-type]
