"""Draw the sample of a precision audit: fact rows picked at random from an ingested memory.

``python -m benchmarks.precision_audit STORE --out FILE [--size 200] [--seed 14]`` opens the
memory at ``STORE`` read-only, lists every fact row the memory believes now (not expired;
current or ended) in every group, and writes ``size`` of them drawn uniformly at random with
``seed``, each with its subject, relation, object, statement, validity and the turns it was
extracted from (speaker, time, text). The verdicts are then given by hand, one per item, and
kept beside the sample (``tests/data/precision_audit.json``).

Rows are listed group by group (groups sorted by id) in the store's own order (``valid_at``
then creation); ingesting the same file with the same extractor gives the same list, so the
same seed draws the same facts.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from chronomem.engine.store.protocol import FactFilter, GraphStore
from chronomem.schema import Fact

__all__ = ["draw", "main"]


def _listed(store: GraphStore) -> list[Fact]:
    facts: list[Fact] = []
    for group in sorted(store.groups()):
        facts.extend(store.list_facts(group, FactFilter(), vectors=False))
    return facts


def _item(store: GraphStore, fact: Fact) -> dict[str, Any]:
    ends = {
        e.uuid: e.name
        for e in store.get_entities(
            fact.group_id, [fact.subject_uuid, fact.object_uuid], vectors=False
        )
    }
    episodes = sorted(
        store.get_episodes(fact.group_id, fact.episodes, vectors=False),
        key=lambda ep: (ep.reference_time, ep.source_id),
    )
    return {
        "group": fact.group_id,
        "subject": ends.get(fact.subject_uuid, ""),
        "relation": fact.relation,
        "object": ends.get(fact.object_uuid, ""),
        "fact": fact.fact,
        "valid_at": fact.valid_at.isoformat() if fact.valid_at else None,
        "invalid_at": fact.invalid_at.isoformat() if fact.invalid_at else None,
        "turns": [
            {
                "dia_id": ep.source_id,
                "speaker": ep.speaker,
                "session_time": ep.reference_time.isoformat(),
                "text": ep.content,
            }
            for ep in episodes
        ],
    }


def draw(store: GraphStore, size: int, seed: int) -> list[dict[str, Any]]:
    """``size`` fact rows (not expired) drawn uniformly at random with ``seed``, in list order."""
    facts = _listed(store)
    picked = sorted(random.Random(seed).sample(range(len(facts)), min(size, len(facts))))
    return [{"index": i, **_item(store, facts[i])} for i in picked]


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    from chronomem.memory import Memory

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("store", type=Path, help="directory of an ingested embedded memory")
    parser.add_argument("--out", type=Path, required=True, help="JSON file to write")
    parser.add_argument("--size", type=int, default=200)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args(argv)
    with Memory.open(args.store, read_only=True) as memory:
        population = len(_listed(memory.store))
        sample = draw(memory.store, args.size, args.seed)
    payload = {"seed": args.seed, "population": population, "sample": sample}
    args.out.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(sample)} of {population} facts written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
