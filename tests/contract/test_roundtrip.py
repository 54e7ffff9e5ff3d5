"""Every field of every model comes back from the store as it went in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from chronomem.engine.store import FactFilter, GraphStore, WriteBatch
from chronomem.schema import Entity, Episode, EpisodeKind, Fact
from tests.contract.samples import angled, unit

PLUS_TWO = timezone(timedelta(hours=2))
MINUS_FIVE = timezone(timedelta(hours=-5, minutes=-30))


def full_records(group: str) -> tuple[Episode, Entity, Entity, Fact]:
    ep = Episode(
        group_id=group,
        source="crm.accounts",
        kind=EpisodeKind.RECORD,
        content="Alice Moreau joined Acme as CTO",
        reference_time=datetime(2023, 5, 8, 13, 56, 7, 123456, tzinfo=PLUS_TWO),
        created_at=datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=MINUS_FIVE),
        source_id="row-17",
        speaker="Bob",
        session="s-1",
    )
    alice = Entity(
        group_id=group,
        name="Alice Moreau",
        labels=["Person", "Employee"],
        aliases=["Ally", "A. Moreau"],
        summary="CTO of Acme; likes climbing.",
        created_at=datetime(2024, 1, 2, 3, 4, 5, tzinfo=PLUS_TWO),
        name_embedding=unit(1.0, 2.0, 3.0),
    )
    acme = Entity(group_id=group, name="Acme", created_at=datetime(2024, 1, 1, tzinfo=PLUS_TWO))
    works = Fact(
        group_id=group,
        subject_uuid=alice.uuid,
        relation="WORKS_AT",
        object_uuid=acme.uuid,
        fact="Alice Moreau works at Acme as CTO",
        valid_at=datetime(2023, 5, 1, tzinfo=PLUS_TWO),
        invalid_at=datetime(2025, 6, 30, 17, 0, 0, 999999, tzinfo=MINUS_FIVE),
        created_at=datetime(2024, 1, 2, 3, 4, 6, tzinfo=PLUS_TWO),
        expired_at=datetime(2024, 8, 1, 12, tzinfo=MINUS_FIVE),
        episodes=[ep.uuid, "another-episode"],
        sources=["row-17", "turn-3"],
        observed_at=[datetime(2023, 5, 1, tzinfo=PLUS_TWO), datetime(2023, 9, 1, tzinfo=UTC)],
        confidence=0.37,
        invalidated_by="later-fact-uuid",
        invalidated_by_episode="later-episode-uuid",
        lineage="lineage-1",
        fact_embedding=angled(30),
    )
    return ep, alice, acme, works


def test_every_field_round_trips(store: GraphStore, group: str) -> None:
    ep, alice, acme, works = full_records(group)
    store.write(WriteBatch(episodes=[ep], entities=[alice, acme], facts=[works]))

    assert store.get_episodes(group, [ep.uuid]) == [ep]
    assert store.get_entities(group, [alice.uuid, acme.uuid]) == [alice, acme]
    assert store.get_facts(group, [works.uuid]) == [works]


def test_times_come_back_timezone_aware_and_exact(store: GraphStore, group: str) -> None:
    ep, alice, acme, works = full_records(group)
    store.write(WriteBatch(episodes=[ep], entities=[alice, acme], facts=[works]))

    [stored] = store.get_facts(group, [works.uuid])
    for name in ("valid_at", "invalid_at", "created_at", "expired_at"):
        value = getattr(stored, name)
        assert value.tzinfo is not None, name
        assert value == getattr(works, name), name
    [stored_ep] = store.get_episodes(group, [ep.uuid])
    assert stored_ep.reference_time.tzinfo is not None
    assert stored_ep.reference_time.microsecond == 123456


def test_a_facts_valid_time_keeps_the_offset_it_was_said_with(
    store: GraphStore, group: str
) -> None:
    # "since 2020" said at +02:00 is 2020-01-01T00:00+02:00, not 2019-12-31T22:00Z, however read
    ep, alice, acme, works = full_records(group)
    works = works.model_copy(update={"expired_at": None})  # believed: every read returns it
    store.write(WriteBatch(episodes=[ep], entities=[alice, acme], facts=[works]))

    reads = [
        store.get_facts(group, [works.uuid]),
        store.list_facts(group, FactFilter()),
        store.neighbors(group, [alice.uuid], FactFilter()),
    ]
    for read in reads:
        [stored] = [f for f in read if f.uuid == works.uuid]
        assert stored.valid_at is not None
        assert stored.invalid_at is not None
        assert stored.valid_at.isoformat() == "2023-05-01T00:00:00+02:00"
        assert stored.invalid_at.isoformat() == "2025-06-30T17:00:00.999999-05:30"


def test_optional_fields_round_trip_as_none_and_empty(store: GraphStore, group: str) -> None:
    ep = Episode(group_id=group, content="hi", reference_time=datetime(2024, 1, 1, tzinfo=PLUS_TWO))
    a = Entity(group_id=group, name="A")
    b = Entity(group_id=group, name="B")
    bare = Fact(
        group_id=group, subject_uuid=a.uuid, relation="KNOWS", object_uuid=b.uuid, fact="A knows B"
    )
    store.write(WriteBatch(episodes=[ep], entities=[a, b], facts=[bare]))

    [stored_ep] = store.get_episodes(group, [ep.uuid])
    assert stored_ep.speaker is None
    assert stored_ep.session is None
    assert stored_ep == ep
    [stored_a] = store.get_entities(group, [a.uuid])
    assert stored_a.labels == []
    assert stored_a.aliases == []
    assert stored_a.name_embedding is None
    [stored] = store.get_facts(group, [bare.uuid])
    assert stored.valid_at is None
    assert stored.invalid_at is None
    assert stored.expired_at is None
    assert stored.episodes == []
    assert stored.sources == []
    assert stored.fact_embedding is None
    assert stored.invalidated_by is None
    assert stored.invalidated_by_episode is None
    assert stored.lineage == bare.uuid
    assert stored == bare


def test_unknown_uuids_are_left_out(store: GraphStore, group: str) -> None:
    ep, alice, acme, works = full_records(group)
    store.write(WriteBatch(episodes=[ep], entities=[alice, acme], facts=[works]))

    assert store.get_episodes(group, ["nope", ep.uuid]) == [ep]
    assert store.get_entities(group, ["nope"]) == []
    assert store.get_facts(group, []) == []
