"""What was added to the layout within schema version 1 reaches memories made before it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from chronomem.engine.store import FactFilter, WriteBatch
from chronomem.engine.store.embedded import EmbeddedStore
from chronomem.errors import StoreError
from chronomem.schema import Entity, Episode, Fact, parse_time

_AT = parse_time("2024-01-01T00:00:00Z")


def _memory(path: Path) -> tuple[list[Episode], list[Fact]]:
    turns = [
        Episode(group_id="g", content=f"turn {i}", reference_time=_AT, source_id=str(i))
        for i in range(3)
    ]
    a, b = Entity(group_id="g", name="A"), Entity(group_id="g", name="B")
    facts = [
        Fact(group_id="g", subject_uuid=a.uuid, relation="KNOWS", object_uuid=b.uuid,
             fact=f"fact {i}", episodes=[turns[i].uuid, turns[(i + 1) % 3].uuid])
        for i in range(3)
    ]  # fmt: skip
    with EmbeddedStore(path, dimension=4) as store:
        store.write(WriteBatch(episodes=turns, entities=[a, b], facts=facts))
    return turns, facts


def _drop_fact_episodes(path: Path) -> None:
    """Make the memory look like one written before ``fact_episodes`` existed."""
    with sqlite3.connect(path / "memory.db") as conn:
        for trigger in ("fact_episodes_insert", "fact_episodes_update", "fact_episodes_delete"):
            conn.execute(f"DROP TRIGGER {trigger}")
        conn.execute("DROP TABLE fact_episodes")


def _of(store: EmbeddedStore, turn: Episode) -> set[str]:
    return {f.fact for f in store.list_facts("g", FactFilter(episode_uuids=(turn.uuid,)))}


def test_an_index_added_later_is_created_on_reopen(tmp_path: Path) -> None:
    EmbeddedStore(tmp_path / "m", dimension=4).close()
    db = tmp_path / "m" / "memory.db"
    with sqlite3.connect(db) as conn:
        conn.execute("DROP INDEX episodes_timeline")
    EmbeddedStore(tmp_path / "m", dimension=4).close()
    with sqlite3.connect(db) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "episodes_timeline" in names


def test_fact_episodes_is_created_and_filled_on_a_writable_reopen(tmp_path: Path) -> None:
    turns, _ = _memory(tmp_path / "m")
    _drop_fact_episodes(tmp_path / "m")

    with EmbeddedStore(tmp_path / "m", dimension=4) as store:
        assert _of(store, turns[0]) == {"fact 0", "fact 2"}
        assert _of(store, turns[1]) == {"fact 0", "fact 1"}
    with sqlite3.connect(tmp_path / "m" / "memory.db") as conn:
        assert conn.execute("SELECT count(*) FROM fact_episodes").fetchone()[0] == 6


def test_a_read_only_open_of_an_older_memory_filters_by_episode_without_the_table(
    tmp_path: Path,
) -> None:
    turns, _ = _memory(tmp_path / "m")
    _drop_fact_episodes(tmp_path / "m")

    with EmbeddedStore(tmp_path / "m", dimension=4, read_only=True) as store:
        assert _of(store, turns[2]) == {"fact 1", "fact 2"}
    with sqlite3.connect(tmp_path / "m" / "memory.db") as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "fact_episodes" not in tables  # read-only opens change nothing


def _turns_with_vectors(path: Path) -> list[Episode]:
    """A memory of an older layout: turn vectors, no ``episode_sentence_vectors`` table."""
    turns = [
        Episode(group_id="g", content=f"turn {i}", reference_time=_AT, source_id=str(i),
                content_embedding=[1.0, float(i), 0.0, 0.0])
        for i in range(3)
    ]  # fmt: skip
    with EmbeddedStore(path, dimension=4) as store:
        store.write(WriteBatch(episodes=turns))
    with sqlite3.connect(path / "memory.db") as conn:
        conn.execute("DROP TABLE episode_sentence_vectors")
    return turns


def test_an_older_memory_gets_sentence_vectors_on_a_writable_reopen(tmp_path: Path) -> None:
    turns = _turns_with_vectors(tmp_path / "m")
    later = Episode(group_id="g", content="a. b.", reference_time=_AT, source_id="9",
                    content_embedding=[0.0, 0.0, 1.0, 0.0],
                    sentence_embeddings=[[0.0, 0.0, 0.0, 1.0], [0.0, 1.0, 1.0, 0.0]])  # fmt: skip

    with EmbeddedStore(tmp_path / "m", dimension=4) as store:
        store.write(WriteBatch(episodes=[later]))
        hits = store.vector("g", np.array([0.0, 0.0, 0.0, 1.0]), "episode", 1, FactFilter())
        [(uuid, score)] = hits
        assert uuid == later.uuid
        assert score == pytest.approx(1.0)
        assert (
            store.vector("g", np.array([1.0, 0.0, 0.0, 0.0]), "episode", 1, FactFilter())[0][0]
            == turns[0].uuid
        )


def test_a_read_only_open_of_an_older_memory_searches_turn_vectors_without_the_table(
    tmp_path: Path,
) -> None:
    turns = _turns_with_vectors(tmp_path / "m")

    with EmbeddedStore(tmp_path / "m", dimension=4, read_only=True) as store:
        hits = store.vector("g", np.array([1.0, 2.0, 0.0, 0.0]), "episode", 3, FactFilter())
        assert [uuid for uuid, _ in hits] == [turns[2].uuid, turns[1].uuid, turns[0].uuid]
        (turn,) = store.get_episodes("g", [turns[1].uuid])
        assert turn.sentence_embeddings is None
        assert store.load_vectors("g") == 3


def test_the_offset_columns_are_added_on_a_writable_reopen(tmp_path: Path) -> None:
    _, facts = _memory(tmp_path / "m")
    with sqlite3.connect(tmp_path / "m" / "memory.db") as conn:
        conn.execute("ALTER TABLE facts DROP COLUMN valid_offset")
        conn.execute("ALTER TABLE facts DROP COLUMN invalid_offset")
    with pytest.raises(StoreError, match="open it once without read_only"):
        EmbeddedStore(tmp_path / "m", dimension=4, read_only=True)
    with EmbeddedStore(tmp_path / "m", dimension=4) as store:  # adds them
        assert {f.uuid for f in store.list_facts("g", FactFilter())} == {f.uuid for f in facts}
    with EmbeddedStore(tmp_path / "m", dimension=4, read_only=True) as store:
        assert len(store.get_facts("g", [f.uuid for f in facts])) == 3
