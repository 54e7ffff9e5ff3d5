"""Full-text search on facts, entities and episodes: BM25 order, filters, hostile queries."""

from __future__ import annotations

import pytest

from chronomem.engine.store import FactFilter, GraphStore, TextTarget, WriteBatch
from tests.contract.samples import at, batch, entity, episode, fact

TARGETS: tuple[TextTarget, ...] = ("fact", "entity", "episode")

HOSTILE = [
    '"',
    '""',
    "'",
    "*",
    "apple*",
    "NEAR",
    "NEAR(apple banana)",
    "apple NEAR/2 banana",
    "OR",
    "AND OR NOT",
    ")",
    "(",
    "((apple",
    "fact:apple",
    "^apple",
    "apple -banana",
    "+apple",
    "~apple",
    "apple~2",
    "[apple TO banana]",
    "{*}",
    "\\",
    "/",
    "&&",
    "||",
    "MATCH (n) DETACH DELETE n",
    "'; DROP TABLE facts; --",
    '"; DROP TABLE facts; --',
    "\x00",
    "   ",
    "",
    "ünïcödé ✓ 日本語",
]


@pytest.fixture
def fruit(store: GraphStore, group: str) -> dict[str, str]:
    """Facts, entities and episodes about fruit; returns name -> uuid."""
    a, b = entity(group, "Apple Orchard", aliases=["Pomme"]), entity(group, "Banana Stand")
    c = entity(group, "Cherry Hill")
    facts = {
        "f_apple3": fact(group, a, b, "apple apple apple banana"),
        "f_apple1": fact(group, a, b, "apple cherry"),
        "f_banana": fact(group, b, c, "banana cherry"),
    }
    episodes = {
        "e_apple": episode(group, "we ate an apple and an apple pie, apple everywhere"),
        "e_banana": episode(group, "a banana split with one apple"),
    }
    store.write(
        WriteBatch(entities=[a, b, c], facts=list(facts.values()), episodes=list(episodes.values()))
    )
    ids = {name: f.uuid for name, f in facts.items()}
    ids |= {name: e.uuid for name, e in episodes.items()}
    ids |= {"apple_orchard": a.uuid, "banana_stand": b.uuid, "cherry_hill": c.uuid}
    return ids


def _ids(hits: list[tuple[str, float]]) -> list[str]:
    return [uuid for uuid, _ in hits]


def test_fact_hits_are_in_bm25_order(store: GraphStore, group: str, fruit: dict[str, str]) -> None:
    hits = store.fulltext(group, "apple", "fact", 10, FactFilter())

    assert _ids(hits) == [fruit["f_apple3"], fruit["f_apple1"]]
    assert hits[0][1] > hits[1][1] > 0


def test_more_matching_terms_rank_higher(
    store: GraphStore, group: str, fruit: dict[str, str]
) -> None:
    hits = store.fulltext(group, "cherry apple", "fact", 10, FactFilter())

    assert _ids(hits)[0] == fruit["f_apple1"]
    assert set(_ids(hits)) == {fruit["f_apple3"], fruit["f_apple1"], fruit["f_banana"]}
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)


def test_entity_hits_match_names_and_aliases(
    store: GraphStore, group: str, fruit: dict[str, str]
) -> None:
    assert _ids(store.fulltext(group, "orchard", "entity", 10, FactFilter())) == [
        fruit["apple_orchard"]
    ]
    assert _ids(store.fulltext(group, "pomme", "entity", 10, FactFilter())) == [
        fruit["apple_orchard"]
    ]
    assert _ids(store.fulltext(group, "stand hill", "entity", 10, FactFilter())) != []


def test_episode_hits_in_bm25_order(store: GraphStore, group: str, fruit: dict[str, str]) -> None:
    hits = store.fulltext(group, "apple", "episode", 10, FactFilter())

    assert _ids(hits) == [fruit["e_apple"], fruit["e_banana"]]


def test_limit_is_respected(store: GraphStore, group: str, fruit: dict[str, str]) -> None:
    assert len(store.fulltext(group, "apple banana cherry", "fact", 1, FactFilter())) == 1


def test_fact_filter_applies(store: GraphStore, group: str) -> None:
    a, b = entity(group, "A"), entity(group, "B")
    old = fact(group, a, b, "zebra crossing", "SAW", created_at=at(2000), expired_at=at(2010))
    new = fact(group, a, b, "zebra stripes", "LIKES", created_at=at(2010))
    store.write(batch(a, b, old, new))

    assert _ids(store.fulltext(group, "zebra", "fact", 10, FactFilter())) == [new.uuid]
    assert _ids(store.fulltext(group, "zebra", "fact", 10, FactFilter(known_at=at(2005)))) == [
        old.uuid
    ]
    assert store.fulltext(group, "zebra", "fact", 10, FactFilter(relations=("NONE",))) == []


@pytest.mark.parametrize("target", ["fact", "entity", "episode"])
@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_query_text_is_plain_text(
    store: GraphStore, group: str, fruit: dict[str, str], target: TextTarget, text: str
) -> None:
    hits = store.fulltext(group, text, target, 10, FactFilter())

    assert isinstance(hits, list)
    assert all(uuid in fruit.values() for uuid, _ in hits)


def test_operators_in_user_text_do_not_change_the_query(
    store: GraphStore, group: str, fruit: dict[str, str]
) -> None:
    # Syntax characters around words are ignored: these find what the bare words find.
    plain = set(_ids(store.fulltext(group, "apple banana", "fact", 10, FactFilter())))
    for text in ['"apple" NOT banana', "apple AND banana", "apple -banana", "(apple) OR (banana)*"]:
        assert set(_ids(store.fulltext(group, text, "fact", 10, FactFilter()))) == plain, text


def test_hostile_queries_leave_the_data_alone(
    store: GraphStore, group: str, fruit: dict[str, str]
) -> None:
    before = store.stats(group)
    for text in HOSTILE:
        for target in TARGETS:
            store.fulltext(group, text, target, 5, FactFilter())
    assert store.stats(group) == before
    assert store.get_facts(group, [fruit["f_banana"]]) != []


@pytest.mark.parametrize("text", ["", "   ", "!!! ???", "*", '"'])
def test_query_without_words_finds_nothing(
    store: GraphStore, group: str, fruit: dict[str, str], text: str
) -> None:
    for target in TARGETS:
        assert store.fulltext(group, text, target, 10, FactFilter()) == []
