"""graphiti-core's own search reads a graph that chronomem wrote to Neo4j.

graphiti-core runs offline here (tests/integration/graphiti_search.py): chronomem's embedder
behind graphiti's ``EmbedderClient``, stub LLM and reranker clients, telemetry off. The last test
times both searches on the same graph; with ``CHRONOMEM_WRITE_BENCHMARKS=1`` it writes the figures
into docs/benchmarks.md (it never asserts on timings).
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import os
import platform
import re
import statistics
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import pytest

from chronomem.demo import DEMO_TURNS
from chronomem.engine.embed import HashingEmbedder
from chronomem.ingest.extract.protocol import Extractor
from chronomem.ingest.sources.dialogue import read_dialogue
from chronomem.memory import Memory

pytestmark = [
    pytest.mark.neo4j,
    pytest.mark.filterwarnings("ignore:Support for class-based `config`:DeprecationWarning"),
]

T = TypeVar("T")

REPO = Path(__file__).resolve().parents[2]
BENCHMARKS_DOC = REPO / "docs" / "benchmarks.md"
SECTION = "## chronomem vs graphiti-core search on the same Neo4j graph"
COMMAND = (
    "CHRONOMEM_WRITE_BENCHMARKS=1 .venv/bin/python -m pytest "
    "tests/integration/test_graphiti_compat.py -k latency -s"
)
INSTALL_HINT = "pip install 'graphiti-core==0.31.1' 'httpx>=0.28' (the dev extra lists them)"

MARCH_2023 = datetime(2023, 3, 1, tzinfo=UTC)

QUERIES = (
    "Where does Alice live?",
    "Where does Alice work?",
    "What is Alice's job?",
    "Who is Alice's sister?",
    "Where does Emma live?",
    "What instrument does Bob play?",
    "Has Bob been to Berlin?",
    "When did Alice move to Berlin?",
    "Did Alice leave Acme?",
    "Where did Alice live before Berlin?",
    "Who works at Globex?",
    "Who lives in Lyon?",
    "Which company employs a data engineer?",
    "Where did Alice live in March 2023?",
    "What did Bob start last week?",
    "Which city did Bob visit in 2019?",
    "Is Alice still with Acme?",
    "Who moved to Paris for a new job?",
    "Tell me about Emma",
    "What happened in May 2023?",
)


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@pytest.fixture(scope="module")
def gs() -> ModuleType:
    """tests/integration/graphiti_search.py, or a skip (a failure in CI) without graphiti."""
    try:
        return importlib.import_module("tests.integration.graphiti_search")
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
        for session in ("S1", "S2"):
            turns = [t for t in DEMO_TURNS if t["session"] == session]
            mem.add_dialogue(turns, group_id=group_id, source="demo")
        yield Demo(group_id, mem, mem.entity("Alice", group_id=group_id).uuid)


class GraphitiSession:
    """A read-only Graphiti client and the one event loop it runs on."""

    def __init__(self, gs: ModuleType, uri: str, auth: tuple[str, str] | None) -> None:
        self.client: Any = gs.open_graphiti(uri, auth, HashingEmbedder())
        self._runner = asyncio.Runner()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self._runner.run(coroutine)

    def timed(self, call: Callable[[], Awaitable[Any]]) -> float:
        """Seconds taken by one awaited call, measured inside the loop."""

        async def measure() -> float:
            start = time.perf_counter()
            await call()
            return time.perf_counter() - start

        return self._runner.run(measure())

    def close(self) -> None:
        try:
            self.run(self.client.close())
        finally:
            self._runner.close()


@pytest.fixture(scope="module")
def graphiti(
    gs: ModuleType, neo4j_uri: str, neo4j_auth: tuple[str, str] | None
) -> Iterator[GraphitiSession]:
    # graphiti selects `reference_time`, which chronomem does not write: Neo4j warns per query.
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
    session = GraphitiSession(gs, neo4j_uri, neo4j_auth)
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

LIMIT = 10
LOCOMO = REPO.parent / "shared" / "data" / "locomo" / "locomo_dev.json"  # as tests/conftest.py


@dataclass
class Measured:
    """Per-query latencies (seconds) of each search on one graph, and its size."""

    graph: str
    size: str
    samples: dict[str, list[float]]
    calls: dict[str, float]  # Neo4j statements per search

    def median_ms(self, name: str) -> float:
        return statistics.median(self.samples[name]) * 1000

    def p90_ms(self, name: str) -> float:
        ordered = sorted(self.samples[name])
        return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))] * 1000


CHRONOMEM_DEFAULT = "chronomem `Memory.search` (default recipe)"
CHRONOMEM_FAST = "chronomem `Memory.search(recipe='fast')`"
GRAPHITI = "graphiti `Graphiti.search` (`EDGE_HYBRID_SEARCH_RRF`)"


def _time_sync(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def _store_calls(mem: Memory, call: Callable[[], object]) -> int:
    """How many store methods (one Neo4j statement or transaction each) ``call`` makes."""
    count = 0
    store: Any = mem.store
    originals = {n: getattr(store, n) for n in dir(type(store)) if not n.startswith("_")}
    originals = {n: f for n, f in originals.items() if callable(f)}

    def counting(method: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            nonlocal count
            count += 1
            return method(*args, **kwargs)

        return wrapper

    try:
        for name, method in originals.items():
            setattr(store, name, counting(method))
        call()
    finally:
        for name in originals:
            delattr(store, name)
    return count


def _graphiti_calls(graphiti: GraphitiSession, query: str, group: str) -> int:
    """How many statements graphiti's search sends to Neo4j."""
    driver: Any = graphiti.client.driver
    count = 0
    original = driver.execute_query

    async def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal count
        count += 1
        return await original(*args, **kwargs)

    driver.execute_query = counting
    try:
        graphiti.run(graphiti.client.search(query, group_ids=[group], num_results=LIMIT))
    finally:
        del driver.execute_query
    return count


