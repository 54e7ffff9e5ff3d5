"""Opening a memory: schema version check, vector dimension, corrupt files, reopening."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from chronomem.engine.store import FactFilter, WriteBatch
from chronomem.engine.store.embedded import DB_FILE, SCHEMA_VERSION, EmbeddedStore
from chronomem.errors import ConfigurationError, StoreError
from chronomem.schema import Entity, Episode, Fact, parse_time


def _sample(group: str = "g") -> WriteBatch:
    a = Entity(group_id=group, name="A", name_embedding=[0.0, 1.0] + [0.0] * 382)
    b = Entity(group_id=group, name="B")
    ep = Episode(group_id=group, content="A met B", reference_time=parse_time("2024-01-01"))
    f = Fact(
        group_id=group,
        subject_uuid=a.uuid,
        relation="MET",
        object_uuid=b.uuid,
        fact="A met B",
        fact_embedding=[1.0] + [0.0] * 383,
    )
    return WriteBatch(episodes=[ep], entities=[a, b], facts=[f], mentions=[(ep.uuid, a.uuid)])


def test_new_memory_records_its_schema_version_and_dimension(tmp_path: Path) -> None:
    EmbeddedStore(tmp_path / "m", dimension=8).close()
    conn = sqlite3.connect(tmp_path / "m" / DB_FILE)
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
    conn.close()
    assert meta == {"schema_version": str(SCHEMA_VERSION), "vector_dimension": "8"}
    assert journal == "wal"


def test_newer_schema_version_is_refused(tmp_path: Path) -> None:
    EmbeddedStore(tmp_path / "m").close()
    conn = sqlite3.connect(tmp_path / "m" / DB_FILE)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (SCHEMA_VERSION + 1,))
    conn.commit()
    conn.close()

    for read_only in (False, True, False):  # twice read-write: a refused open drops the lock
        with pytest.raises(StoreError, match=r"schema version \d+.*upgrade chronomem"):
            EmbeddedStore(tmp_path / "m", read_only=read_only)


def test_other_dimension_is_refused(tmp_path: Path) -> None:
    EmbeddedStore(tmp_path / "m", dimension=384).close()
    with pytest.raises(ConfigurationError, match="dimension=384"):
        EmbeddedStore(tmp_path / "m", dimension=768)


def test_not_a_database_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / DB_FILE).write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError) as info:
        EmbeddedStore(tmp_path / "m")
    assert str(tmp_path / "m" / DB_FILE) in str(info.value)
    # the failed open released the lock
    (tmp_path / "m" / DB_FILE).unlink()
    EmbeddedStore(tmp_path / "m").close()


def test_a_file_where_the_directory_should_be(tmp_path: Path) -> None:
    (tmp_path / "m").write_text("x")
    with pytest.raises(StoreError, match="is a file"):
        EmbeddedStore(tmp_path / "m")


def test_bad_dimension_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError):
        EmbeddedStore(tmp_path / "m", dimension=0)


def test_reopening_sees_everything_committed(tmp_path: Path) -> None:
    batch = _sample()
    with EmbeddedStore(tmp_path / "m") as store:
        store.write(batch)
        store.set_meta("embedder", "hashing-384")

    with EmbeddedStore(tmp_path / "m") as store:
        assert store.get_episodes("g", [batch.episodes[0].uuid]) == batch.episodes
        assert store.get_entities("g", [e.uuid for e in batch.entities]) == batch.entities
        assert store.get_facts("g", [batch.facts[0].uuid]) == batch.facts
        assert store.mentions("g", [batch.episodes[0].uuid]) == {
            batch.episodes[0].uuid: [batch.entities[0].uuid]
        }
        assert store.get_meta("embedder") == "hashing-384"
        assert store.fulltext("g", "met", "fact", 5, FactFilter())[0][0] == batch.facts[0].uuid


def test_close_is_idempotent_and_use_after_close_fails(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "m")
    store.close()
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.stats()
    with pytest.raises(StoreError, match="closed"):
        store.write(_sample())
