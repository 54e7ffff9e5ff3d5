"""``python -m chronomem.bench BENCHMARK ...``: the benchmarks that have no CLI command.

    python -m chronomem.bench neo4j-scale --store bolt://127.0.0.1:7687 --sizes 10000,100000

(The LoCoMo harness is ``chronomem bench locomo``.)
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from chronomem.bench import neo4j_scale

BENCHMARKS = {"neo4j-scale": neo4j_scale.main}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark named by the first argument with the others."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in BENCHMARKS:
        names = ", ".join(BENCHMARKS)
        print(
            f"usage: python -m chronomem.bench {{{names}}} [options] (--help after a name)",
            file=sys.stderr,
        )
        return 2
    return BENCHMARKS[args[0]](args[1:], prog=f"python -m chronomem.bench {args[0]}")


if __name__ == "__main__":
    sys.exit(main())
