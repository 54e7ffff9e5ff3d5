"""Where a search's time goes: every store call of a search, counted and timed.

``python -m benchmarks.storecalls LOCOMO_FILE --store DIR_OR_URI`` ingests one LoCoMo
conversation into the store (once: a group that holds turns already is searched as it is),
asks its questions after a few warm-up searches, and reports the search latency (median, mean)
and, for each kind of store call (vector and full-text searches by target), how many calls a
search makes and the milliseconds they take per search and per call. Calls of one search
overlap (the search engine runs its candidate generators on a small thread pool), so the
per-call times add up to more than the latency.

``python -m benchmarks.storecalls --store URI --synthetic GROUP --facts N [--seed S]`` profiles
a group written by ``chronomem.bench neo4j-scale`` instead (its large group of a size is
``scale-<size>-large``, seed 0, size minus the small groups' facts; small group ``j`` is
``scale-<size>-small-<j>``, seed ``100 + j``), asking the benchmark's synthetic questions with
its embedder; nothing is written. ``--recipe`` picks the search recipe (default: ``default``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from chronomem.bench.locomo import BENCH_KINDS, load_questions, read_conversations
from chronomem.bench.synthetic import SyntheticMemory, TopicEmbedder, synthetic_queries
from chronomem.engine.embed import HashingEmbedder, default_embedder
from chronomem.engine.store.protocol import GraphStore
from chronomem.errors import ChronomemError, InputError
from chronomem.memory import Memory

__all__ = ["main", "profile_store_calls", "timed_store"]

#: Store calls whose cost depends on what they search: reported per target.
_BY_TARGET = frozenset({"vector", "fulltext"})


@contextmanager
def timed_store(store: GraphStore) -> Iterator[dict[str, list[float]]]:
    """While open, every public method call on ``store`` is timed: the mapping gives, per
    call (``vector:episode``, ``get_facts``, ...), the seconds each call took. So are the calls
    on the views a search reads through (``pinned``, itself not timed: it makes the view, it
    reads nothing); a call a view makes to its store, or to itself, is part of the view's call,
    not counted again. The methods are put back on exit."""
    timings: dict[str, list[float]] = defaultdict(list)
    lock = threading.Lock()
    in_view = threading.local()  # set while a view's call runs: its calls to the store are its

    def timed(name: str, method: Callable[..., Any], view: bool = False) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            if getattr(in_view, "active", False):
                return method(*args, **kwargs)
            in_view.active = view
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                took = time.perf_counter() - start
                in_view.active = False
                target = args[2] if name in _BY_TARGET and len(args) > 2 else None
                with lock:
                    timings[f"{name}:{target}" if target else name].append(took)

        return call

    def wrap(target: Any, view: bool = False) -> list[str]:
        names = [
            name
            for name in dir(type(target))
            if not name.startswith("_")
            and name != "pinned"
            and callable(getattr(type(target), name, None))
        ]
        for name in names:
            setattr(target, name, timed(name, getattr(target, name), view))
        return names

    names = wrap(store)
    pinned = store.pinned

    def timed_view(group_id: str) -> GraphStore:
        view = pinned(group_id)
        if view is not store:
            wrap(view, view=True)
        return view

    setattr(store, "pinned", timed_view)  # noqa: B010 (an instance attribute over the method)
    try:
        yield timings
    finally:
        for name in [*names, "pinned"]:
            delattr(store, name)


def profile_store_calls(
    memory: Memory,
    conversation: Any,
    questions: Sequence[str],
    *,
    group_id: str,
    warm_up: int = 10,
    recipe: str = "default",
) -> dict[str, Any]:
    """Ingest ``conversation`` (a LoCoMo ``DialogueSource``; ``None``: the group must hold
    episodes already) into ``group_id`` unless the group holds episodes already, search
    ``warm_up`` questions untimed, then time every question's search (with ``recipe``) and its
    store calls. Returns the report :func:`main` prints."""
    if not questions:
        raise InputError("no questions to ask; pick a conversation with questions")
    ingested = 0.0
    if memory.stats(group_id).episodes == 0:
        if conversation is None:
            raise InputError(
                f"group {group_id!r} holds no episodes; load it first (chronomem.bench neo4j-scale)"
            )
        start = time.perf_counter()
        memory.add_dialogue(conversation.turns, group_id=group_id, source=conversation.source)
        ingested = time.perf_counter() - start

    def search(question: str) -> None:
        memory.search(question, group_id=group_id, limit=10, kinds=BENCH_KINDS, recipe=recipe)

    for question in list(questions)[:warm_up]:
        search(question)
    latencies: list[float] = []
    with timed_store(memory.store) as timings:
        for question in questions:
            start = time.perf_counter()
            search(question)
            latencies.append(time.perf_counter() - start)
    count = len(latencies)
    calls = {
        name: {
            "calls_per_search": round(len(took) / count, 2),
            "ms_per_search": round(1000 * sum(took) / count, 2),
            "ms_per_call": round(1000 * sum(took) / len(took), 2),
        }
        for name, took in sorted(timings.items(), key=lambda item: -sum(item[1]))
    }
    return {
        "group": group_id,
        "recipe": recipe,
        "ingest_seconds": round(ingested, 2),
        "searches": count,
        "median_ms": round(1000 * statistics.median(latencies), 2),
        "mean_ms": round(1000 * statistics.mean(latencies), 2),
        "store_calls_per_search": round(sum(len(t) for t in timings.values()) / count, 2),
        "calls": calls,
    }


def _table(report: dict[str, Any]) -> str:
    lines = [
        f"{report['searches']} searches ({report['recipe']}) of group {report['group']}: median "
        f"{report['median_ms']} ms, mean {report['mean_ms']} ms, "
        f"{report['store_calls_per_search']} store calls per search",
        f"{'store call':28s} {'calls/search':>12s} {'ms/search':>10s} {'ms/call':>8s}",
    ]
    for name, row in report["calls"].items():
        lines.append(
            f"{name:28s} {row['calls_per_search']:12.2f} {row['ms_per_search']:10.2f} "
            f"{row['ms_per_call']:8.2f}"
        )
    return "\n".join(lines)


def _synthetic(args: argparse.Namespace) -> dict[str, Any]:
    """The report on a group written by ``chronomem.bench neo4j-scale``."""
    if args.facts is None or args.facts < 2:
        raise InputError("--synthetic needs --facts N (N >= 2), the facts the group was made with")
    memory = SyntheticMemory(
        facts=args.facts, seed=args.seed, group_id=args.synthetic, uuid_prefix=f"{args.synthetic}:"
    )
    questions = synthetic_queries(memory, args.questions)
    with Memory.open(args.store, embedder=TopicEmbedder()) as mem:
        return profile_store_calls(
            mem, None, questions, group_id=args.synthetic, recipe=args.recipe
        )


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m benchmarks.storecalls LOCOMO_FILE --store DIR_OR_URI`` (or ``--synthetic``)."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.storecalls", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("file", type=Path, nargs="?", help="a LoCoMo JSON file")
    parser.add_argument("--store", required=True, help="memory directory or neo4j:// URI")
    parser.add_argument("--conversation", default=None, help="sample id (default: the first)")
    parser.add_argument("--questions", type=int, default=60, help="questions timed")
    parser.add_argument(
        "--embedder",
        choices=("default", "hashing"),
        default="default",
        help="default: the local MiniLM model; hashing: the fast deterministic stand-in",
    )
    parser.add_argument(
        "--synthetic", default=None, help="a group written by neo4j-scale, instead of a file"
    )
    parser.add_argument("--facts", type=int, default=None, help="the --synthetic group's facts")
    parser.add_argument("--seed", type=int, default=0, help="the --synthetic group's seed")
    parser.add_argument("--recipe", default="default", help="the search recipe timed")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    if (args.file is None) == (args.synthetic is None):
        parser.error("give a LoCoMo file or --synthetic GROUP, one of them")
    try:
        if args.synthetic is not None:
            report = _synthetic(args)
            print(json.dumps(report, indent=2) if args.json else _table(report))
            return 0
        items = read_conversations(args.file)
        chosen = next(
            (
                (item, source)
                for item, source in items
                if args.conversation in (None, str(item.get("sample_id")))
            ),
            None,
        )
        if chosen is None:
            raise InputError(f"no conversation {args.conversation!r} in {args.file}")
        item, source = chosen
        questions = [q.question for q in load_questions(item, (1, 2, 3, 4))][: args.questions]
        embedder = HashingEmbedder() if args.embedder == "hashing" else default_embedder()
        group = "storecalls-" + str(item.get("sample_id", "conversation"))
        with Memory.open(args.store, embedder=embedder) as memory:
            report = profile_store_calls(
                memory, source, questions, group_id=group, recipe=args.recipe
            )
    except ChronomemError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report, indent=2) if args.json else _table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
