"""Times are stored as zoned DateTime values and come back as equal, tz-aware UTC datetimes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chronomem.engine.store.neo4j import Neo4jStore
from chronomem.engine.store.protocol import FactFilter, WriteBatch
from chronomem.schema import Entity, Fact

pytestmark = pytest.mark.neo4j

zones = st.sampled_from(
    [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
)
moments = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=zones
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(valid_at=moments, invalid_at=st.none() | moments, created_at=moments)
def test_fact_times_round_trip(
    store: Neo4jStore,
    group: str,
    valid_at: datetime,
    invalid_at: datetime | None,
    created_at: datetime,
) -> None:
    a = Entity(group_id=group, name="A", created_at=created_at)
    b = Entity(group_id=group, name="B", created_at=created_at)
    fact = Fact(
        group_id=group,
        subject_uuid=a.uuid,
        relation="KNOWS",
        object_uuid=b.uuid,
        fact="A knows B",
        valid_at=valid_at,
        invalid_at=invalid_at,
        created_at=created_at,
    )
    store.write(WriteBatch(entities=[a, b], facts=[fact]))
    [stored] = store.get_facts(group, [fact.uuid])
    assert stored == fact
    assert stored.valid_at is not None
    assert stored.valid_at.utcoffset() == valid_at.utcoffset()  # as said (stored as UTC)
    assert stored.created_at.tzinfo == UTC
    [entity] = store.get_entities(group, [a.uuid])
    assert entity.created_at == created_at


def test_filters_compare_instants_across_offsets(store: Neo4jStore, group: str) -> None:
    plus2 = timezone(timedelta(hours=2))
    a = Entity(group_id=group, name="A")
    b = Entity(group_id=group, name="B")
    fact = Fact(
        group_id=group,
        subject_uuid=a.uuid,
        relation="KNOWS",
        object_uuid=b.uuid,
        fact="A knows B",
        valid_at=datetime(2024, 6, 1, 12, 0, tzinfo=plus2),
    )
    store.write(WriteBatch(entities=[a, b], facts=[fact]))
    just_before = datetime(2024, 6, 1, 9, 59, 59, 999999, tzinfo=UTC)
    at = datetime(2024, 6, 1, 10, 0, tzinfo=UTC)
    assert store.list_facts(group, FactFilter(as_of=just_before)) == []
    assert [f.uuid for f in store.list_facts(group, FactFilter(as_of=at))] == [fact.uuid]
