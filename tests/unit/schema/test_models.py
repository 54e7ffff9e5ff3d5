"""Schema models: timezone-aware times, clear errors, stable ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from chronomem.errors import TimeError
from chronomem.schema import Episode, Fact, from_micros, parse_time, stable_uuid, to_micros


def test_naive_datetime_is_rejected_with_a_fix() -> None:
    with pytest.raises(TimeError, match="timezone"):
        parse_time(datetime(2024, 1, 1))
    with pytest.raises(ValidationError, match="timezone-aware"):
        Episode(content="hi", reference_time=datetime(2024, 1, 1))


def test_unparseable_time_string_names_the_value() -> None:
    with pytest.raises(TimeError, match="'yesterday-ish'"):
        parse_time("yesterday-ish")


def test_naive_iso_string_is_rejected_but_a_bare_date_is_utc_midnight() -> None:
    with pytest.raises(TimeError):
        parse_time("2024-01-01T10:00:00")
    assert parse_time("2024-01-01") == datetime(2024, 1, 1, tzinfo=UTC)
    assert parse_time("2024-01-01T10:00:00Z").tzinfo is not None


def test_episode_source_id_defaults_to_a_content_hash() -> None:
    t = datetime(2024, 1, 1, tzinfo=UTC)
    a = Episode(content="hello", speaker="A", reference_time=t)
    b = Episode(content="hello", speaker="A", reference_time=t)
    c = Episode(content="hello!", speaker="A", reference_time=t)
    assert a.source_id == b.source_id != c.source_id
    assert a.uuid != b.uuid


def test_fact_validity_and_belief_intervals() -> None:
    t = datetime(2024, 1, 1, tzinfo=UTC)
    fact = Fact(
        subject_uuid="a",
        relation="LIVES_IN",
        object_uuid="b",
        fact="A lives in B",
        valid_at=t,
        invalid_at=t + timedelta(days=10),
        created_at=t,
        expired_at=t + timedelta(days=20),
    )
    assert fact.lineage == fact.uuid
    assert fact.holds_at(t)
    assert not fact.holds_at(t + timedelta(days=10))
    assert fact.known_at(t + timedelta(days=19))
    assert not fact.known_at(t + timedelta(days=20))


def test_relation_names_are_validated() -> None:
    with pytest.raises(ValidationError):
        Fact(subject_uuid="a", relation="lives in`) DELETE", object_uuid="b", fact="x")


def test_stable_uuid_is_deterministic() -> None:
    assert stable_uuid("g", "chat", "D1:1") == stable_uuid("g", "chat", "D1:1")
    assert stable_uuid("g", "chat", "D1:1") != stable_uuid("h", "chat", "D1:1")


@given(
    st.datetimes(
        min_value=datetime(1900, 1, 1),
        max_value=datetime(2200, 1, 1),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30))]),
    )
)
def test_micros_round_trip(moment: datetime) -> None:
    assert from_micros(to_micros(moment)) == moment
