"""Stores filled directly with WriteBatch, and a small world of people, employers and places."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from chronomem.engine.embed import HashingEmbedder
from chronomem.engine.store.protocol import GraphStore, WriteBatch
from chronomem.schema import Entity, Episode, Fact, stable_uuid
from tests.unit.query.recording import RecordingStore

EMBEDDER = HashingEmbedder()
NOW = datetime(2025, 1, 1, tzinfo=UTC)


def at(year: int, month: int = 1, day: int = 1) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


@pytest.fixture(params=["revisions", "counts"])
def store(request: pytest.FixtureRequest) -> GraphStore:
    """The packaged in-memory store (the contract suite holds it to the real backends'
    behaviour), declaring entity revisions or not: name indexes are then kept fresh by the
    revision setting or by the group's counts."""
    return RecordingStore(EMBEDDER.dimension, entity_revisions=request.param == "revisions")


@dataclass
class World:
    """Builds entities, facts and episodes of one group and writes them in one batch."""

    group_id: str = "g1"
    batch: WriteBatch = field(default_factory=WriteBatch)
    ids: dict[str, str] = field(default_factory=dict)

    def entity(self, name: str, *labels: str, summary: str = "") -> str:
        uuid = stable_uuid(self.group_id, "entity", name)
        vector = EMBEDDER.embed([name])[0].tolist()
        self.batch.entities.append(
            Entity(
                uuid=uuid,
                group_id=self.group_id,
                name=name,
                labels=list(labels),
                summary=summary,
                name_embedding=vector,
                created_at=at(2010),
            )
        )
        self.ids[name] = uuid
        return uuid

    def episode(self, source_id: str, speaker: str, content: str, when: datetime) -> str:
        uuid = stable_uuid(self.group_id, "chat", source_id)
        self.batch.episodes.append(
            Episode(
                uuid=uuid,
                group_id=self.group_id,
                source="chat",
                content=content,
                reference_time=when,
                created_at=when,
                source_id=source_id,
                speaker=speaker,
            )
        )
        self.ids[source_id] = uuid
        return uuid

    def fact(
        self,
        subject: str,
        relation: str,
        obj: str,
        text: str,
        *,
        valid: tuple[datetime | None, datetime | None] = (None, None),
        created: datetime | None = None,
        expired: datetime | None = None,
        source: str | None = None,
    ) -> str:
        uuid = stable_uuid(self.group_id, "fact", text)
        episodes = [self.ids[source]] if source is not None else []
        self.batch.facts.append(
            Fact(
                uuid=uuid,
                group_id=self.group_id,
                subject_uuid=self.ids[subject],
                relation=relation,
                object_uuid=self.ids[obj],
                fact=text,
                valid_at=valid[0],
                invalid_at=valid[1],
                created_at=created or at(2010),
                expired_at=expired,
                episodes=episodes,
                sources=[source] if source is not None else [],
                fact_embedding=EMBEDDER.embed([text])[0].tolist(),
            )
        )
        self.ids[text] = uuid
        if source is not None:
            for name in (subject, obj):
                self.batch.mentions.append((self.ids[source], self.ids[name]))
        return uuid

    def write(self, store: GraphStore) -> None:
        store.write(self.batch)
        self.batch = WriteBatch()


def people_world(group_id: str = "g1") -> World:
    """Alice moved from Paris to Berlin and from Acme to Globex; Bob is her friend."""
    w = World(group_id)
    for name, label in [
        ("Alice", "Person"),
        ("Bob", "Person"),
        ("Carol", "Person"),
        ("Acme", "Organization"),
        ("Globex", "Organization"),
        ("Paris", "Place"),
        ("Berlin", "Place"),
        ("sailing boat", "Product"),
    ]:
        w.entity(name, label, summary=f"{name} is part of the test world")
    w.episode("D1:1", "Alice", "I have worked at Acme since 2018.", at(2018, 3))
    w.episode("D1:2", "Alice", "I live in Paris, near the river.", at(2018, 3))
    w.episode("D1:3", "Bob", "Alice and I are old friends from school.", at(2018, 3))
    w.episode("D2:1", "Alice", "I left Acme and joined Globex in June 2021.", at(2021, 6, 2))
    w.episode("D2:2", "Alice", "We moved to Berlin last year.", at(2021, 6, 2))
    w.episode("D3:1", "Carol", "Bob and I got married in a small ceremony.", at(2022, 5))
    w.fact(
        "Alice", "WORKS_AT", "Acme", "Alice works at Acme",
        valid=(at(2018), at(2021, 6)), source="D1:1",
    )  # fmt: skip
    w.fact(
        "Alice", "WORKS_AT", "Globex", "Alice works at Globex",
        valid=(at(2021, 6), None), source="D2:1",
    )  # fmt: skip
    w.fact(
        "Alice", "LIVES_IN", "Paris", "Alice lives in Paris",
        valid=(at(2015), at(2020)), source="D1:2",
    )  # fmt: skip
    w.fact(
        "Alice", "LIVES_IN", "Berlin", "Alice lives in Berlin",
        valid=(at(2020), None), source="D2:2",
    )  # fmt: skip
    w.fact("Bob", "FRIEND_OF", "Alice", "Bob is a friend of Alice", source="D1:3")
    w.fact("Bob", "WORKS_AT", "Acme", "Bob works at Acme", valid=(at(2019), None))
    w.fact("Carol", "MARRIED_TO", "Bob", "Carol is married to Bob", source="D3:1")
    # Believed from 2022 to 2023, then retracted (expired in transaction time).
    w.fact(
        "Alice", "OWNS", "sailing boat", "Alice owns a sailing boat",
        created=at(2022), expired=at(2023),
    )  # fmt: skip
    return w


@pytest.fixture
def world(store: GraphStore) -> World:
    w = people_world()
    ids = dict(w.ids)
    w.write(store)
    w.ids = ids
    return w
