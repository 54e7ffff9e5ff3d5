"""Search latency at scale: a synthetic memory of N facts, and timed searches over it.

    .venv/bin/python -m benchmarks.scale --sizes 1000,10000,100000,1000000 --json

For each size, a fresh embedded memory gets N facts over about N/10 entities (people, places,
organisations, concepts) in one group, one episode per two facts (embedded too, as chronomem
embeds every turn), written straight through
:meth:`EmbeddedStore.write` in batches. The store is then reopened (its vector indexes are
built, or loaded from disk, as after a restart) and each query is timed through
:meth:`SearchEngine.search` (the "default" and "fast" recipes) and through the raw store
primitives (BM25 over facts, vectors over facts).

Embedding a million texts with the real model would take hours here, so texts are embedded by
:class:`TopicEmbedder`: each content word is a mix of one of a few hundred random topic
centroids and a random vector of its own; a text is the normalised sum of its words. The
vectors cost what sentence embeddings cost to store and search (384-d float32) and keep a
neighbourhood structure (texts sharing words or topics are close), which is what matters for
the cost of search; they carry no meaning beyond word overlap. Queries are embedded the same
way. The results are documented in ``docs/benchmarks.md`` ("Search latency at scale").
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np

from chronomem.bench.metrics import percentile
from chronomem.bench.synthetic import (
    COMMON_QUERIES,
    GROUP,
    SyntheticMemory,
    TopicEmbedder,
    Vectors,
    synthetic_queries,
)
from chronomem.engine.store import FactFilter
from chronomem.engine.store.embedded.store import DB_FILE, EmbeddedStore
from chronomem.engine.store.embedded.vectors import DEFAULT_ANN_THRESHOLD
from chronomem.query import SearchEngine, SearchRequest

__all__ = [
    "DEFAULT_SIZES",
    "SyntheticMemory",
    "TopicEmbedder",
    "main",
    "merge_results",
    "plot_scale",
    "run_scale",
    "synthetic_queries",
]

DEFAULT_SIZES: Final = (1_000, 10_000, 100_000, 1_000_000)

# -- timing ----------------------------------------------------------------------------------


def _summary(samples: Sequence[float]) -> dict[str, float]:
    """p50/p95/mean/max of durations in seconds, as milliseconds."""
    ms = [s * 1000 for s in samples]
    return {
        "p50_ms": round(percentile(ms, 50), 3),
        "p95_ms": round(percentile(ms, 95), 3),
        "mean_ms": round(sum(ms) / len(ms), 3) if ms else 0.0,
        "max_ms": round(max(ms), 3) if ms else 0.0,
    }


def _timed(call: Callable[..., object], *args: object) -> float:
    began = time.perf_counter()
    call(*args)
    return time.perf_counter() - began


def _directory_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.iterdir() if p.is_file()) / 2**20, 1)


def _truth(db: Path, dimension: int) -> tuple[list[str], Vectors]:
    """The uuids and vectors of the facts not expired, read straight from the database
    (the ground truth for recall, independent of the store's code), in chunks."""
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    where = "FROM facts f JOIN fact_vectors v ON v.fact_id = f.id "
    where += "WHERE f.group_id = ? AND f.expired_at IS NULL"
    try:
        (count,) = conn.execute(f"SELECT count(*) {where}", (GROUP,)).fetchone()
        matrix = np.empty((count, dimension), dtype=np.float32)
        uuids: list[str] = []
        cursor = conn.execute(f"SELECT f.uuid, v.embedding {where} ORDER BY f.id", (GROUP,))
        while rows := cursor.fetchmany(16_384):
            chunk = np.frombuffer(b"".join(r[1] for r in rows), dtype="<f4")
            matrix[len(uuids) : len(uuids) + len(rows)] = chunk.reshape(len(rows), dimension)
            uuids.extend(r[0] for r in rows)
    finally:
        conn.close()
    return uuids, matrix[: len(uuids)]


def _recall(
    db: Path, dimension: int, queries: Vectors, found: list[list[str]], k: int
) -> tuple[float, list[float]]:
    """Mean recall@k of ``found`` against exact search, and the exact search times (s)."""
    uuids, matrix = _truth(db, dimension)
    recalls: list[float] = []
    times: list[float] = []
    for query, hits in zip(queries, found, strict=False):
        began = time.perf_counter()
        scores = matrix @ query
        top = np.argpartition(-scores, k - 1)[:k]
        times.append(time.perf_counter() - began)
        wanted = {uuids[int(i)] for i in top}
        recalls.append(len(wanted & set(hits[:k])) / k)
    return float(np.mean(recalls)), times


def machine() -> dict[str, Any]:
    """What the numbers were measured on (the load average says how busy it was)."""
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            lines = [ln for ln in info if ln.startswith("model name")]
        model = lines[0].split(":", 1)[1].strip() if lines else ""
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": model or platform.processor(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "numpy": np.__version__,
    }


