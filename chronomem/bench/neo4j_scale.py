"""chronomem's search on Neo4j at scale, side by side with graphiti-core's on the same graph.

    python -m chronomem.bench neo4j-scale --store bolt://127.0.0.1:7687 --sizes 10000,100000

For each size N, the database gets N synthetic facts (:class:`chronomem.bench.synthetic.
SyntheticMemory`: fact text over people, places, organisations and concepts, one episode per two
facts, their mentions, all embedded by :class:`~chronomem.bench.synthetic.TopicEmbedder`) in
several groups: one large group with most of them and ``--small-groups`` small ones of
``--small-facts`` facts each (the small groups are what a search must not lose among the large
group's nearer vectors). The groups are written through :meth:`Neo4jStore.write` (batched
``UNWIND`` statements, 2,000 facts a batch; ``--writers`` groups at a time, each in its own
transactions) and kept: a later run with the same size and seed finds them and skips the loading.
Sizes share the database: measure one size per database for a clean curve.

Then, on the large group and on one small group, the same synthetic questions are asked of
chronomem's ``Memory.search`` (default and ``fast`` recipes) and, when graphiti-core is installed
(the dev extra), graphiti-core's ``Graphiti.search`` (``EDGE_HYBRID_SEARCH_RRF``), with the same
embedder, interleaved query by query after a warm-up round
(:func:`chronomem.bench.side_by_side.measure`); and the recall@10 of chronomem's vector search
(the store's index path) against exact search (the store's exact path, every vector of the
group scored on the server, so the group's vectors never come into this process) is measured
for facts and entities.

Prints markdown tables (``--json``: JSON); ``--plot FILE`` draws p50 latency by size.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from chronomem.bench.metrics import percentile
from chronomem.bench.side_by_side import (
    CHRONOMEM_DEFAULT,
    CHRONOMEM_FAST,
    GRAPHITI,
    LIMIT,
    Measured,
    measure,
)
from chronomem.bench.synthetic import SyntheticMemory, TopicEmbedder, Vectors, synthetic_queries
from chronomem.config import config_from_env
from chronomem.engine.store import FactFilter, GraphStore
from chronomem.engine.store.neo4j import Neo4jStore
from chronomem.engine.store.protocol import VectorTarget
from chronomem.engine.store.targets import is_neo4j_uri
from chronomem.errors import ChronomemError
from chronomem.memory import Memory
from chronomem.progress import count_bar, percent_bar

if TYPE_CHECKING:  # importing it imports graphiti-core, an optional dependency
    from chronomem.bench.graphiti import GraphitiSession

__all__ = ["Group", "exact_store", "index_recall", "load", "main", "plot", "run", "table"]

#: An exact threshold above any group's size: every vector of a group is scored.
EXACT_ALL: Final = 2**62
#: The searches of a row, by their JSON key.
LABELS: Final = {"default": CHRONOMEM_DEFAULT, "fast": CHRONOMEM_FAST, "graphiti": GRAPHITI}
#: What the recall check measures.
RECALL_TARGETS: Final[tuple[VectorTarget, ...]] = ("fact", "entity")
GRAPHITI_MISSING: Final = "graphiti-core is not installed (the dev extra): chronomem only"


@dataclass
class Group:
    """One group of the synthetic database."""

    memory: SyntheticMemory
    loaded_s: float  # seconds its loading took (0: it was there already)


def load(
    mem: Memory,
    group: str,
    facts: int,
    seed: int,
    embedder: TopicEmbedder,
    progress: Callable[[int], None] | None = None,
) -> Group:
    """The synthetic memory of ``facts`` facts in ``group``, written unless it is there;
    ``progress`` is told the facts of each batch written (all of them, for a group there
    already). The group's embedder is recorded as a memory's first write records it: the
    batches go straight to the store, and a search of a group with no embedder on record
    reads that setting again every time (one more statement a search than users pay; 7 ms
    at 1M facts, docs/benchmarks.md, fourteenth session)."""
    memory = SyntheticMemory(
        facts=facts, seed=seed, group_id=group, embedder=embedder, uuid_prefix=f"{group}:"
    )
    mem._check_embedder(group)  # what Memory's writes do first
    if mem.stats(group).facts >= facts:
        if progress is not None:
            progress(facts)
        return Group(memory, 0.0)
    started = time.perf_counter()
    for batch in memory.batches():
        mem.store.write(batch)
        if progress is not None and batch.facts:
            progress(len(batch.facts))
    return Group(memory, time.perf_counter() - started)


def exact_hits(exact: GraphStore, group_id: str, vectors: Vectors) -> dict[str, list[set[str]]]:
    """Per target (facts, entities), per query vector, the uuids of the exact top 10 found by
    ``exact`` (:func:`exact_store`: the store's exact path over the whole group, in Cypher),
    so this process never holds the group's vectors: reading them back (about 22 KB a fact
    as Python floats) needed some 20 GiB for a 998,000-fact group."""
    return {
        target: [
            {u for u, _ in exact.vector(group_id, vector, target, LIMIT, FactFilter())}
            for vector in vectors
        ]
        for target in RECALL_TARGETS
    }


def recall_against(
    store: GraphStore, group_id: str, vectors: Vectors, wanted: dict[str, list[set[str]]]
) -> tuple[dict[str, float], dict[str, float]]:
    """Recall@10 of ``store``'s vector search (per target) against ``wanted``
    (:func:`exact_hits`, the same filter), and the median milliseconds of its searches."""
    recall: dict[str, float] = {}
    took: dict[str, float] = {}
    for target in RECALL_TARGETS:
        recalls, times = [], []
        for vector, best in zip(vectors, wanted[target], strict=True):
            started = time.perf_counter()
            hits = store.vector(group_id, vector, target, LIMIT, FactFilter())
            times.append(time.perf_counter() - started)
            recalls.append(len(best & {u for u, _ in hits}) / max(1, len(best)))
        recall[target] = round(statistics.mean(recalls), 4)
        took[target] = round(1000 * statistics.median(times), 1)
    return recall, took


def index_recall(
    store: GraphStore, group: Group, queries: Sequence[str], exact: GraphStore
) -> dict[str, float]:
    """Recall@10 of ``store``'s vector search (facts, entities) against exact search
    (``exact``, :func:`exact_hits`), with the same filter."""
    group_id = group.memory.group_id
    vectors = group.memory.embedder.embed(list(queries))
    return recall_against(store, group_id, vectors, exact_hits(exact, group_id, vectors))[0]


def fetch_curve(
    uri: str,
    auth: tuple[str, str] | None,
    group: Group,
    vectors: Vectors,
    wanted: dict[str, list[set[str]]],
    fetches: Sequence[int],
) -> dict[str, dict[str, float]]:
    """For each number of hits fetched from a vector index, the recall@10 of the index path
    against ``wanted`` and the median milliseconds of a vector search, per target (a read-only
    store fetching that many, without the client-side vector cache: entities too are searched
    through their index)."""
    curve: dict[str, dict[str, float]] = {}
    dimension = group.memory.embedder.dimension
    for k in fetches:
        with Neo4jStore(
            uri, auth=auth, dimension=dimension, read_only=True, vector_fetch=k, vector_cache_mb=0
        ) as store:
            group_id = group.memory.group_id
            first = {target: answers[:2] for target, answers in wanted.items()}
            recall_against(store, group_id, vectors[:2], first)  # warm-up
            recall, took = recall_against(store, group_id, vectors, wanted)
        curve[str(k)] = {**recall, **{f"{t}_ms": ms for t, ms in took.items()}}
    return curve


def exact_store(uri: str, auth: tuple[str, str] | None, dimension: int) -> Neo4jStore:
    """A read-only store on ``uri`` whose vector search scores every vector of a group on the
    server (its exact threshold above any group's size) and keeps none in this process (no
    vector cache): exact top-k search for :func:`index_recall`."""
    return Neo4jStore(
        uri, auth=auth, dimension=dimension, read_only=True, exact_max=EXACT_ALL, vector_cache_mb=0
    )


def _open_graphiti(uri: str, auth: tuple[str, str] | None, embedder: TopicEmbedder) -> Any:
    """A :class:`GraphitiSession`, or None when graphiti-core is not installed."""
    try:
        from chronomem.bench.graphiti import GraphitiSession
    except ImportError:
        return None
    return GraphitiSession(uri, auth, embedder)


def _load_size(
    mem: Memory,
    size: int,
    small_groups: int,
    small_facts: int,
    writers: int,
    index_after: bool = False,
) -> tuple[Group, list[Group], float, float]:
    """The size's large group and small groups, loaded ``writers`` groups at a time; the
    wall-clock seconds the loading took (0 when all were there); and the seconds then spent
    until the vector indexes were built (``index_after``: dropped before loading and built
    once over all the vectors; else they are only waited for, if still being built: after
    a rebuild, or a load stopped before they were)."""
    embedder = TopicEmbedder()
    large = size - small_groups * small_facts
    if large < small_facts:
        raise ValueError(f"size {size} leaves too few facts for the large group")
    plan = [(f"scale-{size}-large", large, 0)] + [
        (f"scale-{size}-small-{j}", small_facts, 100 + j) for j in range(small_groups)
    ]
    # Dropped only if something is loaded (the indexes of a loaded database are kept).
    deferred = mem.store if index_after and isinstance(mem.store, Neo4jStore) else None
    if deferred is not None and all(mem.stats(g).facts >= facts for g, facts, _ in plan):
        deferred = None
    if deferred is not None:
        deferred.drop_vector_indexes()
    started = time.perf_counter()
    with (
        count_bar(size, f"loading {size:,} facts", unit="fact") as written,
        ThreadPoolExecutor(max_workers=max(1, writers)) as pool,
    ):
        groups = list(pool.map(lambda p: load(mem, p[0], p[1], p[2], embedder, written), plan))
    wall = time.perf_counter() - started if any(g.loaded_s for g in groups) else 0.0
    indexed = 0.0
    if isinstance(mem.store, Neo4jStore):
        started = time.perf_counter()
        with percent_bar("building the vector indexes") as built:
            mem.store.build_vector_indexes(built)
        indexed = time.perf_counter() - started
    return groups[0], groups[1:], wall, indexed


def run(
    uri: str,
    sizes: Sequence[int],
    small_groups: int,
    small_facts: int,
    queries: int,
    rounds: int,
    writers: int = 2,
    graphiti: bool = True,
    fetches: Sequence[int] = (),
    index_after: bool = False,
) -> list[dict[str, Any]]:
    """Load and measure each size (see the module docstring)."""
    # graphiti selects `reference_time`, which chronomem does not write: Neo4j warns per query.
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
    config = config_from_env()
    session: GraphitiSession | None = None
    if graphiti:
        session = _open_graphiti(uri, config.neo4j_auth, TopicEmbedder())
    results: list[dict[str, Any]] = []
    try:
        with (
            Memory.open(uri, embedder=TopicEmbedder(), config=config) as mem,
            exact_store(uri, config.neo4j_auth, mem.embedder.dimension) as exact,
        ):
            for size in sizes:
                big, smalls, loaded, indexed = _load_size(
                    mem, size, small_groups, small_facts, writers, index_after
                )
                for name, group in (("large group", big), ("small group", smalls[0])):
                    asked = synthetic_queries(group.memory, queries)
                    m = measure(name, mem, group.memory.group_id, session, asked, rounds)
                    group_id = group.memory.group_id
                    vectors = group.memory.embedder.embed(asked)
                    wanted = exact_hits(exact, group_id, vectors)
                    recall = recall_against(mem.store, group_id, vectors, wanted)[0]
                    row = _row(size, name, m, loaded, recall)
                    row["index_s"] = round(indexed, 1)
                    if fetches and group is big:
                        auth = config.neo4j_auth
                        row["fetch"] = fetch_curve(uri, auth, group, vectors, wanted, fetches)
                    results.append(row)
    finally:
        if session is not None:
            session.close()
    return results


def _row(
    size: int, name: str, m: Measured, loaded: float, recall: dict[str, float]
) -> dict[str, Any]:
    base = m.median_ms(GRAPHITI) if GRAPHITI in m.samples else None
    row: dict[str, Any] = {
        "size": size,
        "group": name,
        "group_size": m.size,
        "load_s": round(loaded, 1),
        "recall@10": recall,
    }
    for label, search in LABELS.items():
        if search not in m.samples:
            continue
        median = m.median_ms(search)
        row[label] = {
            "p50_ms": round(median, 1),
            "p95_ms": round(percentile([s * 1000 for s in m.samples[search]], 95), 1),
            "x_graphiti": None if base is None else round(median / base, 2),
            "statements": round(m.calls[search], 1),
        }
    return row


def table(results: Sequence[dict[str, Any]], graphiti_missing: bool = False) -> str:
    """The markdown tables of ``results`` (``graphiti_missing``: say graphiti-core was not
    installed)."""
    lines = [
        "| facts in the database | group searched | search | p50 ms | p95 ms | x graphiti (p50) "
        "| statements |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for label, search in LABELS.items():
            if label not in r:
                continue
            v = r[label]
            ratio = "-" if v["x_graphiti"] is None else v["x_graphiti"]
            lines.append(
                f"| {r['size']:,} | {r['group']} ({r['group_size']}) | {search} | {v['p50_ms']} "
                f"| {v['p95_ms']} | {ratio} | {v['statements']} |"
            )
    if graphiti_missing:
        lines.append(f"\n({GRAPHITI_MISSING}.)")
    lines.append("")
    lines.append(
        "| facts in the database | group | recall@10 of vector search vs exact | load s "
        "| vector indexes built (or awaited) after, s |"
    )
    lines.append("|---|---|---|---|---|")
    for r in results:
        recall = ", ".join(f"{k} {v}" for k, v in r["recall@10"].items())
        lines.append(
            f"| {r['size']:,} | {r['group']} | {recall} | {r['load_s']} | {r['index_s']} |"
        )
    curves = [r for r in results if "fetch" in r]
    if curves:
        lines.append("")
        lines.append(
            "| facts in the database | hits fetched | recall@10 fact | entity "
            "| ms per fact search | entity |"
        )
        lines.append("|---|---|---|---|---|---|")
        for r in curves:
            for k, v in r["fetch"].items():
                lines.append(
                    f"| {r['size']:,} | {k} | {v['fact']} | {v['entity']} | {v['fact_ms']} "
                    f"| {v['entity_ms']} |"
                )
    return "\n".join(lines)


def plot(results: Sequence[dict[str, Any]], path: str | Path) -> Path:
    """Draw the p50 (solid) and p95 (dotted) latency of each search by size, one panel per
    group kind, on log axes, into an image file (needs matplotlib, the notebooks extra)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kinds = list(dict.fromkeys(r["group"] for r in results))
    figure, axes = plt.subplots(1, len(kinds), figsize=(5 * len(kinds), 4), squeeze=False)
    for axis, kind in zip(axes[0], kinds, strict=True):
        rows = sorted((r for r in results if r["group"] == kind), key=lambda r: r["size"])
        sizes = [r["size"] for r in rows]
        for label in LABELS:
            if not all(label in r for r in rows):
                continue
            line = axis.plot(sizes, [r[label]["p50_ms"] for r in rows], marker="o", label=label)
            colour = line[0].get_color()
            axis.plot(sizes, [r[label]["p95_ms"] for r in rows], linestyle=":", color=colour)
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("facts in the database")
        axis.set_ylabel("ms per search (p50 solid, p95 dotted)")
        axis.set_title(kind)
        axis.legend()
    figure.tight_layout()
    out = Path(path)
    figure.savefig(out, dpi=110)
    plt.close(figure)
    return out


