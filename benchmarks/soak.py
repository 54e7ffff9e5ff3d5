"""A bounded soak test: one thread ingests synthetic dialogue while others search.

Run it against an embedded memory or a Neo4j on this machine::

    .venv/bin/python -m benchmarks.soak --store /tmp/soak --seconds 300
    .venv/bin/python -m benchmarks.soak --store bolt://127.0.0.1:7687 --seconds 60

It prints one JSON object: ingest throughput (turns/s), search throughput (searches/s), search
latency percentiles, errors, and the process's resident memory (RSS, read from
``/proc/self/status``) after warm-up, at the end and at its peak, with a least-squares growth
rate. Each run writes into a fresh group (``soak-<random>``) unless ``group_id`` is given, so
runs never skip turns stored by an earlier one. Neo4j targets must be on the loopback
interface: a soak test is never pointed at someone else's server by accident.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from chronomem.bench.metrics import percentile
from chronomem.config import MemoryConfig, config_from_env
from chronomem.engine.embed import Embedder, HashingEmbedder, default_embedder
from chronomem.engine.store.factory import is_neo4j_uri
from chronomem.errors import ConfigurationError
from chronomem.ingest.extract.protocol import Extractor
from chronomem.memory import Memory

__all__ = ["rss_kib", "run_soak", "synthetic_queries", "synthetic_turns"]

_PEOPLE = (
    *("Alice", "Bob", "Carol", "Dan", "Erin", "Frank"),
    *("Grace", "Hana", "Ivan", "Julia", "Karim", "Lena"),
)
_CITIES = ("Berlin", "Paris", "Rome", "Oslo", "Lisbon", "Madrid", "Vienna", "Prague", "Dublin")
_ORGS = ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark Industries", "Wayne Enterprises")
_HOBBIES = ("chess", "jazz", "climbing", "pottery", "sailing", "photography", "tennis")
_MONTHS = ("January", "March", "May", "July", "September", "November")
_TEMPLATES = (
    "I moved to {city} last year.",
    "I work at {org} now.",
    "I started a new job at {org} in {month}.",
    "I left {org} in {month}.",
    "My sister {other} lives in {city}.",
    "My friend {other} works at {org}.",
    "I really love {hobby}.",
    "We visited {city} in {month}, it was lovely.",
    "{other} and I went to a {hobby} class on Saturday.",
    "How is life in {city}?",
    "I no longer work at {org}.",
    "My brother {other} moved to {city} two years ago.",
)
_QUERIES = (
    "Where does {person} work?",
    "Where does {person} live?",
    "What does {person} like?",
    "Who lives in {city}?",
    "Who works at {org}?",
    "{person} {hobby}",
    "When did {person} move to {city}?",
)
_EPOCH = datetime(2023, 1, 2, 9, 0, tzinfo=UTC)


def synthetic_turns(count: int, *, start: int = 0, seed: int = 0) -> list[dict[str, str]]:
    """Turns ``start`` .. ``start + count - 1`` of a deterministic synthetic dialogue.

    Turn ``i`` is the same for every call with the same ``seed`` (its id is ``t<i>``, its time
    ``i`` x 37 minutes after 2023-01-02 09:00 UTC), so ingesting a range twice adds nothing.
    """
    turns: list[dict[str, str]] = []
    for index in range(start, start + count):
        rng = random.Random(f"{seed}:{index}")
        speaker = _PEOPLE[index % 4 + 4 * ((index // 200) % 3)]
        others = [p for p in _PEOPLE if p != speaker]
        text = rng.choice(_TEMPLATES).format(
            city=rng.choice(_CITIES),
            org=rng.choice(_ORGS),
            month=rng.choice(_MONTHS),
            other=rng.choice(others),
            hobby=rng.choice(_HOBBIES),
        )
        moment = _EPOCH + timedelta(minutes=37 * index)
        turns.append(
            {
                "speaker": speaker,
                "text": text,
                "time": moment.isoformat(),
                "id": f"t{index}",
                "session": f"s{index // 50}",
            }
        )
    return turns


def synthetic_queries(count: int, *, seed: int = 0) -> list[str]:
    """``count`` questions about the people, places and companies of :func:`synthetic_turns`."""
    rng = random.Random(f"queries:{seed}")
    return [
        rng.choice(_QUERIES).format(
            person=rng.choice(_PEOPLE),
            city=rng.choice(_CITIES),
            org=rng.choice(_ORGS),
            hobby=rng.choice(_HOBBIES),
        )
        for _ in range(count)
    ]


def rss_kib(field: str = "VmRSS") -> int:
    """This process's resident memory in KiB (``VmHWM`` for the peak); 0 off Linux."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


def _check_loopback(target: str | Path) -> None:
    if not is_neo4j_uri(target):
        return
    host = (urlsplit(str(target)).hostname or "").lower()
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ConfigurationError(
            f"soak tests run only against a Neo4j on this machine, not {host!r}; "
            "use bolt://127.0.0.1:7687"
        )


def _slope_kib_per_min(samples: Sequence[tuple[float, int]]) -> float:
    """Least-squares slope of RSS (KiB) over time (minutes)."""
    if len(samples) < 2:
        return 0.0
    xs = [t / 60.0 for t, _ in samples]
    ys = [float(kib) for _, kib in samples]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mean_x) ** 2 for x in xs)
    if var == 0:
        return 0.0
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / var


