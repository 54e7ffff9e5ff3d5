"""Fact listing: every FactFilter field against the reference semantics, order, limit, and
neighbours. The hypothesis test compares the store with ``FactFilter.accepts`` on random data."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chronomem.engine.store import FactFilter, GraphStore, WriteBatch
from chronomem.schema import Entity, Episode, Fact, utcnow
from tests.contract.conftest import new_group
from tests.contract.samples import at, entity, episode, fact

T = TypeVar("T")

INSTANTS = [at(2000), at(2005), at(2010), at(2015), at(2020), at(2100)]
"""Past instants and one far future (so "now" never falls between two of them)."""


def _uuids(facts: list[Fact]) -> list[str]:
    return [f.uuid for f in facts]


def _expected(facts: list[Fact], where: FactFilter) -> set[str]:
    now = utcnow()
    return {f.uuid for f in facts if where.accepts(f, now)}


@pytest.fixture
def timeline(store: GraphStore, group: str) -> tuple[list[Entity], list[Fact]]:
    """A small fact set covering every interval shape and transaction-time state."""
    a, b, c = entity(group, "A"), entity(group, "B"), entity(group, "C")
    facts = [
        fact(group, a, b, "open both ends", "KNOWS", created_at=at(2000)),
        fact(group, a, c, "from 2010", "WORKS_AT", valid_at=at(2010), created_at=at(2010)),
        fact(group, a, c, "until 2010", "WORKS_AT", invalid_at=at(2010), created_at=at(2005)),
        fact(
            group,
            b,
            c,
            "2005 to 2015",
            "LIVES_IN",
            valid_at=at(2005),
            invalid_at=at(2015),
            created_at=at(2005),
        ),
        fact(
            group,
            b,
            a,
            "expired in 2015",
            "LIKES",
            valid_at=at(2000),
            created_at=at(2005),
            expired_at=at(2015),
        ),
        fact(group, c, a, "until the future", "LIKES", invalid_at=at(2100), created_at=at(2020)),
        fact(
            group,
            c,
            b,
            "believed 2010-2020",
            "KNOWS",
            valid_at=at(2015),
            created_at=at(2010),
            expired_at=at(2020),
        ),
    ]
    store.write(WriteBatch(entities=[a, b, c], facts=facts))
    return [a, b, c], facts


FILTERS = {
    "default": lambda e: FactFilter(),
    "as_of_before_all": lambda e: FactFilter(as_of=at(2001)),
    "as_of_on_a_boundary": lambda e: FactFilter(as_of=at(2010)),
    "as_of_later": lambda e: FactFilter(as_of=at(2016)),
    "known_at_2012": lambda e: FactFilter(known_at=at(2012)),
    "known_at_boundary": lambda e: FactFilter(known_at=at(2015)),
    "known_at_and_as_of": lambda e: FactFilter(known_at=at(2012), as_of=at(2016)),
    "current_only": lambda e: FactFilter(current_only=True),
    "current_only_ignored_with_as_of": lambda e: FactFilter(current_only=True, as_of=at(2006)),
    "valid_from": lambda e: FactFilter(valid_from=at(2010)),
    "valid_to": lambda e: FactFilter(valid_to=at(2010)),
    "valid_range": lambda e: FactFilter(valid_from=at(2011), valid_to=at(2014)),
    "relations": lambda e: FactFilter(relations=("WORKS_AT", "LIKES")),
    "no_relations": lambda e: FactFilter(relations=()),
    "subjects": lambda e: FactFilter(subject_uuids=(e[0].uuid,)),
    "objects": lambda e: FactFilter(object_uuids=(e[0].uuid, e[1].uuid)),
    "either_end": lambda e: FactFilter(entity_uuids=(e[1].uuid,)),
    "either_end_and_subject": lambda e: FactFilter(
        entity_uuids=(e[1].uuid,), subject_uuids=(e[0].uuid,)
    ),
    "everything_combined": lambda e: FactFilter(
        known_at=at(2016),
        as_of=at(2012),
        relations=("KNOWS", "LIVES_IN", "WORKS_AT"),
        subject_uuids=(e[0].uuid, e[1].uuid),
        valid_from=at(2001),
        valid_to=at(2100),
    ),
}


@pytest.mark.parametrize("name", list(FILTERS))
def test_list_facts_matches_reference_semantics(
    store: GraphStore, group: str, timeline: tuple[list[Entity], list[Fact]], name: str
) -> None:
    entities, facts = timeline
    where = FILTERS[name](entities)

    got = _uuids(store.list_facts(group, where))

    assert len(got) == len(set(got))
    assert set(got) == _expected(facts, where)


def test_list_facts_order_is_valid_at_unknown_first_then_creation(
    store: GraphStore, group: str
) -> None:
    a, b = entity(group, "A"), entity(group, "B")
    f1 = fact(group, a, b, "f1", valid_at=at(2010), created_at=at(2001))
    f2 = fact(group, a, b, "f2", valid_at=None, created_at=at(2003))
    f3 = fact(group, a, b, "f3", valid_at=at(2005), created_at=at(2004))
    f4 = fact(group, a, b, "f4", valid_at=None, created_at=at(2002))
    f5 = fact(group, a, b, "f5", valid_at=at(2010), created_at=at(2000))
    store.write(WriteBatch(entities=[a, b], facts=[f1, f2, f3, f4, f5]))

    got = _uuids(store.list_facts(group, FactFilter()))

    assert got == [f4.uuid, f2.uuid, f3.uuid, f5.uuid, f1.uuid]


def test_list_facts_limit(store: GraphStore, group: str) -> None:
    a, b = entity(group, "A"), entity(group, "B")
    facts = [fact(group, a, b, f"f{i}", valid_at=at(2000 + i)) for i in range(5)]
    store.write(WriteBatch(entities=[a, b], facts=facts))

    assert _uuids(store.list_facts(group, FactFilter(), limit=2)) == _uuids(facts[:2])
    assert len(store.list_facts(group, FactFilter(), limit=None)) == 5


def test_neighbors_are_facts_touching_the_entities(store: GraphStore, group: str) -> None:
    a, b, c, d = (entity(group, n) for n in "ABCD")
    ab = fact(group, a, b, "A-B", "KNOWS")
    bc = fact(group, b, c, "B-C", "LIKES")
    cd = fact(group, c, d, "C-D", "KNOWS")
    bb = fact(group, b, b, "B-B", "KNOWS")
    old = fact(group, b, d, "B-D old", "KNOWS", created_at=at(2010), expired_at=at(2020))
    store.write(WriteBatch(entities=[a, b, c, d], facts=[ab, bc, cd, bb, old]))

    assert set(_uuids(store.neighbors(group, [b.uuid], FactFilter()))) == {
        ab.uuid,
        bc.uuid,
        bb.uuid,
    }
    got = _uuids(store.neighbors(group, [b.uuid, d.uuid], FactFilter(relations=("KNOWS",))))
    assert sorted(got) == sorted([ab.uuid, cd.uuid, bb.uuid])
    assert set(_uuids(store.neighbors(group, [d.uuid], FactFilter(known_at=at(2019))))) == {
        old.uuid
    }
    assert len(store.neighbors(group, [b.uuid], FactFilter(), limit=2)) == 2
    assert store.neighbors(group, [], FactFilter()) == []
    assert store.neighbors(group, ["unknown"], FactFilter()) == []


def test_list_facts_of_episodes_follows_provenance(store: GraphStore, group: str) -> None:
    first, second, third = (episode(group, f"turn {i}", source_id=f"t{i}") for i in range(3))
    a, b = entity(group, "A"), entity(group, "B")
    only_first = fact(group, a, b, "from the first", episodes=[first.uuid])
    both = fact(group, b, a, "from the first and second", episodes=[first.uuid, second.uuid])
    later = fact(group, a, b, "from the third", episodes=[third.uuid])
    expired = fact(group, a, a, "from the second, expired", episodes=[second.uuid])
    expired = expired.model_copy(update={"expired_at": at(2030)})
    orphan = fact(group, b, b, "from no episode")
    facts = [only_first, both, later, expired, orphan]
    store.write(WriteBatch(episodes=[first, second, third], entities=[a, b], facts=facts))

    def listed(*episodes: str, **fields: object) -> set[str]:
        where = FactFilter(episode_uuids=episodes, **fields)  # type: ignore[arg-type]
        got = store.list_facts(group, where)
        assert len(got) == len(set(_uuids(got)))
        assert set(_uuids(got)) == _expected(facts, where)
        return set(_uuids(got))

    assert listed(first.uuid) == {only_first.uuid, both.uuid}
    assert listed(second.uuid) == {both.uuid}
    assert listed(second.uuid, known_at=at(2029)) == {both.uuid, expired.uuid}
    assert listed(first.uuid, third.uuid, relations=("RELATED_TO",)) == {
        only_first.uuid,
        both.uuid,
        later.uuid,
    }
    assert listed() == set()
    assert listed("no-such-episode") == set()
    assert store.list_facts(group, FactFilter(episode_uuids=(first.uuid,)), limit=1) != []

    # A fact seen again in another turn is found from that turn too.
    later_again = later.model_copy(update={"episodes": [third.uuid, second.uuid]})
    store.write(WriteBatch(facts=[later_again]))
    facts[2] = later_again
    assert listed(second.uuid) == {both.uuid, later.uuid}


# -- property: the store agrees with FactFilter.accepts on random facts and filters -----------

times = st.sampled_from(INSTANTS)
maybe_time = st.none() | times
ends = st.integers(min_value=0, max_value=2)
relations = st.sampled_from(["KNOWS", "LIKES", "WORKS_AT"])


@dataclass(frozen=True)
class FactSpec:
    subject: int
    object: int
    relation: str
    valid_at: datetime | None
    invalid_at: datetime | None
    created_at: datetime
    expired_at: datetime | None
    episodes: tuple[int, ...]


@dataclass(frozen=True)
class FilterSpec:
    as_of: datetime | None
    known_at: datetime | None
    current_only: bool
    valid_from: datetime | None
    valid_to: datetime | None
    relations: tuple[str, ...] | None
    subjects: tuple[int, ...] | None
    objects: tuple[int, ...] | None
    ends: tuple[int, ...] | None
    episodes: tuple[int, ...] | None

    def build(self, people: list[Entity], turns: list[Episode]) -> FactFilter:
        def uuids(indices: tuple[int, ...] | None) -> tuple[str, ...] | None:
            return None if indices is None else tuple(people[i].uuid for i in indices)

        return FactFilter(
            as_of=self.as_of,
            known_at=self.known_at,
            current_only=self.current_only,
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            relations=self.relations,
            subject_uuids=uuids(self.subjects),
            object_uuids=uuids(self.objects),
            entity_uuids=uuids(self.ends),
            episode_uuids=None
            if self.episodes is None
            else tuple(turns[i].uuid for i in self.episodes),
        )


@st.composite
def fact_specs(draw: st.DrawFn) -> FactSpec:
    created = draw(times)
    later = [t for t in INSTANTS if t >= created]
    return FactSpec(
        subject=draw(ends),
        object=draw(ends),
        relation=draw(relations),
        valid_at=draw(maybe_time),
        invalid_at=draw(maybe_time),
        created_at=created,
        expired_at=draw(st.none() | st.sampled_from(later)),
        episodes=tuple(draw(st.lists(ends, max_size=2, unique=True))),
    )


def _subsets(values: st.SearchStrategy[T]) -> st.SearchStrategy[tuple[T, ...] | None]:
    return st.none() | st.lists(values, max_size=3, unique=True).map(tuple)


filter_specs = st.builds(
    FilterSpec,
    as_of=maybe_time,
    known_at=maybe_time,
    current_only=st.booleans(),
    valid_from=maybe_time,
    valid_to=maybe_time,
    relations=_subsets(relations),
    subjects=_subsets(ends),
    objects=_subsets(ends),
    ends=_subsets(ends),
    episodes=_subsets(ends),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    specs=st.lists(fact_specs(), min_size=0, max_size=12),
    filters=st.lists(filter_specs, min_size=1, max_size=5),
)
def test_list_facts_agrees_with_reference_on_random_data(
    store: GraphStore, specs: list[FactSpec], filters: list[FilterSpec]
) -> None:
    group = new_group()  # a fresh group per example: examples share the store
    people = [entity(group, f"E{i}-{uuid.uuid4().hex[:6]}") for i in range(3)]
    turns = [episode(group, f"turn {i}", source_id=f"t{i}") for i in range(3)]
    facts = [
        fact(
            group,
            people[spec.subject],
            people[spec.object],
            f"fact {i}",
            spec.relation,
            valid_at=spec.valid_at,
            invalid_at=spec.invalid_at,
            created_at=spec.created_at,
            expired_at=spec.expired_at,
            episodes=[turns[j].uuid for j in spec.episodes],
        )
        for i, spec in enumerate(specs)
    ]
    store.write(WriteBatch(episodes=turns, entities=people, facts=facts))

    for spec in filters:
        where = spec.build(people, turns)
        got = store.list_facts(group, where)
        assert set(_uuids(got)) == _expected(facts, where), where
        assert len(got) == len(set(_uuids(got)))
        keys = [(f.valid_at is not None, f.valid_at or at(1), f.created_at) for f in got]
        assert keys == sorted(keys)
