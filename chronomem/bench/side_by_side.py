"""chronomem's search and, when graphiti-core is installed, graphiti-core's, timed side by side
on the same Neo4j group: interleaved query by query after a warm-up round, with the statements
each search sends.

Used by :mod:`chronomem.bench.neo4j_scale` and ``benchmarks/graphiti_latency.py``. The graphiti
side is a :class:`chronomem.bench.graphiti.GraphitiSession` (importing that module needs
graphiti-core, the dev extra); without one, only chronomem's searches are timed.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Final

from chronomem.memory import Memory

if TYPE_CHECKING:  # importing it imports graphiti-core, an optional dependency
    from chronomem.bench.graphiti import GraphitiSession

__all__ = [
    "CHRONOMEM_DEFAULT",
    "CHRONOMEM_FAST",
    "GRAPHITI",
    "LIMIT",
    "SEARCHES",
    "Measured",
    "measure",
]

#: Results asked of every search.
LIMIT: Final = 10

CHRONOMEM_DEFAULT: Final = "chronomem `Memory.search` (default recipe)"
CHRONOMEM_FAST: Final = "chronomem `Memory.search(recipe='fast')`"
GRAPHITI: Final = "graphiti `Graphiti.search` (`EDGE_HYBRID_SEARCH_RRF`)"
SEARCHES: Final = (CHRONOMEM_DEFAULT, CHRONOMEM_FAST, GRAPHITI)


@dataclass
class Measured:
    """Per-query latencies (seconds) of each search on one graph, and its size (no
    :data:`GRAPHITI` entries when graphiti-core was not measured)."""

    graph: str
    size: str
    samples: dict[str, list[float]]
    calls: dict[str, float]  # Neo4j statements per search
    cpu: dict[str, list[float]] = field(default_factory=dict)
    """Per-query CPU time of this process (all its threads), in seconds: the client's work
    (the database server's is not in it)."""

    def cpu_ms(self, name: str) -> float:
        """The median client CPU time of search ``name``, in milliseconds."""
        return statistics.median(self.cpu[name]) * 1000 if self.cpu.get(name) else float("nan")

    def median_ms(self, name: str) -> float:
        """The median latency of search ``name``, in milliseconds."""
        return statistics.median(self.samples[name]) * 1000

    def p90_ms(self, name: str) -> float:
        """The 90th percentile latency of search ``name``, in milliseconds."""
        ordered = sorted(self.samples[name])
        return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))] * 1000


def _time_sync(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def _store_calls(mem: Memory, call: Callable[[], object]) -> int:
    """How many Neo4j statements ``call`` sends through the store (each read of a
    :class:`~chronomem.engine.store.neo4j.Neo4jStore` is one statement, sent by its
    ``_rows``); a read answered in the client (the vector cache, the pinned reads of a search)
    sends none."""
    count = 0
    store: Any = mem.store
    original = store._rows

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal count
        count += 1
        return original(*args, **kwargs)

    store._rows = counting
    try:
        call()
    finally:
        del store._rows
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


def measure(
    graph: str,
    mem: Memory,
    group: str,
    graphiti: GraphitiSession | None,
    queries: Sequence[str],
    rounds: int,
) -> Measured:
    """Each search on ``queries`` over ``group``: a warm-up round, then ``rounds`` rounds with
    the searches interleaved (the same load for all), and the statements each search sends.
    ``graphiti`` None: chronomem's searches only."""
    systems: dict[str, Callable[[str], float]] = {
        CHRONOMEM_DEFAULT: lambda q: _time_sync(lambda: mem.search(q, group_id=group, limit=LIMIT)),
        CHRONOMEM_FAST: lambda q: _time_sync(
            lambda: mem.search(q, group_id=group, limit=LIMIT, recipe="fast")
        ),
    }
    if graphiti is not None:
        client = graphiti.client
        systems[GRAPHITI] = lambda q: graphiti.timed(
            lambda: client.search(q, group_ids=[group], num_results=LIMIT)
        )
    for timer in systems.values():  # warm up: query plans cached, connections open
        for query in queries:
            timer(query)
    samples: dict[str, list[float]] = {name: [] for name in systems}
    cpu: dict[str, list[float]] = {name: [] for name in systems}
    for _ in range(rounds):
        for query in queries:
            for name, timer in systems.items():
                started = time.process_time()
                samples[name].append(timer(query))
                cpu[name].append(time.process_time() - started)
    calls = {
        name: statistics.mean(
            _store_calls(mem, partial(mem.search, q, group_id=group, recipe=recipe))
            for q in queries
        )
        for name, recipe in ((CHRONOMEM_DEFAULT, "default"), (CHRONOMEM_FAST, "fast"))
    }
    if graphiti is not None:
        calls[GRAPHITI] = statistics.mean(_graphiti_calls(graphiti, q, group) for q in queries)
    stats = mem.stats(group)
    size = f"{stats.episodes} episodes, {stats.entities} entities, {stats.facts} fact rows"
    return Measured(graph, size, samples, calls, cpu)
