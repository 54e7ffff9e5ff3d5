"""The same input gives the same memory and the same answers in every run, whatever Python's
string hash seed (which orders sets) and whatever the random uuids of the rows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

_SCRIPT = r"""
import json, sys
from chronomem.demo import DEMO_TURNS
from chronomem.engine.embed import HashingEmbedder
from chronomem.memory import Memory
from chronomem.engine.store import FactFilter

with Memory.open(sys.argv[1], embedder=HashingEmbedder()) as mem:
    mem.add_dialogue(DEMO_TURNS, group_id="demo", source="demo")
    names = {e.uuid: e.name for e in mem.store.find_entities("demo")}
    rows = [
        [f.fact, f.relation, names[f.subject_uuid], names[f.object_uuid], str(f.valid_at),
         str(f.invalid_at), f.expired_at is None]
        for f in mem.store.list_facts("demo", FactFilter())
    ]
    answers = [
        [[r.kind, r.text, sorted(r.sources), round(r.score, 9)]
         for r in mem.search(q, group_id="demo")]
        for q in ("Where does Alice live?", "Who works at Globex?", "What did Bob start playing?",
                  "When did Alice move to Berlin?")
    ]
print(json.dumps({"facts": rows, "answers": answers}))
"""


def _run(tmp_path: Path, seed: str) -> dict[str, object]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(tmp_path / f"memory-{seed}")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_two_runs_with_different_hash_seeds_store_and_answer_alike(tmp_path: Path) -> None:
    first, second = _run(tmp_path, "1"), _run(tmp_path, "2")
    assert first["facts"], "the demo should give facts"
    assert first["facts"] == second["facts"]  # same rows, in the same order
    assert first["answers"] == second["answers"]
