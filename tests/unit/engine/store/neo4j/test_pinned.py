"""The reads of one search pinned to the group's copy in the client (:mod:`.pinned`): the same
answers as the server's, no statement while the copy is current, and never a stale one (a
write by this client or another ends the pin)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chronomem.engine.embed import HashingEmbedder
from chronomem.engine.store.neo4j import Neo4jStore
from chronomem.engine.store.neo4j.pinned import PinnedReads
from chronomem.engine.store.protocol import (
    FactFilter,
    GraphStore,
    IndexSearch,
    ScoredId,
    WriteBatch,
)
from chronomem.query.engine import SearchEngine
from chronomem.query.recipes import RECIPES
from chronomem.query.request import SearchRequest
from chronomem.schema import Entity, Episode, Fact

from .conftest import DIMENSION, T0, statements_of

pytestmark = pytest.mark.neo4j

RELATIONS = ("WORKS_AT", "LIVES_IN", "LIKES")


@dataclass(frozen=True)
class Group:
    """A written group: its id and what was written."""

    group_id: str
    batch: WriteBatch


def written(group: str, embedder: HashingEmbedder) -> WriteBatch:
    """Turns in two sessions, entities, and fact rows of every kind of validity: open,
    started, ended, in the future, expired (replaced), with and without episodes."""
    turns = []
    for i in range(10):
        text = f"turn {i} about alice and acme {i % 3}"
        turns.append(
            Episode(
                group_id=group,
                source="chat",
                content=text,
                reference_time=T0 + timedelta(minutes=i),
                session=("s1", "s2")[i % 2],
                speaker=("Alice", "Bob")[i % 2],
                source_id=f"t{i}",
                content_embedding=embedder.embed([text])[0].tolist(),
            )
        )
    names = ["Alice", "Bob", "Acme", "Berlin", "Paris"]
    entities = [
        Entity(group_id=group, name=n, name_embedding=v.tolist())
        for n, v in zip(names, embedder.embed(names), strict=True)
    ]
    facts = []
    for i in range(18):
        subject, obj = entities[i % 2], entities[2 + i % 3]
        text = f"{subject.name} {RELATIONS[i % 3].lower()} {obj.name} {i}"
        start = None if i % 4 == 0 else T0 + timedelta(days=30 * (i % 5) - 60)
        end = T0 + timedelta(days=10 * i) if i % 3 == 1 else None
        facts.append(
            Fact(
                group_id=group,
                subject_uuid=subject.uuid,
                relation=RELATIONS[i % 3],
                object_uuid=obj.uuid,
                fact=text,
                valid_at=start,
                invalid_at=end if start is None or end is None or end > start else None,
                expired_at=T0 + timedelta(days=1) if i % 7 == 3 else None,
                created_at=T0 - timedelta(days=i),
                episodes=[turns[i % len(turns)].uuid] if i % 5 else [],
                fact_embedding=embedder.embed([text])[0].tolist(),
            )
        )
    return WriteBatch(episodes=turns, entities=entities, facts=facts)


@pytest.fixture(scope="module")
def uncached(neo4j_uri: str, neo4j_auth: tuple[str, str] | None) -> Iterator[Neo4jStore]:
    opened = Neo4jStore(neo4j_uri, auth=neo4j_auth, dimension=DIMENSION, vector_cache_mb=0)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def shared(store: Neo4jStore, embedder: HashingEmbedder) -> Group:
    """One group for the read-only tests of this module, written once."""
    group = f"t-{uuid.uuid4().hex[:12]}"
    batch = written(group, embedder)
    store.write(batch)
    return Group(group, batch)


def pinned_view(store: Neo4jStore, group: str, embedder: HashingEmbedder) -> GraphStore:
    """A view of ``group`` whose index search found the group's copy current (two searches
    before it saw the same stamp, so the copy is loaded)."""
    query = embedder.embed(["alice"])[0]
    for _ in range(2):
        store.vector(group, query, "episode", 3, FactFilter())
    view = store.pinned(group)
    view.vector(group, query, "episode", 3, FactFilter())
    return view


times = st.sampled_from(
    [None, T0 - timedelta(days=90), T0 - timedelta(days=1), T0, T0 + timedelta(days=45)]
)
filters = st.builds(
    FactFilter,
    as_of=times,
    known_at=st.sampled_from([None, T0 - timedelta(days=5), T0 + timedelta(days=2)]),
    current_only=st.booleans(),
    valid_from=times,
    valid_to=times,
    relations=st.none() | st.lists(st.sampled_from(RELATIONS), max_size=2).map(tuple),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    where=filters,
    ends=st.lists(st.integers(0, 4), max_size=3),
    turns=st.lists(st.integers(0, 9), max_size=4),
    limit=st.none() | st.integers(0, 12),
    by_ends=st.sampled_from(["none", "subjects", "objects", "entities", "episodes"]),
)
def test_pinned_reads_equal_the_servers(
    store: Neo4jStore,
    uncached: Neo4jStore,
    shared: Group,
    embedder: HashingEmbedder,
    monkeypatch: pytest.MonkeyPatch,
    where: FactFilter,
    ends: list[int],
    turns: list[int],
    limit: int | None,
    by_ends: str,
) -> None:
    group, batch = shared.group_id, shared.batch
    view = pinned_view(store, group, embedder)
    entity_ids = tuple(batch.entities[i].uuid for i in ends)
    turn_ids = tuple(batch.episodes[i].uuid for i in turns)
    scoped = {
        "none": where,
        "subjects": replace(where, subject_uuids=entity_ids),
        "objects": replace(where, object_uuids=entity_ids),
        "entities": replace(where, entity_uuids=entity_ids),
        "episodes": replace(where, episode_uuids=turn_ids),
    }[by_ends]
    fact_ids = [f.uuid for f in batch.facts[::2]] + ["no-such-fact"]
    sent = statements_of(store, monkeypatch)
    query = embedder.embed(["alice works at acme"])[0]

    mine = (
        view.list_facts(group, scoped, limit, vectors=False),
        view.neighbors(group, entity_ids, where, limit or 1000, vectors=False),
        view.get_facts(group, fact_ids, vectors=False),
        view.get_entities(group, [*entity_ids, "nobody"], vectors=False),
        view.get_episodes(group, [*turn_ids, *turn_ids], vectors=False),
        view.adjacent_episodes(group, turn_ids, 2, 1),
        view.vector(group, query, "fact", limit or 5, scoped),
    )
    assert sent == []  # all answered from the copy
    theirs = (
        uncached.list_facts(group, scoped, limit, vectors=False),
        uncached.neighbors(group, entity_ids, where, limit or 1000, vectors=False),
        uncached.get_facts(group, fact_ids, vectors=False),
        uncached.get_entities(group, [*entity_ids, "nobody"], vectors=False),
        uncached.get_episodes(group, [*turn_ids, *turn_ids], vectors=False),
        uncached.adjacent_episodes(group, turn_ids, 2, 1),
        uncached.vector(group, query, "fact", limit or 5, scoped),
    )
    assert mine[:6] == theirs[:6]
    # Fact vectors: the hits of the store's cached path (which asks the server which rows
    # pass), and the server's scores (its float32 cosines may order exact ties otherwise).
    assert mine[6] == store.vector(group, query, "fact", limit or 5, scoped)
    assert [s for _, s in mine[6]] == pytest.approx([s for _, s in theirs[6]], abs=1e-5)


def test_reads_go_to_the_server_until_an_index_search_finds_the_copy_current(
    store: Neo4jStore, shared: Group, embedder: HashingEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    group = shared.group_id
    pinned_view(store, group, embedder)  # the copy is loaded
    view = store.pinned(group)
    sent = statements_of(store, monkeypatch)
    view.get_episodes(group, [shared.batch.episodes[0].uuid], vectors=False)
    assert len(sent) == 1
    view.fulltext(group, "alice", "episode", 3, FactFilter())  # reads no stamp: no pin
    view.get_episodes(group, [shared.batch.episodes[0].uuid], vectors=False)
    assert len(sent) == 3
    view.searches(group, [IndexSearch(target="fact", limit=3, where=FactFilter(), text="alice")])
    view.vector(group, embedder.embed(["acme"])[0], "entity", 3, FactFilter())
    before = len(sent)
    view.get_episodes(group, [shared.batch.episodes[0].uuid], vectors=False)
    view.get_episodes(group, [shared.batch.episodes[0].uuid], vectors=True)  # vectors: server
    assert len(sent) == before + 1
    assert isinstance(view, PinnedReads)
    assert store.pinned("another-group") is not view


def test_a_write_by_another_client_ends_the_pin_at_the_next_index_search(
    store: Neo4jStore, uncached: Neo4jStore, group: str, embedder: HashingEmbedder
) -> None:
    batch = written(group, embedder)
    store.write(batch)
    view = pinned_view(store, group, embedder)
    new = Episode(
        group_id=group,
        source="chat",
        content="a brand new turn",
        reference_time=T0,
        session="s1",
        source_id="new",
        content_embedding=embedder.embed(["a brand new turn"])[0].tolist(),
    )
    uncached.write(WriteBatch(episodes=[new]))  # another client
    # Pinned: the search reads the state its index search saw (without the new turn) ...
    assert view.get_episodes(group, [new.uuid], vectors=False) == []
    # ... until its next index search reads the new stamp: then the server answers.
    view.vector(group, embedder.embed(["brand new"])[0], "episode", 3, FactFilter())
    assert [e.uuid for e in view.get_episodes(group, [new.uuid], vectors=False)] == [new.uuid]


def test_a_write_through_the_view_ends_the_pin(
    store: Neo4jStore, group: str, embedder: HashingEmbedder
) -> None:
    batch = written(group, embedder)
    store.write(batch)
    view = pinned_view(store, group, embedder)
    extra = Entity(group_id=group, name="Zoe")
    view.write(WriteBatch(entities=[extra]))
    assert [e.name for e in view.get_entities(group, [extra.uuid], vectors=False)] == ["Zoe"]


@pytest.mark.parametrize("recipe", sorted(RECIPES))
def test_a_search_through_the_pinned_reads_finds_what_reads_on_the_server_find(
    store: Neo4jStore,
    shared: Group,
    embedder: HashingEmbedder,
    monkeypatch: pytest.MonkeyPatch,
    recipe: str,
) -> None:
    """Every recipe's results through the pinned reads equal those of the same store with
    every read on the server (its index searches as ever: scored from the vector cache), and
    after its index searches a search sends only what the copy does not answer."""
    group = shared.group_id
    now = T0 + timedelta(days=400)
    mine = SearchEngine(store, embedder, clock=lambda: now, workers=0)
    pinned_view(store, group, embedder)  # the copy is loaded
    queries = ["where does alice work", "Bob and Paris", "acme 2", "turn 4 about alice"]
    requests = [SearchRequest(query=q, group_id=group, recipe=recipe, limit=8) for q in queries]
    sent = statements_of(store, monkeypatch)
    found = [mine.search(request) for request in requests]
    pinned_statements = len(sent)
    monkeypatch.setattr(store, "pinned", lambda group_id: store)  # every read on the server
    assert found == [mine.search(request) for request in requests]
    assert pinned_statements < len(sent) - pinned_statements


def test_once_an_index_search_finds_no_current_copy_the_view_stays_unpinned(
    store: Neo4jStore, shared: Group, embedder: HashingEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Index searches sent side by side may finish in any order: one that found the group
    changed is not undone by one that finishes after it with the copy before the change."""
    group = shared.group_id
    view = pinned_view(store, group, embedder)
    assert isinstance(view, PinnedReads)
    held = view._held
    assert held is not None
    view._verified(None)  # an index search saw the stamp changed
    view._verified(held)  # one sent beside it, finishing later, saw the copy current
    sent = statements_of(store, monkeypatch)
    view.get_episodes(group, [shared.batch.episodes[0].uuid], vectors=False)
    assert len(sent) == 1  # from the server


def test_the_graph_generators_fact_search_waits_for_the_pin_instead_of_a_statement(
    store: Neo4jStore, shared: Group, embedder: HashingEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the group's copy held, the graph generator's fact search (sent beside the index
    searches, on another thread) waits for them to pin the view and is scored in the client:
    no statement asks for the facts of the named entities."""
    group = shared.group_id
    engine = SearchEngine(store, embedder, workers=4)
    pinned_view(store, group, embedder)  # the copy is loaded
    answer = store._answer

    def slow(*args: Any, **kwargs: Any) -> list[list[ScoredId]]:
        time.sleep(0.2)  # the index searches are still under way when the fact search comes
        return answer(*args, **kwargs)

    monkeypatch.setattr(store, "_answer", slow)
    scoped: list[object] = []
    rows = store._rows

    def recorded(action: str, statement: str, **params: Any) -> Any:
        scoped.extend(v for k, v in params.items() if k.endswith("end_uuids") and v is not None)
        return rows(action, statement, **params)

    monkeypatch.setattr(store, "_rows", recorded)
    found = engine.search(SearchRequest(query="where does Alice work", group_id=group, limit=8))
    assert any(r.kind == "fact" and r.subject == "Alice" for r in found)
    assert scoped == []