def _measure(
    graph: str,
    mem: Memory,
    group: str,
    graphiti: GraphitiSession,
    queries: Sequence[str],
    rounds: int,
) -> Measured:
    client = graphiti.client
    systems: dict[str, Callable[[str], float]] = {
        CHRONOMEM_DEFAULT: lambda q: _time_sync(lambda: mem.search(q, group_id=group, limit=LIMIT)),
        CHRONOMEM_FAST: lambda q: _time_sync(
            lambda: mem.search(q, group_id=group, limit=LIMIT, recipe="fast")
        ),
        GRAPHITI: lambda q: graphiti.timed(
            lambda: client.search(q, group_ids=[group], num_results=LIMIT)
        ),
    }
    for measure in systems.values():  # warm up: query plans cached, connections open
        for query in queries:
            measure(query)
    samples: dict[str, list[float]] = {name: [] for name in systems}
    for _ in range(rounds):
        for query in queries:
            for name, measure in systems.items():  # interleaved: the same load for all
                samples[name].append(measure(query))
    calls = {
        name: statistics.mean(
            _store_calls(mem, partial(mem.search, q, group_id=group, recipe=recipe))
            for q in queries
        )
        for name, recipe in ((CHRONOMEM_DEFAULT, "default"), (CHRONOMEM_FAST, "fast"))
    }
    calls[GRAPHITI] = statistics.mean(_graphiti_calls(graphiti, q, group) for q in queries)
    stats = mem.stats(group)
    size = f"{stats.episodes} episodes, {stats.entities} entities, {stats.facts} fact rows"
    return Measured(graph, size, samples, calls)


def test_search_latency_side_by_side(
    demo: Demo, graphiti: GraphitiSession, neo4j_uri: str, spacy_extractor: Extractor
) -> None:
    """chronomem's Memory.search and graphiti's search, same graph, same questions, same
    embedder: per-query latency medians (reported, never asserted)."""
    mem, group, client = demo.memory, demo.group_id, graphiti.client
    # both really answer: Berlin is among the results of the first question
    hits = mem.search(QUERIES[0], group_id=group, limit=LIMIT)
    assert any(h.object == "Berlin" or "Berlin" in h.text for h in hits)
    edges = graphiti.run(client.search(QUERIES[0], group_ids=[group], num_results=LIMIT))
    assert any("Berlin" in e.fact for e in edges)

    writing = _truthy(os.environ.get("CHRONOMEM_WRITE_BENCHMARKS"))
    rounds = 3 if writing else 1  # a quick run checks the harness; figures need more samples
    results = [_measure("demo dialogue", mem, group, graphiti, QUERIES, rounds)]
    if writing and LOCOMO.exists():  # a larger graph for the figures in the docs
        results.append(_measure_locomo(graphiti, neo4j_uri, spacy_extractor, rounds))
    report = _report(results, rounds)
    print("\n" + report)
    if writing:
        _write_section(report)