def _ints(parser: argparse.ArgumentParser, flag: str, text: str) -> list[int]:
    """The comma-separated positive integers of ``flag``'s ``text`` (a usage error otherwise)."""
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        parser.error(f"{flag} must be comma-separated integers, not {text!r}")
    if any(v < 1 for v in values):
        parser.error(f"{flag} values must be >= 1")
    return values


def main(argv: Sequence[str] | None = None, prog: str = "neo4j-scale") -> int:
    """Run the benchmark and print its tables; 0 on success, 1 on a chronomem error."""
    parser = argparse.ArgumentParser(prog=prog, description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--store", default="bolt://127.0.0.1:7687", help="a Neo4j URI")
    parser.add_argument("--sizes", default="10000", help="facts in the database, comma-separated")
    parser.add_argument("--small-groups", type=int, default=20, help="small groups per size")
    parser.add_argument("--small-facts", type=int, default=100, help="facts per small group")
    parser.add_argument("--queries", type=int, default=20, help="questions per group")
    parser.add_argument("--rounds", type=int, default=2, help="timed rounds of the questions")
    parser.add_argument("--writers", type=int, default=2, help="groups loaded at a time")
    parser.add_argument("--no-graphiti", action="store_true", help="time chronomem only")
    parser.add_argument(
        "--fetch",
        default="",
        help="also measure the large group's index recall and vector search time fetching "
        "each of these numbers of hits (comma-separated, e.g. 200,400,1000)",
    )
    parser.add_argument(
        "--index-after",
        action="store_true",
        help="drop the vector indexes before loading and build them once after (the load is "
        "quicker; the build then takes its own time, reported)",
    )
    parser.add_argument("--plot", type=Path, default=None, help="draw latency by size here")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = parser.parse_args(argv)
    if not is_neo4j_uri(args.store):
        parser.error(f"--store must be a neo4j:// or bolt:// URI, not {args.store!r}")
    if args.small_groups < 1 or args.small_facts < 2 or args.queries < 1 or args.rounds < 1:
        parser.error("--small-groups, --queries and --rounds must be >= 1, --small-facts >= 2")
    sizes = _ints(parser, "--sizes", args.sizes)
    fetches = _ints(parser, "--fetch", args.fetch)
    try:
        results = run(
            args.store,
            sizes,
            args.small_groups,
            args.small_facts,
            args.queries,
            args.rounds,
            args.writers,
            graphiti=not args.no_graphiti,
            fetches=fetches,
            index_after=args.index_after,
        )
    except (ChronomemError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    missing = bool(results) and "graphiti" not in results[0] and not args.no_graphiti
    if missing:
        print(GRAPHITI_MISSING, file=sys.stderr)
    print(json.dumps(results, indent=2) if args.json else table(results, missing))
    if args.plot is not None:
        print(f"plot: {plot(results, args.plot)}", file=sys.stderr)
    return 0
