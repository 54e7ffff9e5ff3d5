"""A search's reads pinned to a small group's copy in the client (``GraphStore.pinned``) against
the same reads on the server: the same results, and how many Neo4j statements each sends.

``python -m benchmarks.pinned_results --store bolt://127.0.0.1:7687 --locomo FILE`` writes the
first conversation of a LoCoMo file into a fresh group (chronomem's extractor, the 384-d
``HashingEmbedder``), searches it with every recipe, each of the conversation's questions
(categories 1-4, at most ``--questions``) and limits 10 and 25, once through the pinned reads
(as ``Memory.search`` does) and once with every read sent to the server (the store's index
searches still scored from its vector cache), and prints per recipe the searches compared, how
many gave the same results (every field, scores included) and the statements per search.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from chronomem.config import config_from_env
from chronomem.engine.embed import HashingEmbedder
from chronomem.engine.store.factory import is_neo4j_uri
from chronomem.ingest.extract import SpacyExtractor
from chronomem.ingest.sources.dialogue import read_dialogue
from chronomem.memory import Memory
from chronomem.query.recipes import RECIPES
from chronomem.schema import SearchResult

__all__ = ["compare", "main"]

LIMITS = (10, 25)


def _counted(
    store: Any, search: Callable[[], list[SearchResult]]
) -> tuple[list[SearchResult], int]:
    """``search``'s results and the statements it sent (each read of a Neo4j store is one
    statement, sent by its ``_rows``)."""
    sent = 0
    rows = store._rows

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal sent
        sent += 1
        return rows(*args, **kwargs)

    store._rows = counting
    try:
        return search(), sent
    finally:
        del store._rows


def compare(mem: Memory, group: str, questions: Sequence[str]) -> dict[str, dict[str, float]]:
    """Per recipe: searches compared, how many were identical, statements per search pinned
    and with every read on the server."""
    store: Any = mem.store
    report: dict[str, dict[str, float]] = {}
    for recipe in sorted(RECIPES):
        for question in questions[:2]:  # two searches with one stamp: the copy is loaded
            mem.search(question, group_id=group, recipe=recipe)
        same = total = pinned_sent = server_sent = 0
        for question in questions:
            for limit in LIMITS:
                search = functools.partial(
                    mem.search, question, group_id=group, recipe=recipe, limit=limit
                )
                pinned, sent = _counted(store, search)
                pinned_sent += sent
                store.pinned = lambda group_id: store  # every read on the server
                try:
                    server, sent = _counted(store, search)
                finally:
                    del store.pinned
                server_sent += sent
                total += 1
                same += pinned == server
        report[recipe] = {
            "searches": total,
            "identical": same,
            "statements_pinned": round(pinned_sent / total, 1),
            "statements_on_server": round(server_sent / total, 1),
        }
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.pinned_results", description=__doc__
    )
    parser.add_argument("--store", default="bolt://127.0.0.1:7687", help="a Neo4j URI")
    parser.add_argument("--locomo", type=Path, required=True, help="a LoCoMo JSON file")
    parser.add_argument("--questions", type=int, default=60, help="questions per recipe")
    args = parser.parse_args(argv)
    if not is_neo4j_uri(args.store):
        parser.error(f"--store must be a neo4j:// or bolt:// URI, not {args.store!r}")
    source = read_dialogue(args.locomo)[0]
    items = json.loads(args.locomo.read_text(encoding="utf-8"))
    questions = [q["question"] for q in items[0]["qa"] if q.get("category") in (1, 2, 3, 4)]
    questions = questions[: args.questions]
    group = f"pinned-results-{time.time_ns():x}"
    with Memory.open(
        args.store, embedder=HashingEmbedder(), extractor=SpacyExtractor(), config=config_from_env()
    ) as mem:
        mem.add_dialogue(source.turns, group_id=group, source=source.source)
        report = compare(mem, group, questions)
    print(f"{source.source}, group {group}")
    print("| recipe | searches | identical | statements pinned | statements on the server |")
    print("|---|---|---|---|---|")
    for recipe, row in report.items():
        print(
            f"| {recipe} | {row['searches']} | {row['identical']} | "
            f"{row['statements_pinned']} | {row['statements_on_server']} |"
        )
    return 0 if all(row["identical"] == row["searches"] for row in report.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
