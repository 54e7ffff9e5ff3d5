"""Extraction throughput: turns per second of an extractor on a dialogue file.

``python -m benchmarks.extraction FILE`` reads a dialogue file (LoCoMo, JSONL,
LongMemEval; captions become ``[shares a photo: ...]``), extracts every turn in one call after
a warm-up, and prints wall-clock and CPU throughput. CPU throughput (turns per CPU-second of
this process) is the figure to compare on a machine shared with other work.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from chronomem.ingest.extract.protocol import Extractor
from chronomem.schema import Episode

__all__ = ["Throughput", "main", "measure"]


@dataclass(frozen=True, slots=True)
class Throughput:
    """What one timed extraction run produced and how long it took."""

    turns: int
    wall_seconds: float
    cpu_seconds: float
    facts: int
    entities: int
    relations: dict[str, int]

    @property
    def turns_per_second(self) -> float:
        """Turns per wall-clock second."""
        return self.turns / self.wall_seconds if self.wall_seconds > 0 else float("inf")

    @property
    def turns_per_cpu_second(self) -> float:
        """Turns per CPU-second of this process."""
        return self.turns / self.cpu_seconds if self.cpu_seconds > 0 else float("inf")


def measure(extractor: Extractor, episodes: Sequence[Episode], *, warmup: int = 50) -> Throughput:
    """Time ``extractor.extract(episodes)`` after warming up on the first ``warmup`` turns."""
    extractor.extract(list(episodes[:warmup]))
    wall, cpu = time.perf_counter(), time.process_time()
    results = extractor.extract(episodes)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    relations = Counter(fact.relation for x in results for fact in x.facts)
    return Throughput(
        turns=len(episodes),
        wall_seconds=wall,
        cpu_seconds=cpu,
        facts=sum(len(x.facts) for x in results),
        entities=sum(len(x.entities) for x in results),
        relations=dict(relations.most_common()),
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; prints a summary (or JSON with ``--json``)."""
    from chronomem.ingest.extract.spacy_extractor import SpacyExtractor
    from chronomem.ingest.sources import read_dialogue

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("file", help="a dialogue file (LoCoMo JSON, JSONL, LongMemEval)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    episodes = [
        episode
        for source in read_dialogue(args.file)
        for episode in source.episodes(group_id="benchmark")
    ]
    result = measure(SpacyExtractor(), episodes)
    if args.json:
        print(json.dumps(_summary(result)))
    else:
        print(
            f"{result.turns} turns: {result.turns_per_second:.0f} turns/s wall "
            f"({result.wall_seconds:.2f} s), {result.turns_per_cpu_second:.0f} turns/s CPU "
            f"({result.cpu_seconds:.2f} s); {result.facts} facts "
            f"({result.facts / max(1, result.turns):.2f}/turn), {result.entities} entity mentions"
        )
    return 0


def _summary(result: Throughput) -> dict[str, object]:
    return {
        "turns": result.turns,
        "wall_seconds": round(result.wall_seconds, 3),
        "cpu_seconds": round(result.cpu_seconds, 3),
        "turns_per_second": round(result.turns_per_second, 1),
        "turns_per_cpu_second": round(result.turns_per_cpu_second, 1),
        "facts": result.facts,
        "entities": result.entities,
        "relations": result.relations,
    }


if __name__ == "__main__":
    sys.exit(main())
