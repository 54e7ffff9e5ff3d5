"""A bounded local load test of ``chronomem serve``: N clients search while one ingests.

The server runs as its own process on a free localhost port (``chronomem serve`` with the real
models, or with ``--fakes`` the hashing embedder and the rules extractor); this process holds
the clients, one thread each (``chronomem.Client``). The memory is first filled with
``--preload`` synthetic turns (those of :mod:`benchmarks.soak`); then, for each client count of
``--clients``, the clients search for ``--seconds`` while one more client ingests batches of
``--batch`` new turns. Each step reports searches a second, search latency p50/p95/p99/max,
ingest turns a second and ingest request latency, and the errors by kind::

    .venv/bin/python -m benchmarks.server_load --store /tmp/load --clients 1,2,4,8,16 --seconds 20
    .venv/bin/python -m benchmarks.server_load --store /tmp/load-fakes --fakes --clients 1,4

It prints one JSON object. The rate limit is off (``--rate-limit 0``): the test measures what
the server can do, not the limit. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import httpx

from benchmarks.soak import synthetic_queries, synthetic_turns
from chronomem import ChronomemError, Client
from chronomem.bench.metrics import percentile
from chronomem.server.keys import KeyRing

__all__ = ["main", "run_load"]

GROUP = "load"
_ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def _server(store: Path, keys: Path, fakes: bool) -> Iterator[str]:
    """``chronomem serve`` in a subprocess, until the block ends: its URL."""
    port = _free_port()
    serve = ["serve", "--store", str(store), "--keys", str(keys), "--port", str(port)]
    serve += ["--rate-limit", "0"]
    command = [sys.executable, "-m", "benchmarks.server_load", "--serve-fakes", *serve]
    if not fakes:
        command = [sys.executable, "-m", "chronomem", *serve]
    env = {**os.environ, "PYTHONPATH": str(_ROOT)}
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=_ROOT, env=env, stderr=log)
        try:
            yield _started(f"http://127.0.0.1:{port}", process, log)
        finally:
            process.terminate()
            process.wait(timeout=60)


def _started(url: str, process: subprocess.Popen[bytes], log: IO[bytes]) -> str:
    """``url`` once the server there answers ``/readyz``."""
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{url}/readyz").is_success:
                return url
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            raise RuntimeError(f"the server did not start: {log.read().decode()[-2000:]}")
        time.sleep(0.2)


def _summary(latencies: list[float], seconds: float) -> dict[str, float]:
    return {
        "per_second": round(len(latencies) / seconds, 1),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies, default=0.0), 1),
    }


def _step(url: str, key: str, clients: int, seconds: float, batch: int, start: int) -> Any:
    """``clients`` searching and one ingesting for ``seconds``."""
    stop = threading.Event()
    searches: list[float] = []
    ingests: list[float] = []
    turns_written = [0]
    errors: Counter[str] = Counter()
    lock = threading.Lock()

    def search(worker: int) -> None:
        queries = synthetic_queries(500, seed=worker)
        with Client(url, api_key=key) as mem:
            index = 0
            while not stop.is_set():
                began = time.perf_counter()
                try:
                    mem.search(queries[index % len(queries)], group_id=GROUP, limit=10)
                except ChronomemError as error:
                    with lock:
                        errors[type(error).__name__] += 1
                    continue
                finally:
                    index += 1
                with lock:
                    searches.append((time.perf_counter() - began) * 1000)

    def ingest() -> None:
        offset = start
        with Client(url, api_key=key, timeout=300) as mem:
            while not stop.is_set():
                turns = synthetic_turns(batch, start=offset)
                began = time.perf_counter()
                try:
                    report = mem.add_dialogue(turns, group_id=GROUP)
                except ChronomemError as error:
                    with lock:
                        errors[f"ingest {type(error).__name__}"] += 1
                    continue
                with lock:
                    ingests.append((time.perf_counter() - began) * 1000)
                    turns_written[0] += report.episodes_added
                offset += batch

    threads = [threading.Thread(target=search, args=(n,)) for n in range(clients)]
    threads.append(threading.Thread(target=ingest))
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=300)
    elapsed = time.perf_counter() - began
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "searches": len(searches),
        "search": _summary(searches, elapsed),
        "ingest_turns_per_second": round(turns_written[0] / elapsed, 1),
        "ingest_requests": len(ingests),
        "ingest": _summary(ingests, elapsed),
        "errors": dict(errors),
    }, turns_written[0]


def run_load(
    store: Path,
    *,
    clients: Sequence[int],
    seconds: float,
    preload: int = 500,
    batch: int = 20,
    fakes: bool = False,
) -> dict[str, Any]:
    """Fill ``store`` with ``preload`` turns, then run one step per client count."""
    store.mkdir(parents=True, exist_ok=True)
    keys = store.parent / f"{store.name}.keys.json"
    _, key = KeyRing(keys).create("load test", groups=[GROUP])
    with _server(store, keys, fakes) as url:
        with Client(url, api_key=key, timeout=600) as mem:
            for offset in range(0, preload, 250):
                mem.add_dialogue(
                    synthetic_turns(min(250, preload - offset), start=offset), group_id=GROUP
                )
            before = mem.stats(GROUP).episodes
        steps = []
        next_turn = preload
        for count in clients:
            step, written = _step(url, key, count, seconds, batch, next_turn + 1_000_000)
            next_turn += written
            steps.append(step)
    return {
        "models": "fakes (hashing embedder, rules extractor)" if fakes else "MiniLM + spaCy",
        "preloaded_episodes": before,
        "batch": batch,
        "cpus": os.cpu_count(),
        "steps": steps,
    }


def _serve_with_fakes(argv: Sequence[str]) -> None:
    """``chronomem`` with the fakes in place of the models (the ``--fakes`` server)."""
    from chronomem.engine.embed import HashingEmbedder
    from chronomem.ingest.extract.fake import FunctionExtractor
    from chronomem.memory import Memory

    real_open = Memory.open

    def open_with_fakes(target: str | Path, **options: Any) -> Memory:
        options.setdefault("embedder", HashingEmbedder())
        options.setdefault("extractor", FunctionExtractor())
        return real_open(target, **options)

    setattr(Memory, "open", staticmethod(open_with_fakes))  # noqa: B010
    from chronomem.cli import cli

    cli.main(list(argv), standalone_mode=False)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["--serve-fakes"]:
        _serve_with_fakes(arguments[1:])
        return 0
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.server_load",
        description="N clients searching while one ingests, through chronomem serve.",
    )
    parser.add_argument("--store", required=True, type=Path, help="a fresh memory directory")
    parser.add_argument("--clients", default="1,2,4,8", help="client counts, one step each")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each step")
    parser.add_argument("--preload", type=int, default=500, help="turns ingested first")
    parser.add_argument("--batch", type=int, default=20, help="turns per ingest request")
    parser.add_argument("--fakes", action="store_true", help="hashing embedder, rules extractor")
    args = parser.parse_args(arguments)
    counts = [int(n) for n in args.clients.split(",") if n.strip()]
    if not counts or min(counts) < 1 or max(counts) > 64 or args.seconds > 600:
        parser.error("--clients takes 1-64 clients a step, --seconds at most 600")
    report = run_load(
        args.store,
        clients=counts,
        seconds=args.seconds,
        preload=args.preload,
        batch=args.batch,
        fakes=args.fakes,
    )
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