def _measure_locomo(
    graphiti: GraphitiSession, uri: str, extractor: Extractor, rounds: int
) -> Measured:
    """The first LoCoMo conversation, searched with its first 20 questions (text only)."""
    source = read_dialogue(LOCOMO)[0]
    items = json.loads(LOCOMO.read_text(encoding="utf-8"))
    questions = [q["question"] for q in items[0]["qa"] if q.get("category") in (1, 2, 3, 4)]
    group = f"graphiti-compat-locomo-{time.time_ns():x}"
    with Memory.open(uri, embedder=HashingEmbedder(), extractor=extractor) as mem:
        mem.add_dialogue(source.turns, group_id=group, source=source.source)
        return _measure(f"LoCoMo {source.source}", mem, group, graphiti, questions[:20], rounds)


def _report(results: list[Measured], rounds: int) -> str:
    from importlib.metadata import version

    rows = []
    for m in results:
        base = m.median_ms(GRAPHITI)
        for name in (CHRONOMEM_DEFAULT, CHRONOMEM_FAST, GRAPHITI):
            rows.append(
                f"| {m.graph} | {name} | {m.median_ms(name):.1f} | {m.p90_ms(name):.1f} | "
                f"{m.median_ms(name) / base:.2f} | {m.calls[name]:.1f} |"
            )
    sizes = "; ".join(f"{m.graph}: {m.size}" for m in results)
    counts = ", ".join(f"{len(m.samples[GRAPHITI]) // rounds} on {m.graph}" for m in results)
    demo = results[0]
    ratio = demo.median_ms(CHRONOMEM_DEFAULT) / demo.median_ms(GRAPHITI)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"""{SECTION}

Produced by `{COMMAND}`
on {datetime.now(UTC):%Y-%m-%d}: {os.cpu_count()} cores (load average {load} while measuring:
other jobs shared the machine), Python {platform.python_version()}, Neo4j 5.26 on the same
machine, graphiti-core {version("graphiti-core")}, neo4j driver {version("neo4j")}.

Each library's own search over the same graph, written by chronomem ({sizes}): questions
({counts}) x {rounds} rounds after a warm-up round, the three
searches interleaved, one client, {LIMIT} results. Both use the same 384-d `HashingEmbedder`
(graphiti through an `EmbedderClient` wrapper); its cost is negligible, so the figures compare the
search machinery and its round trips to Neo4j. "x graphiti" is the ratio of medians; "statements"
counts, for chronomem, store calls per search (in two waves of up to 4 at a time; most send one
Neo4j statement, a vector search over a small group in a shared database several: a fetch from
the global index, a count of the group's vectors, an exact scoring, each for turn and sentence
vectors; a group once found small is scored exactly at once for a minute or until the next
write), and for graphiti its Neo4j statements (two, concurrently).

| graph | search | median ms | p90 ms | x graphiti | statements |
|---|---|---|---|---|---|
{chr(10).join(rows)}

**chronomem's default search takes {ratio:.1f}x the time of graphiti's on the demo graph.**
The searches do different amounts of work. graphiti's `Graphiti.search` runs its
`EDGE_HYBRID_SEARCH_RRF` recipe: BM25 over facts (`edge_name_and_fact`) and an exact cosine scan
of the group's fact embeddings, fused by RRF; it returns facts only (expired ones included unless
filtered). chronomem's default recipe searches facts, entities and episodes (BM25 and vectors),
adds the graph around the entities named in the question (their facts, personalised PageRank,
facts of the best episodes), leaves out facts it no longer believes, fuses by RRF and reranks with
the question's temporal cues; `fast` keeps only the BM25 and vector generators.
"""


def _write_section(report: str) -> None:
    """Replace (or append) this test's section of docs/benchmarks.md, leaving the others."""
    text = BENCHMARKS_DOC.read_text(encoding="utf-8") if BENCHMARKS_DOC.exists() else ""
    if not text.strip():
        text = "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: report.rstrip() + "\n\n", text, count=1).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + report.rstrip() + "\n"
    BENCHMARKS_DOC.write_text(text, encoding="utf-8")
