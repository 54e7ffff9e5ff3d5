"""Driving a cluster: reads in read transactions (a cluster routes them to any member), writes
in write transactions (to the leader), every session after the store's own last writes
(bookmarks), the routing scheme, and the database and user named in the URI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from neo4j import READ_ACCESS, WRITE_ACCESS, Session
from neo4j import exceptions as neo

from chronomem.engine.embed import HashingEmbedder
from chronomem.engine.store.neo4j import Neo4jStore
from chronomem.engine.store.protocol import Erasure, FactFilter
from chronomem.errors import ConfigurationError, StoreError

from .conftest import DIMENSION, small_graph

pytestmark = pytest.mark.neo4j

Calls = list[tuple[str, dict[str, Any]]]


@pytest.fixture
def transactions(store: Neo4jStore, monkeypatch: pytest.MonkeyPatch) -> Calls:
    """Each transaction function the store runs (``execute_read`` or ``execute_write``) and
    each auto-commit query (``run``: a one-statement read), with the arguments of the session
    it ran in."""
    calls: Calls = []
    driver = store._live_driver()
    open_session = driver.session
    sessions: dict[int, dict[str, Any]] = {}

    def session(**config: Any) -> Session:
        opened = open_session(**config)
        sessions[id(opened)] = config
        return opened

    def spy(kind: str) -> Callable[..., Any]:
        real = getattr(Session, kind)

        def run(self: Session, work: Any, *args: Any, **kwargs: Any) -> Any:
            calls.append((kind, sessions.get(id(self), {})))
            return real(self, work, *args, **kwargs)

        return run

    monkeypatch.setattr(driver, "session", session)
    monkeypatch.setattr(Session, "execute_read", spy("execute_read"))
    monkeypatch.setattr(Session, "execute_write", spy("execute_write"))
    monkeypatch.setattr(Session, "run", spy("run"))
    return calls


def test_reads_run_in_read_transactions_after_the_stores_writes(
    store: Neo4jStore, group: str, embedder: HashingEmbedder, transactions: Calls
) -> None:
    batch = small_graph(group, embedder)
    store.write(batch)
    assert [kind for kind, _ in transactions] == ["execute_write"]
    assert transactions[0][1]["default_access_mode"] == WRITE_ACCESS
    transactions.clear()
    episodes = [e.uuid for e in batch.episodes]
    entities = [e.uuid for e in batch.entities]
    query = embedder.embed(["where does Alice work"])[0]
    store.get_episodes(group, episodes)
    store.adjacent_episodes(group, episodes)
    store.known_sources(group, "chat", ["x"])
    store.get_entities(group, entities)
    store.find_entities(group, ["Alice"])
    store.get_facts(group, [f.uuid for f in batch.facts])
    store.list_facts(group, FactFilter())
    store.neighbors(group, entities, FactFilter())
    store.mentions(group, episodes)
    store.stats(group)
    store.groups()
    store.dump(group)
    store.get_meta("nothing")
    for target in ("fact", "entity", "episode"):
        store.fulltext(group, "Alice Acme", target, 5, FactFilter())
        store.vector(group, query, target, 5, FactFilter())
    assert transactions
    # one-statement reads are auto-commit queries (one round trip), the others transactions
    assert {kind for kind, _ in transactions} == {"execute_read", "run"}
    assert {config["default_access_mode"] for _, config in transactions} == {READ_ACCESS}
    managers = {id(config["bookmark_manager"]) for _, config in transactions}
    assert managers == {id(store._bookmarks)}


def test_writes_run_in_write_transactions_and_move_the_bookmarks(
    store: Neo4jStore, group: str, embedder: HashingEmbedder, transactions: Calls
) -> None:
    before = store.bookmarks
    batch = small_graph(group, embedder)
    store.write(batch)
    after_write = store.bookmarks
    store.set_meta(f"test:{group}", "x")
    with store.lock_group(group, timeout=5.0):
        pass
    store.erase(Erasure(group_id=group, episodes=[batch.episodes[0].uuid]))
    assert {kind for kind, _ in transactions} == {"execute_write"}
    assert {config["default_access_mode"] for _, config in transactions} == {WRITE_ACCESS}
    assert after_write
    assert after_write != before
    assert store.bookmarks != after_write


def test_a_read_failing_on_a_transient_error_is_sent_again(
    store: Neo4jStore, group: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Session.run
    failures = [neo.TransientError("Neo.TransientError.General.TemporarilyUnavailable")]

    def flaky(self: Session, *args: Any, **kwargs: Any) -> Any:
        if failures:
            raise failures.pop()
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Session, "run", flaky)
    assert store.get_meta(f"nothing:{group}") is None
    assert not failures


def test_a_read_failing_otherwise_is_not_sent_again(
    store: Neo4jStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = []

    def broken(self: Session, *args: Any, **kwargs: Any) -> Any:
        sent.append(args)
        raise neo.ClientError("Neo.ClientError.Statement.SyntaxError")

    monkeypatch.setattr(Session, "run", broken)
    with pytest.raises(StoreError, match="reading a setting"):
        store.get_meta("anything")
    assert len(sent) == 1


def _with(uri: str, *, scheme: str | None = None, path: str = "", user: str = "") -> str:
    parts = urlsplit(uri)
    netloc = f"{user}@{parts.netloc}" if user else parts.netloc
    return f"{scheme or parts.scheme}://{netloc}{path}"


def test_the_routing_scheme_reads_and_writes_through_the_routing_table(
    neo4j_uri: str, neo4j_auth: tuple[str, str] | None, group: str, embedder: HashingEmbedder
) -> None:
    with Neo4jStore(_with(neo4j_uri, scheme="neo4j"), auth=neo4j_auth, dimension=DIMENSION) as s:
        batch = small_graph(group, embedder)
        s.write(batch)
        assert s.dump(group).facts
        hits = s.vector(group, embedder.embed(["Alice works"])[0], "fact", 2, FactFilter())
        assert len(hits) == 2


def test_the_database_in_the_uri_path_is_used(
    neo4j_uri: str,
    neo4j_auth: tuple[str, str] | None,
    group: str,
    embedder: HashingEmbedder,
    store: Neo4jStore,
) -> None:
    default = store._rows("naming the default database", "CALL db.info() YIELD name RETURN name")
    name = str(default[0]["name"])
    uri = _with(neo4j_uri, path=f"/{name}")
    with Neo4jStore(uri, auth=neo4j_auth, dimension=DIMENSION) as named:
        assert named.database == name
        assert named.uri == uri
        named.write(small_graph(group, embedder))
        found = named._rows("naming the database", "CALL db.info() YIELD name RETURN name")
        assert found[0]["name"] == name
    assert store.stats(group).facts == 2  # the default database is that one


@pytest.mark.parametrize("scheme", ["bolt", "neo4j"])
def test_a_database_the_server_does_not_hold_is_refused_clearly(
    neo4j_uri: str, neo4j_auth: tuple[str, str] | None, scheme: str
) -> None:
    uri = _with(neo4j_uri, scheme=scheme, path="/no-such-memory")
    with pytest.raises(ConfigurationError) as caught:
        Neo4jStore(uri, auth=neo4j_auth, dimension=DIMENSION)
    message = str(caught.value)
    assert "no database 'no-such-memory'" in message
    assert "--database" in message


def test_two_databases_or_two_users_are_refused(
    neo4j_uri: str, neo4j_auth: tuple[str, str] | None
) -> None:
    with pytest.raises(ConfigurationError, match="names database 'neo4j' but 'other'"):
        Neo4jStore(_with(neo4j_uri, path="/neo4j"), database="other", dimension=DIMENSION)
    with pytest.raises(ConfigurationError, match="names user 'ann' but user 'bob'"):
        Neo4jStore(_with(neo4j_uri, user="ann"), auth=("bob", "pw"), dimension=DIMENSION)
    with pytest.raises(ConfigurationError, match="names user 'ann' but no password"):
        Neo4jStore(_with(neo4j_uri, user="ann"), dimension=DIMENSION)


def test_credentials_in_the_uri_reach_the_server_and_never_show(
    neo4j_uri: str, neo4j_auth: tuple[str, str] | None
) -> None:
    user, password = neo4j_auth or ("someone", "any-password")  # auth off: any is accepted
    parts = urlsplit(neo4j_uri)
    uri = f"{parts.scheme}://{user}:{password}@{parts.netloc}"
    with Neo4jStore(uri, dimension=DIMENSION) as opened:
        assert opened.stats().groups >= 0
        assert password not in opened.uri
        assert opened.uri == f"{parts.scheme}://{user}@{parts.netloc}"