def _stored_facts(directory: Path, dimension: int) -> int:
    if not (directory / DB_FILE).is_file():
        return 0
    with EmbeddedStore(directory, dimension=dimension, read_only=True) as store:
        return store.stats(GROUP).facts


def _time_searches(
    store: EmbeddedStore, embedder: TopicEmbedder, texts: list[str], vectors: Vectors
) -> tuple[dict[str, list[float]], list[list[str]], float]:
    """Per path, the time of each query (s); the fact vector hits; the first search's time."""
    engine = SearchEngine(store, embedder)
    where = FactFilter()
    first = _timed(engine.search, SearchRequest(query=texts[0], group_id=GROUP))
    timings: dict[str, list[float]] = {}
    for name in ("default", "fast"):
        requests = [SearchRequest(query=q, group_id=GROUP, recipe=name) for q in texts]
        timings[f"search_{name}"] = [_timed(engine.search, r) for r in requests]
    timings["fulltext_fact"] = [_timed(store.fulltext, GROUP, q, "fact", 10, where) for q in texts]
    common = COMMON_QUERIES * max(1, len(texts) // (4 * len(COMMON_QUERIES)))
    timings["fulltext_fact_common"] = [
        _timed(store.fulltext, GROUP, q, "fact", 10, where) for q in common
    ]
    found: list[list[str]] = []

    def vector_search(query: Vectors) -> None:
        found.append([uuid for uuid, _ in store.vector(GROUP, query, "fact", 10, where)])

    timings["vector_fact"] = [_timed(vector_search, v) for v in vectors]
    return timings, found, first


def measure_size(
    facts: int,
    queries: int,
    directory: Path,
    *,
    seed: int = 0,
    batch: int = 2_000,
    ann_threshold: int | None = DEFAULT_ANN_THRESHOLD,
    index_timeout: float | None = None,
    recall_queries: int = 50,
    reuse: bool = False,
    log: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Build a synthetic memory of ``facts`` facts in ``directory`` (or, with ``reuse``, take
    the one built there before) and time searches on it."""
    embedder = TopicEmbedder()
    memory = SyntheticMemory(facts, seed=seed, embedder=embedder, batch=batch)
    result: dict[str, Any] = {
        "facts": facts,
        "entities": memory.entity_count,
        "episodes": memory.episode_count,
    }
    if reuse and _stored_facts(directory, embedder.dimension) == facts:
        result["build"] = {"reused": True, "db_mb": _directory_mb(directory)}
    else:
        write_s = 0.0
        began = time.perf_counter()
        with EmbeddedStore(directory, dimension=embedder.dimension) as store:
            for number, write in enumerate(memory.batches()):
                write_s += _timed(store.write, write)
                if number % 50 == 0:
                    log(f"{facts}: batch {number}, {time.perf_counter() - began:.0f} s")
        result["build"] = {
            "write_s": round(write_s, 2),
            "generate_s": round(time.perf_counter() - began - write_s, 2),
            "facts_per_s": round(facts / write_s) if write_s else None,
            "db_mb": _directory_mb(directory),
        }
    log(f"{facts}: memory ready; loading vectors")
    texts = synthetic_queries(memory, queries, seed=seed + 1)
    vectors = embedder.embed(texts)
    dimension = embedder.dimension
    timings: dict[str, list[float]] = {}
    found: list[list[str]] = []
    for attempt in ("vector_index_s", "vector_index_reopen_s"):
        # First open: build (or load) the indexes; second: as after a restart.
        with EmbeddedStore(directory, dimension=dimension, ann_threshold=ann_threshold) as store:
            began = time.perf_counter()
            store.load_vectors(GROUP, wait=True, timeout=index_timeout)
            result["build"][attempt] = round(time.perf_counter() - began, 2)
            log(f"{facts}: {attempt} {result['build'][attempt]} s")
            if attempt == "vector_index_s" and ann_threshold is not None:
                continue
            timings, found, first = _time_searches(store, embedder, texts, vectors)
            result["first_search_ms"] = round(1000 * first, 3)
            break
    if recall_queries > 0:
        recall, exact = _recall(directory / DB_FILE, dimension, vectors[:recall_queries], found, 10)
        timings["numpy_exact_fact"] = exact
        result["vector_recall_at_10"] = round(recall, 4)
    result["search"] = {name: _summary(samples) for name, samples in timings.items()}
    result["ann"] = ann_threshold is not None and facts > ann_threshold
    return result


def run_scale(
    sizes: Sequence[int] = DEFAULT_SIZES,
    queries: int = 200,
    *,
    directory: str | Path | None = None,
    seed: int = 0,
    batch: int = 2_000,
    ann_threshold: int | None = DEFAULT_ANN_THRESHOLD,
    index_timeout: float | None = None,
    keep: bool = False,
    log: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Build one synthetic memory per size and time searches on it; returns the numbers.

    Each size is built in ``directory/scale-<size>`` (a temporary directory by default). With
    ``keep`` (and a ``directory``) the memories are kept, and a memory of the right size found
    there is reused rather than rebuilt. The result holds ``machine``, ``config`` and
    ``sizes``: per size, the counts, ``build`` timings (writes; vector index build or load,
    then load after a reopen), ``search`` p50/p95/mean/max in ms per path,
    ``first_search_ms``, ``vector_recall_at_10`` of the store's fact vector search against
    exact numpy, and ``ann`` (whether an HNSW index served it).
    """
    if not sizes or any(n < 2 for n in sizes):
        raise ValueError(f"sizes must be at least 2 facts each, not {list(sizes)}")
    if queries < 1:
        raise ValueError(f"queries must be at least 1, not {queries}")
    if keep and directory is None:
        raise ValueError("keep=True needs a directory to keep the memories in")
    result: dict[str, Any] = {
        "machine": machine(),
        "config": {
            "queries": queries,
            "seed": seed,
            "batch": batch,
            "ann_threshold": ann_threshold,
            "embedder": TopicEmbedder().name,
            "limit": 10,
        },
        "sizes": [],
    }
    with contextlib.ExitStack() as stack:
        root = (
            Path(directory)
            if keep and directory is not None
            else Path(stack.enter_context(tempfile.TemporaryDirectory(dir=directory)))
        )
        for size in sizes:
            where = root / f"scale-{size}"
            result["sizes"].append(
                measure_size(
                    size, queries, where, seed=seed, batch=batch, ann_threshold=ann_threshold,
                    index_timeout=index_timeout, recall_queries=min(50, queries), reuse=keep,
                    log=log,
                )
            )  # fmt: skip
            if not keep:
                shutil.rmtree(where)
    return result


_PLOTTED: Final = (
    ("search_default", "SearchEngine.search, default recipe"),
    ("search_fast", "SearchEngine.search, fast recipe"),
    ("fulltext_fact", "store.fulltext (facts)"),
    ("vector_fact", "store.vector (facts)"),
    ("numpy_exact_fact", "exact numpy scan (facts)"),
)


def merge_results(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Several :func:`run_scale` results as one (the last result per size wins)."""
    if not results:
        raise ValueError("nothing to merge: give at least one result")
    by_size = {row["facts"]: row for result in results for row in result["sizes"]}
    return {**results[-1], "sizes": [by_size[n] for n in sorted(by_size)]}


def plot_scale(result: dict[str, Any], path: str | Path) -> Path:
    """Draw p50 (dashed) and p95 (solid) latency per path against the number of facts."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rows = sorted(result["sizes"], key=lambda row: row["facts"])
    sizes = [row["facts"] for row in rows]
    figure = Figure(figsize=(8, 5))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    for number, (key, label) in enumerate(_PLOTTED):
        points = [(n, row["search"][key]) for n, row in zip(sizes, rows, strict=True)]
        points = [(n, summary) for n, summary in points if summary is not None]
        if not points:
            continue
        colour = f"C{number}"
        xs = [n for n, _ in points]
        axes.plot(xs, [s["p95_ms"] for _, s in points], marker="o", color=colour, label=label)
        axes.plot(xs, [s["p50_ms"] for _, s in points], linestyle="--", color=colour)
    for target, upto, text in ((20, 10_000, "target 20 ms"), (50, 1_000_000, "target 50 ms")):
        axes.hlines(target, min(sizes), upto, colors="grey", linestyles=":")
        axes.annotate(text, (upto, target), textcoords="offset points", xytext=(-60, 3),
                      fontsize=8, color="grey")  # fmt: skip
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("facts in the memory (one group)")
    axes.set_ylabel("latency per query, ms (solid p95, dashed p50)")
    cpus = result.get("machine", {}).get("cpus")
    axes.set_title(f"Embedded search latency at scale ({cpus} cores)")
    axes.grid(alpha=0.3, which="both")
    axes.legend(fontsize=8, loc="lower right")
    figure.tight_layout()
    out = Path(path)
    figure.savefig(out, dpi=110)
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated fact counts")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=2_000, help="facts per write batch")
    parser.add_argument(
        "--dir", type=Path, help="where to build the memories (default: a temp dir)"
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the memories under --dir (and reuse those found there)",
    )
    parser.add_argument("--exact", action="store_true", help="no ANN index: exact vectors only")
    parser.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    parser.add_argument("--plot", type=Path, help="also draw the latency curve into this image")
    parser.add_argument(
        "--from-json",
        type=Path,
        nargs="+",
        metavar="FILE",
        help="measure nothing: merge these saved --json outputs (and plot them with --plot)",
    )
    args = parser.parse_args(argv)
    if args.from_json:
        merged = merge_results([json.loads(p.read_text(encoding="utf-8")) for p in args.from_json])
        if args.plot:
            plot_scale(merged, args.plot)
        if args.json:
            print(json.dumps(merged, indent=2))
        return
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    result = run_scale(
        sizes, args.queries, directory=args.dir, seed=args.seed, batch=args.batch,
        ann_threshold=None if args.exact else DEFAULT_ANN_THRESHOLD, keep=args.keep, log=log,
    )  # fmt: skip
    if args.plot:
        plot_scale(result, args.plot)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for row in result["sizes"]:
        search = row["search"]
        print(
            f"{row['facts']:>9} facts  write {row['build']['write_s']:>7.1f} s  "
            f"index {row['build']['vector_index_s']:>6.1f} s  "
            + "  ".join(f"{k} {v['p50_ms']:.1f}/{v['p95_ms']:.1f}" for k, v in search.items())
        )


if __name__ == "__main__":
    main()
