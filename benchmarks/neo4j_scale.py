"""chronomem's and graphiti-core's search on the same synthetic Neo4j memory, by size.

    .venv/bin/python -m benchmarks.neo4j_scale --store bolt://127.0.0.1:7687 --sizes 10000,100000

For each size N, the database gets N synthetic facts (:class:`benchmarks.scale.SyntheticMemory`:
realistic fact text over people, places, organisations and concepts, one episode per two facts,
their mentions, all embedded by :class:`benchmarks.scale.TopicEmbedder`) in several groups: one
large group with most of them and ``--small-groups`` small ones of ``--small-facts`` facts each
(the small groups are what a search must not lose among the large group's nearer vectors). The
groups are written through :meth:`Neo4jStore.write` (batched ``UNWIND`` statements, 2,000 facts a
batch) and kept: a later run with the same size and seed finds them and skips the loading.

Then, on the large group and on one small group, the same synthetic questions are asked of
chronomem's ``Memory.search`` (default and ``fast`` recipes) and graphiti-core's
``Graphiti.search`` (``EDGE_HYBRID_SEARCH_RRF``), with the same embedder, interleaved query by
query after a warm-up round (:func:`benchmarks.graphiti_latency.measure`), and the recall of
chronomem's vector search (through the index on the large group) against exact search (every
vector of the group scored in numpy) is measured for facts and entities.

Prints a markdown table (``--json``: JSON) for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from benchmarks.graphiti_latency import (
    CHRONOMEM_DEFAULT,
    CHRONOMEM_FAST,
    GRAPHITI,
    SEARCHES,
    Measured,
    measure,
)
from benchmarks.scale import SyntheticMemory, TopicEmbedder, synthetic_queries
from chronomem.bench.metrics import percentile
from chronomem.config import config_from_env
from chronomem.engine.store import FactFilter
from chronomem.engine.store.targets import is_neo4j_uri
from chronomem.errors import ChronomemError
from chronomem.memory import Memory

__all__ = ["index_recall", "load", "main"]

LIMIT = 10


@dataclass
class Group:
    """One group of the synthetic database."""

    memory: SyntheticMemory
    loaded_s: float  # seconds its loading took (0: it was there already)


def load(mem: Memory, group: str, facts: int, seed: int, embedder: TopicEmbedder) -> Group:
    """The synthetic memory of ``facts`` facts in ``group``, written unless it is there."""
    memory = SyntheticMemory(
        facts=facts, seed=seed, group_id=group, embedder=embedder, uuid_prefix=f"{group}:"
    )
    if mem.stats(group).facts >= facts:
        return Group(memory, 0.0)
    started = time.perf_counter()
    for batch in memory.batches():
        mem.store.write(batch)
    return Group(memory, time.perf_counter() - started)


def index_recall(mem: Memory, group: Group, queries: Sequence[str]) -> dict[str, float]:
    """Recall@10 of the store's vector search (facts, entities) against exact search: every
    vector of the group read back and scored in numpy, with the same filter."""
    store, group_id = mem.store, group.memory.group_id
    embedder = group.memory.embedder
    facts = store.list_facts(group_id, FactFilter(), vectors=True)
    entities = store.find_entities(group_id, vectors=True)
    found: dict[str, float] = {}
    for target, rows in (("fact", facts), ("entity", entities)):
        uuids = [row.uuid for row in rows]
        vectors = np.asarray(
            [
                row.fact_embedding if target == "fact" else row.name_embedding  # type: ignore[union-attr]
                for row in rows
            ],
            dtype=np.float32,
        )
        recalls = []
        for query in queries:
            vector = embedder.embed([query])[0]
            exact = {uuids[i] for i in np.argsort(-(vectors @ vector))[:LIMIT]}
            hits = store.vector(group_id, vector, target, LIMIT, FactFilter())  # type: ignore[arg-type]
            recalls.append(len(exact & {u for u, _ in hits}) / max(1, min(LIMIT, len(uuids))))
        found[target] = round(statistics.mean(recalls), 4)
    return found


def _p95(samples: Sequence[float]) -> float:
    return percentile([s * 1000 for s in samples], 95)


def run(
    uri: str, sizes: Sequence[int], small_groups: int, small_facts: int, queries: int, rounds: int
) -> list[dict[str, Any]]:
    """Load and measure each size (see the module docstring)."""
    from benchmarks.graphiti_search import GraphitiSession

    # graphiti selects `reference_time`, which chronomem does not write: Neo4j warns per query.
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
    embedder = TopicEmbedder()
    config = config_from_env()
    graphiti = GraphitiSession(uri, config.neo4j_auth, embedder)
    results: list[dict[str, Any]] = []
    try:
        with Memory.open(uri, embedder=embedder, config=config) as mem:
            for size in sizes:
                large = size - small_groups * small_facts
                if large < small_facts:
                    raise ValueError(f"size {size} leaves too few facts for the large group")
                big = load(mem, f"scale-{size}-large", large, 0, embedder)
                smalls = [
                    load(mem, f"scale-{size}-small-{j}", small_facts, 100 + j, embedder)
                    for j in range(small_groups)
                ]
                loaded = big.loaded_s + sum(g.loaded_s for g in smalls)
                for name, group in (("large group", big), ("small group", smalls[0])):
                    asked = synthetic_queries(group.memory, queries)
                    m = measure(name, mem, group.memory.group_id, graphiti, asked, rounds)
                    results.append(_row(size, name, m, loaded, index_recall(mem, group, asked)))
    finally:
        graphiti.close()
    return results


def _row(
    size: int, name: str, m: Measured, loaded: float, recall: dict[str, float]
) -> dict[str, Any]:
    base = m.median_ms(GRAPHITI)
    return {
        "size": size,
        "group": name,
        "group_size": m.size,
        "load_s": round(loaded, 1),
        "recall@10": recall,
        **{
            label: {
                "p50_ms": round(m.median_ms(search), 1),
                "p95_ms": round(_p95(m.samples[search]), 1),
                "x_graphiti": round(m.median_ms(search) / base, 2),
                "statements": round(m.calls[search], 1),
            }
            for label, search in (
                ("default", CHRONOMEM_DEFAULT),
                ("fast", CHRONOMEM_FAST),
                ("graphiti", GRAPHITI),
            )
        },
    }


def table(results: Sequence[dict[str, Any]]) -> str:
    """The markdown table of ``results``."""
    lines = [
        "| facts in the database | group searched | search | p50 ms | p95 ms | x graphiti (p50) "
        "| statements |",
        "|---|---|---|---|---|---|---|",
    ]
    names = dict(zip(("default", "fast", "graphiti"), SEARCHES, strict=True))
    for r in results:
        for label, search in names.items():
            v = r[label]
            lines.append(
                f"| {r['size']:,} | {r['group']} ({r['group_size']}) | {search} | {v['p50_ms']} "
                f"| {v['p95_ms']} | {v['x_graphiti']} | {v['statements']} |"
            )
    lines.append("")
    lines.append("| facts in the database | group | recall@10 of vector search vs exact | load s |")
    lines.append("|---|---|---|---|")
    for r in results:
        recall = ", ".join(f"{k} {v}" for k, v in r["recall@10"].items())
        lines.append(f"| {r['size']:,} | {r['group']} | {recall} | {r['load_s']} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its table; 0 on success, 1 on a chronomem error."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.neo4j_scale", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--store", default="bolt://127.0.0.1:7687", help="a Neo4j URI")
    parser.add_argument("--sizes", default="10000", help="facts in the database, comma-separated")
    parser.add_argument("--small-groups", type=int, default=20, help="small groups per size")
    parser.add_argument("--small-facts", type=int, default=100, help="facts per small group")
    parser.add_argument("--queries", type=int, default=20, help="questions per group")
    parser.add_argument("--rounds", type=int, default=2, help="timed rounds of the questions")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = parser.parse_args(argv)
    if not is_neo4j_uri(args.store):
        parser.error(f"--store must be a neo4j:// or bolt:// URI, not {args.store!r}")
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    try:
        results = run(
            args.store, sizes, args.small_groups, args.small_facts, args.queries, args.rounds
        )
    except ChronomemError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(results, indent=2) if args.json else table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
