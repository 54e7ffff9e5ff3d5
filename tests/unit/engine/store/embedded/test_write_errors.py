"""Write-path invariants of the embedded store and sqlite3 errors mapped to chronomem errors."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from chronomem.engine.store import WriteBatch
from chronomem.engine.store.embedded import EmbeddedStore
from chronomem.engine.store.embedded.connections import mapped_errors
from chronomem.errors import IntegrityError, StoreError
from chronomem.schema import Entity, Episode, parse_time


def test_uuid_of_another_group_cannot_be_upserted(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "m") as store:
        a = Entity(group_id="g1", name="A")
        store.write(WriteBatch(entities=[a]))
        with pytest.raises(IntegrityError, match="another group"):
            store.write(WriteBatch(entities=[a.model_copy(update={"group_id": "g2"})]))
        assert store.get_entities("g1", [a.uuid]) == [a]
        assert store.get_entities("g2", [a.uuid]) == []


def test_mentions_of_a_skipped_duplicate_episode_are_dropped(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "m") as store:
        a = Entity(group_id="g", name="A")
        first = Episode(
            group_id="g", content="A", reference_time=parse_time("2024-01-01"), source_id="t1"
        )
        store.write(WriteBatch(episodes=[first], entities=[a], mentions=[(first.uuid, a.uuid)]))
        again = Episode(
            group_id="g", content="A", reference_time=parse_time("2024-01-01"), source_id="t1"
        )

        store.write(WriteBatch(episodes=[again], mentions=[(again.uuid, a.uuid)]))

        assert store.mentions("g", [first.uuid, again.uuid]) == {first.uuid: [a.uuid]}


@pytest.mark.parametrize(
    ("error", "kind", "text"),
    [
        (sqlite3.IntegrityError("UNIQUE constraint failed"), IntegrityError, "UNIQUE"),
        (sqlite3.OperationalError("database is locked"), StoreError, "busy"),
        (sqlite3.OperationalError("attempt to write a readonly database"), StoreError, "read-only"),
        (sqlite3.DatabaseError("file is not a database"), StoreError, "damaged"),
        (sqlite3.ProgrammingError("Cannot operate on a closed database."), StoreError, "closed"),
    ],
)
def test_sqlite_errors_are_mapped(error: Exception, kind: type[Exception], text: str) -> None:
    with pytest.raises(kind, match=text) as info, mapped_errors(Path("/mem/memory.db"), "testing"):
        raise error
    assert "/mem/memory.db: testing" in str(info.value)
    assert info.value.__cause__ is error
