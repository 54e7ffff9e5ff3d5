"""graphiti-core's own search reads a graph that chronomem wrote to Neo4j.

graphiti-core runs offline here (chronomem/bench/graphiti.py): chronomem's embedder behind
graphiti's ``EmbedderClient``, stub LLM and reranker clients, telemetry off. The last test runs
the latency benchmark (benchmarks/graphiti_latency.py) on two questions to prove it works; the
figures in docs/benchmarks.md come from running that module, never from the tests.
"""

from __future__ import annotations

import importlib
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest

from benchmarks.graphiti_latency import COMMAND, QUERIES, SECTION, report, write_demo
from chronomem.bench.side_by_side import LIMIT, SEARCHES, measure
from chronomem.engine.embed import HashingEmbedder
from chronomem.ingest.extract.protocol import Extractor
from chronomem.memory import Memory

if TYPE_CHECKING:
    from chronomem.bench.graphiti import GraphitiSession

pytestmark = [
    pytest.mark.neo4j,
    pytest.mark.filterwarnings("ignore:Support for class-based `config`:DeprecationWarning"),
]

INSTALL_HINT = "pip install 'graphiti-core==0.31.1' 'httpx>=0.28' (the dev extra lists them)"

MARCH_2023 = datetime(2023, 3, 1, tzinfo=UTC)


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@pytest.fixture(scope="module")
def gs() -> ModuleType:
    """chronomem/bench/graphiti.py, or a skip (a failure in CI) without graphiti."""
    try:
        return importlib.import_module("chronomem.bench.graphiti")
    except ImportError as exc:
        message = f"graphiti-core is not importable ({exc}); {INSTALL_HINT}"
        if _truthy(os.environ.get("CHRONOMEM_REQUIRE_NEO4J")):
            pytest.fail(message + " (CHRONOMEM_REQUIRE_NEO4J is set)", pytrace=False)
        pytest.skip(message)


@dataclass(frozen=True)
class Demo:
    group_id: str
    memory: Memory
    alice_uuid: str


@pytest.fixture(scope="module")
def demo(neo4j_uri: str, spacy_extractor: Extractor) -> Iterator[Demo]:
    """The demo dialogue written by chronomem, one session per call, in a fresh group."""
    group_id = f"graphiti-compat-{time.time_ns():x}"
    with Memory.open(neo4j_uri, embedder=HashingEmbedder(), extractor=spacy_extractor) as mem:
        write_demo(mem, group_id)
        yield Demo(group_id, mem, mem.entity("Alice", group_id=group_id).uuid)


@pytest.fixture(scope="module")
def graphiti(
    gs: ModuleType, neo4j_uri: str, neo4j_auth: tuple[str, str] | None
) -> Iterator[GraphitiSession]:
    # graphiti selects `reference_time`, which chronomem does not write: Neo4j warns per query.
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
    session: GraphitiSession = gs.GraphitiSession(neo4j_uri, neo4j_auth, HashingEmbedder())
    try:
        yield session
    finally:
        session.close()


def _filters(**kwargs: Any) -> Any:
    from graphiti_core.search.search_filters import SearchFilters

    return SearchFilters(**kwargs)


def _date(op: str, when: datetime | None = None) -> Any:
    from graphiti_core.search.search_filters import ComparisonOperator, DateFilter

    return DateFilter(date=when, comparison_operator=ComparisonOperator(op))


def _homes(edges: list[Any], alice: str) -> dict[str, tuple[datetime | None, datetime | None]]:
    """Alice's LIVES_IN edges among ``edges``: object fact text -> (valid_at, invalid_at)."""
    found = {}
    for edge in edges:
        if edge.name == "LIVES_IN" and edge.source_node_uuid == alice:
            city = "Berlin" if "Berlin" in edge.fact else "Paris" if "Paris" in edge.fact else "?"
            found[city] = (edge.valid_at, edge.invalid_at)
    return found


def test_graphiti_search_returns_alices_homes_with_their_validity(
    demo: Demo, graphiti: GraphitiSession
) -> None:
    believed = _filters(expired_at=[[_date("IS NULL")]])
    edges = graphiti.run(
        graphiti.client.search(
            "Where does Alice live?",
            group_ids=[demo.group_id],
            num_results=10,
            search_filter=believed,
        )
    )
    assert all(e.group_id == demo.group_id for e in edges)
    assert _homes(edges, demo.alice_uuid) == {
        "Paris": (datetime(2023, 1, 15, 10, tzinfo=UTC), datetime(2023, 6, 1, tzinfo=UTC)),
        "Berlin": (datetime(2023, 6, 1, tzinfo=UTC), None),
    }
    berlin = next(e for e in edges if e.name == "LIVES_IN" and "Berlin" in e.fact)
    assert berlin.attributes["sources"] == ["S2:1"]  # chronomem's extra properties come along


