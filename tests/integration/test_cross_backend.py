"""The embedded store and Neo4j give the same answers for the same data; export copies a
memory into Neo4j with its full bi-temporal history."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from chronomem import Memory, SearchResult
from chronomem.config import MemoryConfig
from chronomem.demo import DEMO_TURNS
from chronomem.engine.embed import HashingEmbedder
from chronomem.engine.episode_text import with_vectors
from chronomem.ingest.extract.protocol import Extractor

pytestmark = pytest.mark.neo4j

QUESTIONS = ["Where does Alice live?", "Where does Alice work?", "Who is Emma?", "Berlin"]
AS_OF = ["2023-03-01T00:00:00Z", "2023-06-15T00:00:00Z", "2024-01-01T00:00:00Z"]


def _shape(results: list[SearchResult]) -> list[tuple[object, ...]]:
    return [(r.subject, r.relation, r.object, r.valid_at, r.invalid_at) for r in results]


@pytest.fixture
def group() -> str:
    return f"x-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def memories(
    tmp_path: Path, neo4j_uri: str, spacy_extractor: Extractor, group: str
) -> Iterator[tuple[Memory, Memory]]:
    embedded = Memory.open(tmp_path / "m", embedder=HashingEmbedder(), extractor=spacy_extractor)
    graph = Memory.open(neo4j_uri, embedder=HashingEmbedder(), extractor=spacy_extractor)
    try:
        yield embedded, graph
    finally:
        embedded.close()
        graph.close()


def test_same_answers_on_both_backends(memories: tuple[Memory, Memory], group: str) -> None:
    embedded, graph = memories
    for mem in memories:
        mem.add_dialogue(DEMO_TURNS[:5], group_id=group, source="demo")
        mem.add_dialogue(DEMO_TURNS[5:], group_id=group, source="demo")
    for when in AS_OF:
        assert _shape(embedded.facts(subject="Alice", group_id=group, as_of=when)) == _shape(
            graph.facts(subject="Alice", group_id=group, as_of=when)
        )
    assert _shape(embedded.history("Alice", group_id=group)) == _shape(
        graph.history("Alice", group_id=group)
    )
    for question in QUESTIONS:
        a = embedded.search(question, group_id=group, limit=5)
        b = graph.search(question, group_id=group, limit=5)
        assert a
        assert b
        assert {r.text for r in a[:3]} & {r.text for r in b[:3]}, question
        assert {r.text for r in embedded.search(question, group_id=group, limit=50)} == {
            r.text for r in graph.search(question, group_id=group, limit=50)
        }, question


def test_export_copies_the_bitemporal_history(
    memories: tuple[Memory, Memory], neo4j_uri: str, group: str
) -> None:
    embedded, graph = memories
    embedded.add_dialogue(DEMO_TURNS[:5], group_id=group, source="demo")
    believed_then = embedded.now()
    embedded.add_dialogue(DEMO_TURNS[5:], group_id=group, source="demo")

    counts = embedded.export(neo4j_uri, group_id=group)
    assert counts["groups"] == 1
    assert counts["facts"] == embedded.stats(group).facts

    assert graph.stats(group) == embedded.stats(group)
    for when in AS_OF:
        assert _shape(graph.facts(subject="Alice", group_id=group, as_of=when)) == _shape(
            embedded.facts(subject="Alice", group_id=group, as_of=when)
        )
    assert _shape(graph.facts(subject="Alice", group_id=group, known_at=believed_then)) == _shape(
        embedded.facts(subject="Alice", group_id=group, known_at=believed_then)
    )
    again = embedded.export(neo4j_uri, group_id=group)  # idempotent
    assert again == counts
    assert graph.stats(group) == embedded.stats(group)


def test_export_reembed_into_neo4j_writes_this_versions_turn_and_sentence_vectors(
    tmp_path: Path, neo4j_uri: str, spacy_extractor: Extractor, group: str
) -> None:
    embedder = HashingEmbedder()
    old = MemoryConfig(episode_vectors=False)  # as a memory from before episode vectors
    with Memory.open(
        tmp_path / "old", embedder=embedder, extractor=spacy_extractor, config=old
    ) as mem:
        mem.add_dialogue(DEMO_TURNS, group_id=group, source="demo")
        episodes = mem.store.dump(group).episodes
        mem.export(neo4j_uri, group_id=group, reembed=True)
    expected = {e.uuid: e for e in with_vectors(embedder, episodes)}
    with Memory.open(neo4j_uri, embedder=embedder) as graph:
        copied = graph.store.get_episodes(group, list(expected))
    assert len(copied) == len(expected)
    for episode in copied:
        want = expected[episode.uuid]
        assert episode.content_embedding == pytest.approx(want.content_embedding, abs=1e-6)
        if want.sentence_embeddings is None:
            assert episode.sentence_embeddings is None
        else:
            assert episode.sentence_embeddings is not None
            for got, wanted in zip(
                episode.sentence_embeddings, want.sentence_embeddings, strict=True
            ):
                assert got == pytest.approx(wanted, abs=1e-6)
    assert any(e.sentence_embeddings for e in copied)  # the demo has turns of two sentences
