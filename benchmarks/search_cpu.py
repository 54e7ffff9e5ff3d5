"""Where a search's work is done on Neo4j: the CPU of the client process and of the server per
search, for chronomem (default and ``fast``) and graphiti-core, and chronomem's throughput with
several threads searching one memory.

``python -m benchmarks.search_cpu --store bolt://127.0.0.1:7687 --locomo FILE --server-pid PID``
writes the first conversation of a LoCoMo file into a fresh group (chronomem's extractor, the
384-d ``HashingEmbedder``) and searches it with the conversation's first 20 questions (categories
1-4), each system a warm-up round then ``--rounds`` rounds, one after another. The server's CPU
is read from ``/proc/PID/stat`` (Linux, a server on this machine; left out without
``--server-pid``; measuring starts once the server is idle after the writes), so nothing else
should use that server meanwhile. Prints a markdown table.
Needs graphiti-core (the dev extra) for its row; without it, chronomem's rows only.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from chronomem.config import config_from_env
from chronomem.engine.embed import HashingEmbedder
from chronomem.engine.store.factory import is_neo4j_uri
from chronomem.ingest.extract import SpacyExtractor
from chronomem.ingest.sources.dialogue import read_dialogue
from chronomem.memory import Memory

__all__ = ["main"]


def _server_cpu(pid: int | None) -> float:
    """Seconds of CPU (user and system) the process ``pid`` has used; 0 without one."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _settle(pid: int | None, most_s: float = 120.0) -> None:
    """Wait until the server has finished what writing the group started (index updates run
    after the transactions commit): a second in which it used under 5% of a core, or
    ``most_s`` seconds."""
    if pid is None:
        return
    deadline = time.monotonic() + most_s
    while time.monotonic() < deadline:
        before = _server_cpu(pid)
        time.sleep(1.0)
        if _server_cpu(pid) - before < 0.05:
            return


def _row(
    name: str,
    search: Callable[[str], object],
    questions: Sequence[str],
    rounds: int,
    pid: int | None,
) -> str:
    for question in questions:  # warm-up: plans cached, connections open, caches loaded
        search(question)
    walls = []
    server, client = _server_cpu(pid), time.process_time()
    for _ in range(rounds):
        for question in questions:
            started = time.perf_counter()
            search(question)
            walls.append(time.perf_counter() - started)
    count = len(walls)
    client_ms = (time.process_time() - client) / count * 1000
    server_ms = "-" if pid is None else f"{(_server_cpu(pid) - server) / count * 1000:.1f}"
    wall = statistics.median(walls) * 1000
    return f"| {name} | {wall:.1f} | {client_ms:.1f} | {server_ms} |"


def _throughput(mem: Memory, group: str, questions: Sequence[str], threads: int) -> float:
    """Searches per second with ``threads`` threads sharing ``mem``, three rounds in all."""

    def work(part: Sequence[str]) -> None:
        for _ in range(3):
            for question in part:
                mem.search(question, group_id=group, limit=10)

    parts = [questions[i::threads] for i in range(threads)]
    runners = [threading.Thread(target=work, args=(part,)) for part in parts]
    started = time.perf_counter()
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()
    return 3 * len(questions) / (time.perf_counter() - started)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.search_cpu", description=__doc__)
    parser.add_argument("--store", default="bolt://127.0.0.1:7687", help="a Neo4j URI")
    parser.add_argument("--locomo", type=Path, required=True, help="a LoCoMo JSON file")
    parser.add_argument("--server-pid", type=int, default=None, help="the Neo4j server's pid")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds of the questions")
    parser.add_argument("--threads", type=int, default=4, help="threads for the throughput")
    args = parser.parse_args(argv)
    if not is_neo4j_uri(args.store):
        parser.error(f"--store must be a neo4j:// or bolt:// URI, not {args.store!r}")
    source = read_dialogue(args.locomo)[0]
    items = json.loads(args.locomo.read_text(encoding="utf-8"))
    questions = [q["question"] for q in items[0]["qa"] if q.get("category") in (1, 2, 3, 4)][:20]
    group = f"search-cpu-{time.time_ns():x}"
    config = config_from_env()
    rows = []
    with Memory.open(
        args.store, embedder=HashingEmbedder(), extractor=SpacyExtractor(), config=config
    ) as mem:
        mem.add_dialogue(source.turns, group_id=group, source=source.source)
        _settle(args.server_pid)
        for recipe in ("default", "fast"):
            rows.append(
                _row(
                    f"chronomem `{recipe}`",
                    functools.partial(mem.search, group_id=group, limit=10, recipe=recipe),
                    questions,
                    args.rounds,
                    args.server_pid,
                )
            )
        one = _throughput(mem, group, questions, 1)
        many = _throughput(mem, group, questions, args.threads)
    try:
        from chronomem.bench.graphiti import GraphitiSession
    except ImportError:
        rows.append("| graphiti-core | not installed (the dev extra) | | |")
    else:
        graphiti = GraphitiSession(args.store, config.neo4j_auth, HashingEmbedder())
        try:
            client = graphiti.client
            rows.append(
                _row(
                    "graphiti `EDGE_HYBRID_SEARCH_RRF`",
                    lambda q: graphiti.run(client.search(q, group_ids=[group], num_results=10)),
                    questions,
                    args.rounds,
                    args.server_pid,
                )
            )
        finally:
            graphiti.close()
    print(f"LoCoMo {source.source}, {len(questions)} questions x {args.rounds} rounds")
    print("| search | median ms | client CPU ms per search | server CPU ms per search |")
    print("|---|---|---|---|")
    print("\n".join(rows))
    print(
        f"\nchronomem default, searches/s: {one:.1f} with 1 thread, {many:.1f} with {args.threads}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
