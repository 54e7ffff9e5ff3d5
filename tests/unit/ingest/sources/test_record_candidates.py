"""records_to_candidates: record episodes, entity mentions and candidate facts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from chronomem.errors import InputError
from chronomem.ingest.extract.protocol import EntityMention
from chronomem.ingest.sources import (
    RecordMapping,
    read_records,
    records_to_candidates,
)
from chronomem.schema import NAME_RELATION, EpisodeKind


@pytest.fixture
def mapping(fixtures: Path) -> RecordMapping:
    return RecordMapping.from_yaml(fixtures / "accounts_mapping.yaml")


def test_one_record_episode_per_row_in_time_order(fixtures: Path, mapping: RecordMapping) -> None:
    pairs = records_to_candidates(fixtures / "accounts.csv", mapping, group_id="crm")
    episodes = [episode for episode, _ in pairs]
    assert [e.content for e in episodes] == [
        "customer A-2 (Globex): plan=Starter",
        "customer A-1 (Acme Ltd): plan=Pro, tags=retail;b2b, manager=Dana Kim",
        "customer A-1 (Acme Ltd): plan=Enterprise, tags=retail, manager=Dana Kim",
    ]
    assert all(e.kind is EpisodeKind.RECORD for e in episodes)
    assert all(e.source == "accounts" and e.group_id == "crm" for e in episodes)
    assert [e.reference_time for e in episodes] == sorted(e.reference_time for e in episodes)


def test_attribute_and_reference_candidates(fixtures: Path, mapping: RecordMapping) -> None:
    pairs = records_to_candidates(fixtures / "accounts.csv", mapping, group_id="crm")
    episode, extraction = pairs[1]
    assert extraction.episode_uuid == episode.uuid
    acme = EntityMention("Acme Ltd", "Customer", key="A-1")
    assert extraction.entities == [
        acme,
        EntityMention("Pro", "Plan", exact=True),
        EntityMention("retail", "Tag", exact=True),
        EntityMention("b2b", "Tag", exact=True),
        EntityMention("Dana Kim", "Person"),
    ]
    facts = {(f.relation, f.object.name): f for f in extraction.facts}
    assert set(facts) == {
        ("HAS_PLAN", "Pro"),
        ("HAS_TAG", "retail"),
        ("HAS_TAG", "b2b"),
        ("MANAGED_BY", "Dana Kim"),
        (NAME_RELATION, "Acme Ltd"),
    }
    name = facts[(NAME_RELATION, "Acme Ltd")]  # the name, a fact of the key itself
    assert (name.subject, name.object, name.fact) == (acme, acme, "customer A-1 is named Acme Ltd")
    assert (name.valid_at, name.invalid_at) == (episode.reference_time, None)
    plan = facts[("HAS_PLAN", "Pro")]
    assert plan.subject == acme
    assert plan.object == EntityMention("Pro", "Plan", exact=True)
    assert plan.fact == "Acme Ltd has plan Pro"
    assert facts[("MANAGED_BY", "Dana Kim")].fact == "Acme Ltd is managed by Dana Kim"
    assert plan.valid_at == episode.reference_time
    assert plan.invalid_at is None
    assert all(f.episode_uuid == episode.uuid for f in extraction.facts)


def test_empty_cells_produce_no_fact(fixtures: Path, mapping: RecordMapping) -> None:
    pairs = records_to_candidates(fixtures / "accounts.csv", mapping, group_id="crm")
    _, globex = pairs[0]
    assert [(f.relation, f.object.name) for f in globex.facts] == [
        ("HAS_PLAN", "Starter"),
        (NAME_RELATION, "Globex"),
    ]


def test_a_changed_value_gives_two_facts_with_increasing_times(
    fixtures: Path, mapping: RecordMapping
) -> None:
    pairs = records_to_candidates(fixtures / "accounts.csv", mapping, group_id="crm")
    plans = [
        (f.object.name, f.valid_at)
        for _, extraction in pairs
        for f in extraction.facts
        if f.subject.name == "Acme Ltd" and f.relation == "HAS_PLAN"
    ]
    assert [name for name, _ in plans] == ["Pro", "Enterprise"]
    first, second = plans[0][1], plans[1][1]
    assert first is not None
    assert second is not None
    assert first < second


def test_valid_from_and_valid_to(fixtures: Path) -> None:
    mapping = RecordMapping.from_yaml(fixtures / "contracts_mapping.yaml")
    pairs = records_to_candidates(fixtures / "contracts.csv", mapping, group_id="crm")
    facts = [f for _, extraction in pairs for f in extraction.facts]
    assert [(f.fact, f.valid_at, f.invalid_at) for f in facts] == [
        (
            "Initech has tier Gold",
            datetime(2023, 1, 1, tzinfo=UTC),
            datetime(2023, 12, 31, tzinfo=UTC),
        ),
        ("Initech has tier Platinum", datetime(2024, 1, 1, tzinfo=UTC), None),
    ]
    assert pairs[0][0].content == "customer Initech: tier=Gold"
    assert pairs[0][0].reference_time == datetime(2023, 1, 1, tzinfo=UTC)


def test_source_ids_are_idempotent_across_inputs(fixtures: Path, mapping: RecordMapping) -> None:
    from_csv = records_to_candidates(fixtures / "accounts.csv", mapping, group_id="crm")
    again = records_to_candidates(read_records(fixtures / "accounts.csv", mapping), mapping, "crm")
    from_json = records_to_candidates(fixtures / "accounts.json", mapping, group_id="crm")
    ids = [e.source_id for e, _ in from_csv]
    assert ids == [e.source_id for e, _ in again] == [e.source_id for e, _ in from_json]
    assert [e.uuid for e, _ in from_csv] == [e.uuid for e, _ in from_json]
    assert len(set(ids)) == 3


def test_a_repeated_row_is_kept_once(mapping: RecordMapping) -> None:
    row = {
        "account_id": "A-1",
        "company": "Acme",
        "plan": "Pro",
        "manager": None,
        "tags": None,
        "updated_at": "2024-01-01T00:00:00Z",
    }
    pairs = records_to_candidates([row, dict(row)], mapping, group_id="crm")
    assert len(pairs) == 1


def test_mixing_records_and_rows_is_an_error(fixtures: Path, mapping: RecordMapping) -> None:
    records = read_records(fixtures / "accounts.csv", mapping)
    mixed: Any = [records[0], {"account_id": "x"}]
    number: Any = 5
    with pytest.raises(InputError, match="not a mix"):
        records_to_candidates(mixed, mapping, group_id="crm")
    with pytest.raises(InputError, match="got int"):
        records_to_candidates(number, mapping, group_id="crm")


def test_dataframe_candidates_match_the_csv(fixtures: Path, mapping: RecordMapping) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(fixtures / "accounts.csv", dtype=str)
    from_frame = records_to_candidates(frame, mapping, group_id="crm")
    from_csv = records_to_candidates(fixtures / "accounts.csv", mapping, group_id="crm")
    assert [e.source_id for e, _ in from_frame] == [e.source_id for e, _ in from_csv]
