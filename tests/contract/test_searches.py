"""``searches``: several full-text and vector searches at once give exactly what each would
give alone (a server store sends them as one statement)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chronomem.engine.store import FactFilter, GraphStore, WriteBatch
from chronomem.engine.store.protocol import IndexSearch, search_one_by_one
from tests.contract.samples import angled, at, entity, episode, fact, query

_WORDS = ["alice", "berlin", "paris", "moved", "works", "acme", "zebra"]


def _memory(group: str) -> WriteBatch:
    alice, berlin, acme = (
        entity(group, "Alice", name_embedding=angled(5)),
        entity(group, "Berlin", name_embedding=angled(40)),
        entity(group, "Acme", name_embedding=angled(70)),
    )
    episodes = [
        episode(group, "Alice moved to Berlin", content_embedding=angled(20), source_id="t1"),
        episode(group, "Alice works at Acme", content_embedding=angled(60), source_id="t2",
                sentence_embeddings=[angled(62), angled(3)]),
        episode(group, "Paris in the spring", content_embedding=angled(85), source_id="t3"),
    ]  # fmt: skip
    facts = [
        fact(group, alice, berlin, "Alice lives in Berlin", "LIVES_IN", valid_at=at(2024),
             fact_embedding=angled(15), episodes=[episodes[0].uuid]),
        fact(group, alice, acme, "Alice works at Acme", "WORKS_AT", valid_at=at(2023),
             invalid_at=at(2024), fact_embedding=angled(55), episodes=[episodes[1].uuid]),
        fact(group, berlin, acme, "Acme has an office in Berlin", "HAS_OFFICE_IN",
             fact_embedding=angled(35)),
    ]  # fmt: skip
    return WriteBatch(episodes=episodes, entities=[alice, berlin, acme], facts=facts)


_SEARCH = st.builds(
    lambda target, limit, current, words, angle: IndexSearch(
        target=target,
        limit=limit,
        where=FactFilter(current_only=current),
        text=" ".join(words) if angle is None else None,
        embedding=None if angle is None else query(angled(angle)),
    ),
    st.sampled_from(["fact", "entity", "episode"]),
    st.integers(0, 4),
    st.booleans(),
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=3),
    st.none() | st.integers(0, 90),
)


@pytest.fixture
def written(store: GraphStore, group: str) -> tuple[GraphStore, str]:
    store.write(_memory(group))
    return store, group


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(searches=st.lists(_SEARCH, max_size=6))
def test_searches_at_once_equal_each_alone(
    written: tuple[GraphStore, str], searches: list[IndexSearch]
) -> None:
    store, group = written
    together = store.searches(group, searches)
    alone = search_one_by_one(store, group, searches)
    assert [[u for u, _ in hits] for hits in together] == [[u for u, _ in hits] for hits in alone]
    for mine, theirs in zip(together, alone, strict=True):
        assert [s for _, s in mine] == pytest.approx([s for _, s in theirs], abs=1e-6)


def test_searches_find_what_they_should(written: tuple[GraphStore, str]) -> None:
    store, group = written
    text, near = store.searches(
        group,
        [
            IndexSearch(target="fact", limit=5, where=FactFilter(), text="Berlin"),
            IndexSearch(target="entity", limit=1, where=FactFilter(), embedding=query(angled(0))),
        ],
    )
    assert len(text) == 2  # the two facts naming Berlin
    assert len(near) == 1
    assert store.get_entities(group, [near[0][0]])[0].name == "Alice"


def test_an_index_search_takes_text_or_an_embedding() -> None:
    with pytest.raises(ValueError, match="either text or an embedding"):
        IndexSearch(target="fact", limit=1, where=FactFilter())


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(searches=st.lists(_SEARCH, min_size=1, max_size=4), current=st.booleans())
def test_a_pinned_view_answers_as_the_store(
    written: tuple[GraphStore, str], searches: list[IndexSearch], current: bool
) -> None:
    """The reads of a search through ``pinned`` (which a store may answer from a copy its
    index searches found current) equal the store's own, before and after them."""
    store, group = written
    batch = _memory(group)
    view = store.pinned(group)
    for _ in range(3):  # a store keeping copies loads one after repeated searches
        assert view.searches(group, searches) == store.searches(group, searches)
    where = FactFilter(current_only=current)
    entities = [e.uuid for e in batch.entities]
    episodes = [e.uuid for e in batch.episodes]
    facts = [f.uuid for f in batch.facts]
    assert view.get_episodes(group, episodes, vectors=False) == store.get_episodes(
        group, episodes, vectors=False
    )
    assert view.get_entities(group, entities, vectors=False) == store.get_entities(
        group, entities, vectors=False
    )
    assert view.get_facts(group, facts, vectors=False) == store.get_facts(
        group, facts, vectors=False
    )
    assert view.list_facts(group, where, vectors=False) == store.list_facts(
        group, where, vectors=False
    )
    assert view.neighbors(group, entities[:1], where, vectors=False) == store.neighbors(
        group, entities[:1], where, vectors=False
    )
    assert view.adjacent_episodes(group, episodes, 1, 1) == store.adjacent_episodes(
        group, episodes, 1, 1
    )
    assert view.capabilities == store.capabilities
