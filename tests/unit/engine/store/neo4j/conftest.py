"""Fixtures of the Neo4j store tests: one store per module on the test server, a fresh group
(tenant) per test, so tests never see each other's data."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from chronomem.engine.embed import HashingEmbedder
from chronomem.engine.store.neo4j import Neo4jStore
from chronomem.engine.store.protocol import WriteBatch
from chronomem.schema import Entity, Episode, Fact

DIMENSION = 384
T0 = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def store(neo4j_uri: str, neo4j_auth: tuple[str, str] | None) -> Iterator[Neo4jStore]:
    opened = Neo4jStore(neo4j_uri, auth=neo4j_auth, dimension=DIMENSION)
    yield opened
    opened.close()


@pytest.fixture
def group() -> str:
    return f"t-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def embedder() -> HashingEmbedder:
    return HashingEmbedder(dimension=DIMENSION)


def small_graph(group: str, embedder: HashingEmbedder) -> WriteBatch:
    """Alice works at Acme (from one episode), Alice lives in Berlin."""
    episode = Episode(
        group_id=group,
        source="chat",
        content="Alice said she works at Acme and lives in Berlin.",
        reference_time=T0,
        speaker="Alice",
        session="s1",
    )
    names = ["Alice", "Acme", "Berlin"]
    vectors = embedder.embed(names)
    alice, acme, berlin = (
        Entity(group_id=group, name=name, labels=[label], name_embedding=vec.tolist())
        for name, label, vec in zip(
            names, ["Person", "Organization", "Place"], vectors, strict=True
        )
    )
    statements = ["Alice works at Acme", "Alice lives in Berlin"]
    fact_vectors = embedder.embed(statements)
    works = Fact(
        group_id=group,
        subject_uuid=alice.uuid,
        relation="WORKS_AT",
        object_uuid=acme.uuid,
        fact=statements[0],
        valid_at=T0,
        episodes=[episode.uuid],
        sources=[episode.source_id],
        fact_embedding=fact_vectors[0].tolist(),
    )
    lives = Fact(
        group_id=group,
        subject_uuid=alice.uuid,
        relation="LIVES_IN",
        object_uuid=berlin.uuid,
        fact=statements[1],
        episodes=[episode.uuid],
        fact_embedding=fact_vectors[1].tolist(),
    )
    return WriteBatch(
        episodes=[episode],
        entities=[alice, acme, berlin],
        facts=[works, lives],
        mentions=[(episode.uuid, alice.uuid), (episode.uuid, acme.uuid)],
    )


def statements_of(store: Neo4jStore, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The Cypher statements ``store`` sends from now on, in order (recorded, then sent)."""
    sent: list[str] = []
    rows = store._rows

    def recorded(action: str, statement: str, **params: Any) -> Any:
        sent.append(statement)
        return rows(action, statement, **params)

    monkeypatch.setattr(store, "_rows", recorded)
    return sent


def spread(group: str, vectors: npt.NDArray[np.float32]) -> WriteBatch:
    """One fact of ``group`` per row of ``vectors`` (from one hub to an entity of its own)."""
    hub = Entity(group_id=group, name="Hub")
    ends = [Entity(group_id=group, name=f"End {i}") for i in range(len(vectors))]
    facts = [
        Fact(
            group_id=group,
            subject_uuid=hub.uuid,
            relation="LIKES",
            object_uuid=end.uuid,
            fact=f"Hub likes end {i}",
            fact_embedding=(row / np.linalg.norm(row)).tolist(),
        )
        for i, (end, row) in enumerate(zip(ends, vectors, strict=True))
    ]
    return WriteBatch(entities=[hub, *ends], facts=facts)


def huddled(rng: np.random.Generator, n: int) -> npt.NDArray[np.float32]:
    """``n`` vectors around one random direction (cosine about 0.8 between two of them, about
    0 with any other test's vectors): a group's own rows are the index's nearest hits for a
    query among them, whatever else the test database holds."""
    base = rng.standard_normal(DIMENSION).astype(np.float32)
    base /= np.float32(np.linalg.norm(base))
    spread_out = np.float32(0.5 / math.sqrt(DIMENSION))  # noise of norm about 0.5
    noise = rng.standard_normal((n, DIMENSION)).astype(np.float32) * spread_out
    huddle: npt.NDArray[np.float32] = base + noise
    return huddle
