"""Which LoCoMo questions moved between two versions of the code: recall@10 per question.

``python -m benchmarks.locomo_questions STORE --out FILE`` asks every question of categories 1-4
of the LoCoMo development split of a store made by ``chronomem ingest dialogue <file> --format
locomo --store STORE`` (one group per conversation, ``locomo:<sample id>``) and writes each
question's recall@10 and its top ten hits. ``--compare BEFORE.json AFTER.json`` prints the
questions whose recall changed and the sum of the changes. Run the first form with each
version's code on the path and on a store that version ingested. The absolute figure differs a
little from ``chronomem bench locomo`` (one store for all conversations instead of one each);
the per-question differences are what to read.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from chronomem.bench.locomo import BENCH_KINDS, load_questions, read_conversations
from chronomem.bench.metrics import recall_at_k
from chronomem.config import config_from_env
from chronomem.memory import Memory

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "shared/data/locomo/locomo_dev.json"
K = 10


def ask(store: Path, file: Path) -> dict[str, tuple[str, float, list[str]]]:
    """question id -> (question, recall@10, texts of the top ten hits)."""
    found: dict[str, tuple[str, float, list[str]]] = {}
    with Memory.open(store, config=config_from_env(), read_only=True) as memory:
        for item, _conversation in read_conversations(file):
            sample = str(item.get("sample_id"))
            for index, question in enumerate(load_questions(item, (1, 2, 3, 4))):
                hits = memory.search(
                    question.question, group_id=f"locomo:{sample}", limit=K, kinds=BENCH_KINDS
                )
                recall = recall_at_k(question.evidence, [h.sources for h in hits], K)
                found[f"{sample}#{index}"] = (question.question, recall, [h.text for h in hits])
    return found


def compare(before: Path, after: Path) -> list[str]:
    """Lines for the questions whose recall@10 differs, then the total change."""
    old = json.loads(before.read_text(encoding="utf-8"))
    new = json.loads(after.read_text(encoding="utf-8"))
    lines: list[str] = []
    total = 0.0
    for key, (question, recall, _hits) in old.items():
        now = new[key][1]
        if abs(now - recall) > 1e-9:
            total += now - recall
            lines.append(f"{key} {recall:.2f} -> {now:.2f} {question}")
    lines.append(f"{len(lines)} of {len(old)} questions moved; sum of changes {total:+.3f}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", nargs="?", type=Path, help="a store of the ingested split")
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="the LoCoMo JSON file")
    parser.add_argument("--out", type=Path, help="where to write the per-question figures")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        print("\n".join(compare(*args.compare)))
        return
    if args.store is None or args.out is None:
        parser.error("give STORE and --out, or --compare BEFORE AFTER")
    found = ask(args.store, args.file)
    args.out.write_text(json.dumps(found), encoding="utf-8")
    mean = sum(r for _q, r, _h in found.values()) / len(found)
    print(f"{len(found)} questions, mean recall@{K} {mean:.4f}")


if __name__ == "__main__":
    main()