def test_graphiti_sees_the_retired_belief_without_a_filter(
    demo: Demo, graphiti: GraphitiSession
) -> None:
    edges = graphiti.run(
        graphiti.client.search("Where does Alice live?", group_ids=[demo.group_id])
    )
    retired = [e for e in edges if e.name == "LIVES_IN" and e.expired_at is not None]
    assert [("Paris" in e.fact, e.invalid_at) for e in retired] == [(True, None)]


def test_graphiti_date_filters_give_the_state_as_of_march_2023(
    demo: Demo, graphiti: GraphitiSession
) -> None:
    as_of = _filters(
        valid_at=[[_date("<=", MARCH_2023)]],
        invalid_at=[[_date(">", MARCH_2023)], [_date("IS NULL")]],
        expired_at=[[_date("IS NULL")]],
    )
    edges = graphiti.run(
        graphiti.client.search(
            "Where does Alice live?", group_ids=[demo.group_id], search_filter=as_of
        )
    )
    assert set(_homes(edges, demo.alice_uuid)) == {"Paris"}


def test_graphiti_reads_entities_and_episodes(demo: Demo, graphiti: GraphitiSession) -> None:
    from graphiti_core.nodes import EntityNode, EpisodeType, EpisodicNode
    from graphiti_core.search.search_config import (
        EpisodeSearchConfig,
        EpisodeSearchMethod,
        NodeSearchConfig,
        NodeSearchMethod,
        SearchConfig,
    )

    client = graphiti.client
    (alice,) = graphiti.run(EntityNode.get_by_uuids(client.driver, [demo.alice_uuid]))
    assert (alice.name, alice.group_id) == ("Alice", demo.group_id)
    assert "Person" in alice.labels
    assert alice.name_embedding is None or len(alice.name_embedding) == 384

    homes = demo.memory.facts(subject="Alice", relation="LIVES_IN", group_id=demo.group_id)
    (berlin,) = [f for f in homes if f.object == "Berlin"]
    (episode,) = graphiti.run(EpisodicNode.get_by_uuids(client.driver, berlin.episodes))
    assert episode.content == "Big news: I moved to Berlin last month!"
    assert episode.source == EpisodeType.message
    assert episode.source_description == "demo"
    assert episode.valid_at == datetime(2023, 7, 10, 18, 30, tzinfo=UTC)
    assert berlin.uuid in episode.entity_edges

    # graphiti's node search by name embedding, and its episode search by BM25
    config = SearchConfig(
        node_config=NodeSearchConfig(search_methods=[NodeSearchMethod.cosine_similarity]),
        episode_config=EpisodeSearchConfig(search_methods=[EpisodeSearchMethod.bm25]),
        limit=3,
    )
    results = graphiti.run(client.search_("Alice cello", config, group_ids=[demo.group_id]))
    assert "Alice" in [n.name for n in results.nodes]
    assert results.episodes
    assert results.episodes[0].content == "I started playing the cello last week."


# ------------------------------------------------------------------------------------ latency


def test_latency_benchmark_measures_both_searches(demo: Demo, graphiti: GraphitiSession) -> None:
    """benchmarks/graphiti_latency.py on two questions: both searches really answer, every
    search is timed per question, and the report is the docs section (timings never asserted)."""
    mem, group, client = demo.memory, demo.group_id, graphiti.client
    hits = mem.search(QUERIES[0], group_id=group, limit=LIMIT)
    assert any(h.object == "Berlin" or "Berlin" in h.text for h in hits)
    edges = graphiti.run(client.search(QUERIES[0], group_ids=[group], num_results=LIMIT))
    assert any("Berlin" in e.fact for e in edges)

    measured = measure("demo dialogue", mem, group, graphiti, QUERIES[:2], rounds=1)

    assert measured.size.startswith(f"{mem.stats(group).episodes} episodes")
    for name in SEARCHES:
        assert len(measured.samples[name]) == 2
        assert all(seconds > 0 for seconds in measured.samples[name])
        assert measured.calls[name] >= 1
    text = report([measured], rounds=1)
    assert text.startswith(SECTION)
    assert f"Produced by `{COMMAND}`" in text
    table = [line for line in text.splitlines() if line.startswith("| demo dialogue |")]
    assert [line.split(" | ")[1] for line in table] == list(SEARCHES)
