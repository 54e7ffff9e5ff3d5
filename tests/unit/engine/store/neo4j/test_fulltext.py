"""Full-text search: plain user text, whatever it holds, can never change a query's meaning."""

from __future__ import annotations

import uuid

import pytest

from chronomem.engine.embed import HashingEmbedder
from chronomem.engine.store.neo4j import Neo4jStore
from chronomem.engine.store.protocol import FactFilter, WriteBatch
from chronomem.schema import Entity

from .conftest import small_graph

pytestmark = pytest.mark.neo4j

HOSTILE = [
    '"',
    "(",
    ")",
    "\\",
    "*",
    "?",
    "*:*",
    "fact:*",
    "group_id:*",
    "AND",
    "OR",
    "NOT",
    "&&",
    "||",
    "!",
    "~",
    "a~2",
    "^",
    "alice^10",
    "[a TO z]",
    "{a TO z}",
    "/.*/",
    "/",
    "alice AND",
    "OR alice",
    'alice" OR "',
    "alice)",
    "(alice",
    "\\alice",
    "alice\\",
    "'); MATCH (n) DETACH DELETE n //",
    "$group_id",
    "` DETACH DELETE",
    "\x00",
    "🙂 ∑ ß",
    "the",
    "of the and",
    " ".join(["alice"] * 3000),
    " ".join(f"w{i}" for i in range(3000)),
]


@pytest.fixture(scope="module")
def graph(store: Neo4jStore) -> tuple[str, WriteBatch]:
    group = f"t-ft-{uuid.uuid4().hex[:12]}"
    batch = small_graph(group, HashingEmbedder(dimension=store.dimension))
    store.write(batch)
    return group, batch


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("target", ["fact", "entity", "episode"])
def test_hostile_text_never_raises(
    store: Neo4jStore, graph: tuple[str, WriteBatch], text: str, target: str
) -> None:
    group, batch = graph
    hits = store.fulltext(group, text, target, 10, FactFilter())  # type: ignore[arg-type]
    allowed = {x.uuid for rows in (batch.facts, batch.entities, batch.episodes) for x in rows}
    assert {uuid for uuid, _ in hits} <= allowed


def test_operators_are_words(store: Neo4jStore, graph: tuple[str, WriteBatch]) -> None:
    group, batch = graph
    works, _lives = batch.facts
    # NOT does not exclude; "*:*" and "group_id:*" do not match everything
    assert {u for u, _ in store.fulltext(group, "NOT Acme", "fact", 10, FactFilter())} == {
        works.uuid
    }
    assert store.fulltext(group, "*:*", "fact", 10, FactFilter()) == []
    assert store.fulltext(group, f"group_id:{group}", "fact", 10, FactFilter()) == []
    # only the fact text is searched, not the relation name stored in the same index
    assert store.fulltext(group, "LIVES_IN", "fact", 10, FactFilter()) == []


def test_words_are_stemmed_and_ranked(store: Neo4jStore, graph: tuple[str, WriteBatch]) -> None:
    group, batch = graph
    works, lives = batch.facts
    hits = store.fulltext(group, "working living Berlin", "fact", 10, FactFilter())
    assert [u for u, _ in hits] == [lives.uuid, works.uuid]
    assert hits[0][1] > hits[1][1] > 0


def test_entities_match_names_and_aliases(store: Neo4jStore, group: str) -> None:
    ent = Entity(group_id=group, name="Robert Smith", aliases=["Bobby", "Rob S."])
    store.write(WriteBatch(entities=[ent]))
    for text in ("robert", "bobby", "Rob"):
        hits = store.fulltext(group, text, "entity", 5, FactFilter())
        assert [uuid for uuid, _ in hits] == [ent.uuid], text


def test_search_stays_in_its_group_and_filter(
    store: Neo4jStore, graph: tuple[str, WriteBatch]
) -> None:
    group, batch = graph
    assert store.fulltext("t-nobody", "Alice", "fact", 10, FactFilter()) == []
    episode_hits = store.fulltext(group, "Berlin", "episode", 10, FactFilter())
    assert [u for u, _ in episode_hits] == [batch.episodes[0].uuid]
    only_works = FactFilter(relations=("WORKS_AT",))
    assert [u for u, _ in store.fulltext(group, "Alice", "fact", 10, only_works)] == [
        batch.facts[0].uuid
    ]


@pytest.mark.parametrize("suffix", ["", "-the", ".a", ":x@y"])
def test_group_prefilter_keeps_exact_groups(store: Neo4jStore, suffix: str) -> None:
    """Groups the analyzer splits, stems or drops (stop words) still get exactly their hits."""
    token = uuid.uuid4().hex[:10]
    mine = f"t-{token}{suffix}"
    near = mine.replace(".", "-").replace(":", "-") + "s"
    written = {}
    for group in (mine, near, "the", "a"):
        written[group] = Entity(group_id=group, name=f"Zyxwv {token}")
        store.write(WriteBatch(entities=[written[group]]))
    for group in (mine, near, "the", "a"):
        hits = store.fulltext(group, token, "entity", 10, FactFilter())
        assert [u for u, _ in hits] == [written[group].uuid], group
