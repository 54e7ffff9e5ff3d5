"""chronomem's search next to graphiti-core's, on the same Neo4j graph: per-query latency.

``python -m benchmarks.graphiti_latency --store bolt://127.0.0.1:7687 --locomo FILE`` writes the
demo dialogue (and, with ``--locomo``, the first conversation of a LoCoMo file) into fresh groups
of that Neo4j database, times chronomem's ``Memory.search`` (default and ``fast`` recipes) and
graphiti-core's ``Graphiti.search`` on the same questions, interleaved, and prints the section of
docs/benchmarks.md ("chronomem vs graphiti-core search on the same Neo4j graph") for a human to
paste. It writes no file; the groups it wrote stay in the database (``graphiti-bench-*``).
``NEO4J_USER``/``NEO4J_PASSWORD`` give credentials. Needs graphiti-core (the dev extra).

graphiti-core runs offline (:mod:`chronomem.bench.graphiti`): chronomem's embedder behind
graphiti's ``EmbedderClient``, stub LLM and reranker clients, telemetry off.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from chronomem.bench.side_by_side import (
    CHRONOMEM_DEFAULT,
    GRAPHITI,
    LIMIT,
    SEARCHES,
    Measured,
    measure,
)
from chronomem.config import config_from_env
from chronomem.demo import DEMO_TURNS
from chronomem.engine.embed import HashingEmbedder
from chronomem.engine.store.factory import is_neo4j_uri
from chronomem.errors import ChronomemError
from chronomem.ingest.extract.protocol import Extractor
from chronomem.ingest.sources.dialogue import read_dialogue
from chronomem.memory import Memory

if TYPE_CHECKING:  # importing it imports graphiti-core, an optional dependency
    from chronomem.bench.graphiti import GraphitiSession

__all__ = [
    "QUERIES",
    "Measured",
    "main",
    "measure",
    "measure_locomo",
    "report",
    "write_demo",
]

SECTION = "## chronomem vs graphiti-core search on the same Neo4j graph"
COMMAND = (
    ".venv/bin/python -m benchmarks.graphiti_latency --store bolt://127.0.0.1:7687 "
    "--locomo ../shared/data/locomo/locomo_dev.json"
)

#: Questions about the demo dialogue (chronomem/demo.py).
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


def write_demo(mem: Memory, group_id: str) -> None:
    """The demo dialogue written by chronomem into ``group_id``, one session per call."""
    for session in ("S1", "S2"):
        turns = [t for t in DEMO_TURNS if t["session"] == session]
        mem.add_dialogue(turns, group_id=group_id, source="demo")


def measure_locomo(
    graphiti: GraphitiSession, uri: str, extractor: Extractor | None, path: Path, rounds: int
) -> Measured:
    """The first conversation of the LoCoMo file ``path``, written into a fresh group of
    ``uri`` and searched with its first 20 questions (categories 1-4: text only)."""
    source = read_dialogue(path)[0]
    items = json.loads(path.read_text(encoding="utf-8"))
    questions = [q["question"] for q in items[0]["qa"] if q.get("category") in (1, 2, 3, 4)]
    group = f"graphiti-bench-locomo-{time.time_ns():x}"
    config = config_from_env()
    with Memory.open(uri, embedder=HashingEmbedder(), extractor=extractor, config=config) as mem:
        mem.add_dialogue(source.turns, group_id=group, source=source.source)
        return measure(f"LoCoMo {source.source}", mem, group, graphiti, questions[:20], rounds)


def report(results: Sequence[Measured], rounds: int) -> str:
    """The markdown section of docs/benchmarks.md for ``results`` (the demo graph first)."""
    rows = []
    for m in results:
        base = m.median_ms(GRAPHITI)
        for name in SEARCHES:
            rows.append(
                f"| {m.graph} | {name} | {m.median_ms(name):.1f} | {m.p90_ms(name):.1f} | "
                f"{m.median_ms(name) / base:.2f} | {m.calls[name]:.1f} | {m.cpu_ms(name):.1f} |"
            )
    sizes = "; ".join(f"{m.graph}: {m.size}" for m in results)
    counts = ", ".join(f"{len(m.samples[GRAPHITI]) // rounds} on {m.graph}" for m in results)
    ratios = "; ".join(
        f"{m.graph}: {m.median_ms(CHRONOMEM_DEFAULT) / m.median_ms(GRAPHITI):.2f}x" for m in results
    )
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
search machinery and its round trips to Neo4j. "x graphiti" is the ratio of medians; "client CPU
ms" is the median CPU time this process (all its threads) spent per search, the client's share
of the work beside the server's (on this machine both share two cores); "statements" counts
the Neo4j statements a search sends: for chronomem, its BM25 and vector searches go together
as one statement, beside the names in the question, and a small group held in the client
(its vectors, episodes, entities and facts, current by the stamp each index search reads)
answers the search's other reads with none; for graphiti, two statements, sent concurrently.

| graph | search | median ms | p90 ms | x graphiti | statements | client CPU ms |
|---|---|---|---|---|---|---|
{chr(10).join(rows)}

**chronomem's default search takes this many times graphiti's median: {ratios}.**
The searches do different amounts of work. graphiti's `Graphiti.search` runs its
`EDGE_HYBRID_SEARCH_RRF` recipe: BM25 over facts (`edge_name_and_fact`) and an exact cosine scan
of the group's fact embeddings, fused by RRF; it returns facts only (expired ones included unless
filtered). chronomem's default recipe searches facts, entities and episodes (BM25 and vectors),
adds the graph around the entities named in the question (their facts, personalised PageRank,
facts of the best episodes), leaves out facts it no longer believes, fuses by RRF and reranks with
the question's temporal cues; `fast` keeps only the BM25 and vector generators.
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the comparison and print the docs section; 0 on success, 1 on a chronomem error."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.graphiti_latency",
        description="chronomem's and graphiti-core's search latency on the same Neo4j graph",
    )
    parser.add_argument("--store", default="bolt://127.0.0.1:7687", help="a Neo4j URI")
    parser.add_argument(
        "--locomo", type=Path, default=None, help="a LoCoMo JSON file: a second, larger graph"
    )
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds of the questions")
    args = parser.parse_args(argv)
    if not is_neo4j_uri(args.store):
        parser.error(f"--store must be a neo4j:// or bolt:// URI, not {args.store!r}")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")

    from chronomem.bench.graphiti import GraphitiSession
    from chronomem.ingest.extract import SpacyExtractor

    # graphiti selects `reference_time`, which chronomem does not write: Neo4j warns per query.
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
    config = config_from_env()
    extractor = SpacyExtractor()
    graphiti = GraphitiSession(args.store, config.neo4j_auth, HashingEmbedder())
    try:
        group = f"graphiti-bench-{time.time_ns():x}"
        with Memory.open(
            args.store, embedder=HashingEmbedder(), extractor=extractor, config=config
        ) as mem:
            write_demo(mem, group)
            results = [measure("demo dialogue", mem, group, graphiti, QUERIES, args.rounds)]
        if args.locomo is not None:
            results.append(
                measure_locomo(graphiti, args.store, extractor, args.locomo, args.rounds)
            )
    except ChronomemError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        graphiti.close()
    print(report(results, args.rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
