"""Ingest time of two checkouts, back to back: is a change slower to ingest?

``python -m benchmarks.ingest_ab BEFORE AFTER [--file F] [--conversation 0] [--runs 3]``
ingests one LoCoMo conversation with the default (real) embedder and extractor into a fresh
embedded memory, once per run with each checkout's code, alternating BEFORE and AFTER so that
load from other work on the machine falls on both. Each run is a separate process started with
``PYTHONPATH`` set to that checkout (``BEFORE`` and ``AFTER`` are directories holding a
``chronomem`` package, e.g. a ``git worktree`` of the older commit and this one). The first two
turns are ingested before timing, so model loading is not counted. Prints one line per run
and the ratio of the mean times (AFTER / BEFORE).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["main", "time_one", "turns_of"]

DEFAULT_FILE = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "locomo" / "locomo_dev.json"
)


def turns_of(path: Path, index: int) -> list[dict[str, Any]]:
    """The turns of conversation ``index`` of a LoCoMo file, as ``add_dialogue`` takes them."""
    from chronomem.bench.locomo import read_conversations

    _, conversation = read_conversations(path)[index]
    return [t.model_dump(mode="json", exclude_none=True) for t in conversation.turns]


# Run in the checkout's own process: imports only chronomem (the checkout's), so the older
# checkout need not have this module.
_CHILD = """
import json, sys, tempfile, time
from pathlib import Path
import chronomem
from chronomem import Memory
turns = json.load(open(sys.argv[1]))
with tempfile.TemporaryDirectory() as directory, Memory.open(Path(directory) / "m") as mem:
    mem.add_dialogue(turns[:2])
    started = time.perf_counter()
    mem.add_dialogue(turns[2:])
    took = time.perf_counter() - started
print(json.dumps({"seconds": took, "code": chronomem.__file__}))
"""


def time_one(tree: Path, turns_file: Path) -> dict[str, Any]:
    """Ingest the turns in ``turns_file`` with the code of checkout ``tree``, in a process of
    its own (the first two turns warm up, untimed): ``{"seconds": s, "code": path}``."""
    env = {**os.environ, "PYTHONPATH": str(tree.resolve())}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(turns_file)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ingest_ab", description=__doc__)
    parser.add_argument("before", type=Path, help="checkout of the older code")
    parser.add_argument("after", type=Path, help="checkout of the newer code")
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="LoCoMo JSON file")
    parser.add_argument("--conversation", type=int, default=0, help="which conversation")
    parser.add_argument("--runs", type=int, default=3, help="runs of each checkout")
    args = parser.parse_args(argv)
    for tree in (args.before, args.after):
        if not (tree / "chronomem" / "__init__.py").is_file():
            parser.error(f"{tree} holds no chronomem package; give a checkout's root directory")
    turns = turns_of(args.file, args.conversation)
    times: dict[str, list[float]] = {"before": [], "after": []}
    with tempfile.TemporaryDirectory() as scratch:
        turns_file = Path(scratch) / "turns.json"
        turns_file.write_text(json.dumps(turns), encoding="utf-8")
        for run in range(1, args.runs + 1):
            for name, tree in (("before", args.before), ("after", args.after)):
                result = time_one(tree, turns_file)
                if not str(result["code"]).startswith(str(tree.resolve())):
                    raise SystemExit(f"run used {result['code']}, not the code in {tree}")
                times[name].append(result["seconds"])
                print(f"run {run} {name}: {len(turns) - 2} turns in {result['seconds']:.2f} s")
    before = sum(times["before"]) / len(times["before"])
    after = sum(times["after"]) / len(times["after"])
    print(f"mean before {before:.2f} s, after {after:.2f} s: after/before {after / before:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
