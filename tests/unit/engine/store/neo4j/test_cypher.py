"""The Cypher module: filters built from constant fragments, labels from the allow-list."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from chronomem.engine.store.neo4j import cypher
from chronomem.engine.store.protocol import FactFilter
from chronomem.schema import EntityLabel

NOW = datetime(2024, 6, 1, tzinfo=UTC)


def test_every_filter_field_is_a_parameter() -> None:
    moment = datetime(2020, 1, 1, tzinfo=UTC)
    params = cypher.filter_params(FactFilter(as_of=moment, relations=("WORKS_AT",)), NOW)
    assert params == {
        "now": NOW,
        "known_at": None,
        "as_of": moment,
        "current_only": False,
        "valid_from": None,
        "valid_to": None,
        "relations": ["WORKS_AT"],
        "subject_uuids": None,
        "object_uuids": None,
        "end_uuids": None,
        "episode_uuids": None,
    }
    assert set(re.findall(r"\$(\w+)", cypher.FACT_FILTER)) == set(params)


uuids = st.lists(st.text(min_size=1, max_size=20), max_size=3).map(tuple)


@given(
    relations=st.none() | uuids,
    subjects=st.none() | uuids,
    objects=st.none() | uuids,
    episodes=st.none() | uuids,
    known=st.none() | st.datetimes(timezones=st.just(UTC)),
    limited=st.booleans(),
)
def test_statements_never_depend_on_values(
    relations: tuple[str, ...] | None,
    subjects: tuple[str, ...] | None,
    objects: tuple[str, ...] | None,
    episodes: tuple[str, ...] | None,
    known: datetime | None,
    limited: bool,
) -> None:
    where = FactFilter(
        known_at=known,
        relations=relations,
        subject_uuids=subjects,
        object_uuids=objects,
        episode_uuids=episodes,
    )
    statement = cypher.list_facts_statement(where, limited)
    base = statement.removesuffix(cypher.LIMIT)
    assert (base != statement) == limited
    if episodes is not None:
        assert base == cypher.LIST_FACTS_OF_EPISODES
    elif subjects is not None:
        assert base == cypher.LIST_FACTS_OF_SUBJECTS
    elif objects is not None:
        assert base == cypher.LIST_FACTS_OF_OBJECTS
    else:
        assert base == cypher.LIST_FACTS


def test_allow_list_matches_the_schema_labels() -> None:
    assert set(cypher.NODE_LABELS) == {label.value for label in EntityLabel}


def test_only_allow_listed_labels_are_written() -> None:
    written = set(re.findall(r"(?:SET|REMOVE) n:(\w+)", cypher.WRITE_ENTITIES))
    assert written == set(cypher.NODE_LABELS)


def test_vector_indexes_take_only_an_int_dimension() -> None:
    statements = cypher.vector_index_statements(384)
    assert all("`vector.dimensions`: 384," in s for s in statements)
    for bad in ("384} DETACH DELETE", 0, 10_000, True, 3.5):
        try:
            cypher.vector_index_statements(bad)  # type: ignore[arg-type]
        except ValueError:
            continue
        raise AssertionError(f"accepted {bad!r}")