class _Counters:
    """Shared state of one soak run, guarded by one lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.turns = 0
        self.batches = 0
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.ingested = threading.Event()

    def error(self, where: str, exc: BaseException) -> None:
        with self.lock:
            self.errors.append(f"{where}: {type(exc).__name__}: {exc}")


def run_soak(
    target: str | Path,
    seconds: float,
    *,
    searchers: int = 2,
    batch_size: int = 16,
    group_id: str | None = None,
    embedder: Embedder | None = None,
    extractor: Extractor | None = None,
    config: MemoryConfig | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Ingest and search ``target`` concurrently for ``seconds``; return the figures as a dict.

    One thread adds synthetic turns in calls of ``batch_size`` turns (each one transaction)
    until the time is up; ``searchers`` threads search meanwhile (they start after the first
    batch is stored). The run ends at the deadline plus the batch or search in flight. RSS is
    sampled every half second once the first batch and the first search are done (warm-up:
    models loaded), so ``rss_growth_kib`` is growth under load, not start-up cost.
    """
    if seconds <= 0:
        raise ConfigurationError(f"seconds must be positive, not {seconds!r}")
    _check_loopback(target)
    group = group_id or f"soak-{uuid.uuid4().hex[:12]}"
    config = config or MemoryConfig(batch_size=batch_size)
    counters = _Counters()
    rss_start = rss_kib()
    opened = time.monotonic()
    mem = Memory.open(target, embedder=embedder, extractor=extractor, config=config)
    try:
        mem.extractor.extract([])  # load the pipeline before the clock starts
        open_seconds = time.monotonic() - opened
        started = time.monotonic()
        deadline = started + seconds
        stop = threading.Event()

        def ingest() -> None:
            next_turn = 0
            while time.monotonic() < deadline:
                turns = synthetic_turns(batch_size, start=next_turn, seed=seed)
                try:
                    mem.add_dialogue(turns, group_id=group, source="soak")
                except Exception as exc:
                    counters.error("ingest", exc)
                    time.sleep(0.2)
                    continue
                next_turn += batch_size
                with counters.lock:
                    counters.turns += len(turns)
                    counters.batches += 1
                counters.ingested.set()
            counters.ingested.set()

        def search(worker: int) -> None:
            counters.ingested.wait()
            queries = synthetic_queries(500, seed=seed * 1000 + worker)
            position = 0
            while not stop.is_set() and time.monotonic() < deadline:
                query = queries[position % len(queries)]
                position += 1
                began = time.perf_counter()
                try:
                    mem.search(query, group_id=group, limit=10)
                except Exception as exc:
                    counters.error("search", exc)
                    continue
                elapsed = time.perf_counter() - began
                with counters.lock:
                    counters.latencies.append(elapsed)

        threads = [threading.Thread(target=ingest, name="soak-ingest", daemon=True)]
        threads += [
            threading.Thread(target=search, args=(n,), name=f"soak-search-{n}", daemon=True)
            for n in range(searchers)
        ]
        for thread in threads:
            thread.start()

        samples: list[tuple[float, int]] = []
        rss_warm: int | None = None
        while any(t.is_alive() for t in threads):
            time.sleep(0.5)
            with counters.lock:
                warm = counters.batches > 0 and (searchers == 0 or bool(counters.latencies))
            if warm:
                now_rss = rss_kib()
                if rss_warm is None:
                    rss_warm = now_rss
                samples.append((time.monotonic() - started, now_rss))
            if time.monotonic() > deadline + 600:  # a stuck batch: give up waiting
                counters.error("soak", TimeoutError("threads did not finish 10 min after the end"))
                break
        stop.set()
        for thread in threads:
            thread.join(timeout=5)
        elapsed = time.monotonic() - started
        stats = mem.stats(group)
    finally:
        mem.close()

    latencies_ms = [1000.0 * s for s in counters.latencies]
    rss_end = rss_kib()
    rss_base = rss_warm if rss_warm is not None else rss_end
    return {
        "target": str(target),
        "backend": "neo4j" if is_neo4j_uri(target) else "embedded",
        "group_id": group,
        "seconds": round(elapsed, 2),
        "open_seconds": round(open_seconds, 2),
        "searchers": searchers,
        "batch_size": batch_size,
        "turns": counters.turns,
        "turns_per_second": round(counters.turns / elapsed, 2),
        "searches": len(latencies_ms),
        "searches_per_second": round(len(latencies_ms) / elapsed, 2),
        "search_ms_p50": round(percentile(latencies_ms, 50), 2),
        "search_ms_p95": round(percentile(latencies_ms, 95), 2),
        "search_ms_max": round(max(latencies_ms, default=0.0), 2),
        "errors": len(counters.errors),
        "first_errors": counters.errors[:5],
        "rss_start_kib": rss_start,
        "rss_warm_kib": rss_base,
        "rss_end_kib": rss_end,
        "rss_peak_kib": rss_kib("VmHWM"),
        "rss_growth_kib": rss_end - rss_base,
        "rss_growth_kib_per_min": round(_slope_kib_per_min(samples), 1),
        "stats": stats.model_dump(),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m benchmarks.soak --store DIR_OR_URI --seconds N``: print the JSON."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.soak", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--store", required=True, help="memory directory or bolt:// URI")
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--searchers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--group", default=None, help="group id (default: a fresh one)")
    parser.add_argument(
        "--embedder",
        choices=("default", "hashing"),
        default="default",
        help="default: the local MiniLM model; hashing: the fast deterministic stand-in",
    )
    args = parser.parse_args(argv)
    try:
        _check_loopback(args.store)
        embedder = HashingEmbedder() if args.embedder == "hashing" else default_embedder()
        config = config_from_env().model_copy(update={"batch_size": args.batch_size})
        report = run_soak(
            args.store,
            args.seconds,
            searchers=args.searchers,
            batch_size=args.batch_size,
            group_id=args.group,
            embedder=embedder,
            config=config,
        )
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report, indent=2))
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
