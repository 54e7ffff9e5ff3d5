"""State-change scenarios (``tests/data/state_changes.json``) run in-process through the API.

The scenarios use the dialogue format of the shared temporal dev suite (its README gives the
format and the check semantics); this module applies the same semantics to
:meth:`chronomem.Memory.search` results instead of CLI output:

- ``expect``: the substring is in the text of one of the top 3 hits (any kind);
- ``current_fact``: a ``fact`` hit among the top 5 contains it and is current at the reference
  time (``as_of`` if given, else now);
- ``stale_fact``: no ``fact`` hit among the top 5 containing it is current at the reference time;
- ``forbid``: no hit among the top 5 contains it and every hit is of the searched group;
- ``valid_year`` (with ``expect``): the first ``fact`` hit among the top 5 containing the first
  ``expect`` string has a ``valid_at`` in that year.

Matching is case-insensitive. A fact is current at R when ``expired_at`` is None, ``invalid_at``
is None or later than R, and ``valid_at`` is None or not later than R.

Command line, per-category pass rates on the real extractor and embedder::

    python -m tests.state_cases [--only GLOB[,GLOB]] [--category C] [--verbose] [--failing]
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from chronomem import Memory
from chronomem.engine.embed import Embedder
from chronomem.ingest.extract.protocol import Extractor
from chronomem.schema import SearchResult
from chronomem.schema.time import parse_time, utcnow

__all__ = [
    "ASSERTIONS",
    "DATA",
    "LIMIT",
    "TOP_EXPECT",
    "CheckOutcome",
    "Scenario",
    "ScenarioOutcome",
    "evaluate",
    "is_current",
    "load_scenarios",
    "run_scenario",
    "select",
]

DATA = Path(__file__).resolve().parent / "data" / "state_changes.json"
LIMIT = 5
"""Hits asked for per check; ``current_fact``, ``stale_fact`` and ``forbid`` look at all."""
TOP_EXPECT = 3
"""``expect`` looks at this many hits."""
ASSERTIONS = ("expect", "current_fact", "stale_fact", "forbid", "valid_year")

Scenario = dict[str, Any]
Check = dict[str, Any]


@dataclass(frozen=True)
class CheckOutcome:
    """One check of a scenario: passed when every assertion holds; ``reasons`` say why not."""

    scenario: str
    index: int
    query: str
    as_of: str | None
    reasons: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.reasons


@dataclass
class ScenarioOutcome:
    """The outcome of every check of one scenario."""

    name: str
    category: str
    checks: list[CheckOutcome] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    def failures(self) -> list[CheckOutcome]:
        return [check for check in self.checks if not check.passed]

    def describe(self) -> str:
        """The failing checks with their reasons, one per line."""
        lines = []
        for check in self.failures():
            when = f" as_of={check.as_of}" if check.as_of else ""
            lines.append(f"{self.name} check {check.index}: {check.query!r}{when}")
            lines.extend(f"    {reason}" for reason in check.reasons)
        return "\n".join(lines)


def load_scenarios(path: Path = DATA) -> list[Scenario]:
    """The scenarios of ``path`` (a JSON list of dialogue scenarios)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a JSON list of scenarios")
    return data


def select(
    scenarios: Iterable[Scenario],
    only: Sequence[str] = (),
    categories: Sequence[str] = (),
) -> list[Scenario]:
    """The scenarios whose name matches one of the globs ``only`` (all when empty) and whose
    category is one of ``categories`` (all when empty)."""
    globs = [g.strip() for pattern in only for g in pattern.split(",") if g.strip()]
    return [
        s
        for s in scenarios
        if (not globs or any(fnmatch.fnmatchcase(s["name"], g) for g in globs))
        and (not categories or s["category"] in categories)
    ]


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def _contains(text: str, needle: str) -> bool:
    return needle.lower() in text.lower()


def is_current(hit: SearchResult, reference: datetime) -> bool:
    """Whether a fact hit holds at ``reference`` and is still believed."""
    if hit.expired_at is not None:
        return False
    if hit.invalid_at is not None and hit.invalid_at <= reference:
        return False
    return hit.valid_at is None or hit.valid_at <= reference


def _short(hit: SearchResult) -> str:
    text = hit.text if len(hit.text) <= 100 else hit.text[:97] + "..."
    out = f"[{hit.kind}] {text!r}"
    if hit.kind == "fact":
        valid = hit.valid_at.isoformat() if hit.valid_at else None
        invalid = hit.invalid_at.isoformat() if hit.invalid_at else None
        out += f" valid_at={valid} invalid_at={invalid}"
        if hit.expired_at is not None:
            out += " expired"
    return out


def _listing(hits: Sequence[SearchResult]) -> str:
    return "; ".join(_short(h) for h in hits) or "nothing came back"


def evaluate(
    check: Check, hits: Sequence[SearchResult], group: str, now: datetime
) -> tuple[str, ...]:
    """The failed assertions of ``check`` against ``hits`` (best first), as messages."""
    reference = parse_time(check["as_of"], field="as_of") if "as_of" in check else now
    assert reference is not None
    top = list(hits[:TOP_EXPECT])
    window = list(hits[:LIMIT])
    facts = [h for h in window if h.kind == "fact"]
    reasons: list[str] = []
    for value in _as_list(check.get("expect")):
        if not any(_contains(h.text, value) for h in top):
            reasons.append(f"expect: {value!r} not in the top {TOP_EXPECT}: {_listing(top)}")
    for value in _as_list(check.get("current_fact")):
        candidates = [h for h in facts if _contains(h.text, value)]
        if not candidates:
            reasons.append(f"current_fact: no fact hit contains {value!r}: {_listing(window)}")
        elif not any(is_current(h, reference) for h in candidates):
            reasons.append(
                f"current_fact: fact hits with {value!r} are not current: {_listing(candidates)}"
            )
    for value in _as_list(check.get("stale_fact")):
        bad = [h for h in facts if _contains(h.text, value) and is_current(h, reference)]
        if bad:
            reasons.append(f"stale_fact: a fact with {value!r} is still current: {_listing(bad)}")
    for value in _as_list(check.get("forbid")):
        bad = [h for h in window if _contains(h.text, value)]
        alien = [h for h in window if h.group_id != group]
        if bad or alien:
            reasons.append(
                f"forbid: {value!r} came back or another group leaked: {_listing(window)}"
            )
    if "valid_year" in check:
        needle = _as_list(check.get("expect"))[0]
        want = str(check["valid_year"])
        match = [h for h in facts if _contains(h.text, needle)]
        if not match:
            reasons.append(f"valid_year: no fact hit contains {needle!r}")
        elif match[0].valid_at is None or not match[0].valid_at.isoformat().startswith(want):
            reasons.append(f"valid_year: not in {want}: {_short(match[0])}")
    return tuple(reasons)


def _turns(scenario: Scenario, turns: Sequence[dict[str, Any]], tag: str) -> list[dict[str, Any]]:
    out = []
    for i, turn in enumerate(turns):
        turn = dict(turn)
        if scenario.get("ingest") == "per_turn":
            turn.setdefault("id", f"{tag}-t{i}")
        out.append(turn)
    return out


def _ingest(mem: Memory, scenario: Scenario, group: str, turns: list[dict[str, Any]]) -> None:
    if scenario.get("ingest") == "per_turn":
        for turn in turns:  # one call per turn, in file order (out-of-order arrival)
            mem.add_dialogue([turn], group_id=group)
    else:
        mem.add_dialogue(turns, group_id=group)


def run_scenario(
    scenario: Scenario,
    *,
    embedder: Embedder,
    extractor: Extractor | None = None,
    now: datetime | None = None,
) -> ScenarioOutcome:
    """Ingest one scenario into a fresh in-memory store and run its checks."""
    now = now or utcnow()
    outcome = ScenarioOutcome(scenario["name"], scenario["category"])
    with Memory.open("memory://", embedder=embedder, extractor=extractor) as mem:
        group = scenario["group"]
        _ingest(mem, scenario, group, _turns(scenario, scenario["turns"], scenario["name"]))
        for other in scenario.get("other_groups", []):
            tag = f"{scenario['name']}-{other['group']}"
            _ingest(mem, scenario, other["group"], _turns(scenario, other["turns"], tag))
        for index, check in enumerate(scenario["checks"]):
            searched = check.get("group", group)
            hits = mem.search(
                check["query"], group_id=searched, limit=LIMIT, as_of=check.get("as_of")
            )
            outcome.checks.append(
                CheckOutcome(
                    scenario["name"],
                    index,
                    check["query"],
                    check.get("as_of"),
                    evaluate(check, hits, searched, now),
                )
            )
    return outcome


def run_all(
    scenarios: Iterable[Scenario],
    *,
    embedder: Embedder,
    extractor: Extractor | None = None,
    progress: Callable[[ScenarioOutcome], None] | None = None,
) -> list[ScenarioOutcome]:
    """Every scenario, one fresh memory each, with one embedder and extractor for all."""
    now = utcnow()
    outcomes = []
    for scenario in scenarios:
        outcome = run_scenario(scenario, embedder=embedder, extractor=extractor, now=now)
        if progress is not None:
            progress(outcome)
        outcomes.append(outcome)
    return outcomes


def summary(outcomes: Sequence[ScenarioOutcome]) -> str:
    """Per category: checks passed/total and scenarios passed whole; then ``passed N/M``."""
    checks: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    whole: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for outcome in outcomes:
        checks[outcome.category][0] += sum(c.passed for c in outcome.checks)
        checks[outcome.category][1] += len(outcome.checks)
        whole[outcome.category][0] += outcome.passed
        whole[outcome.category][1] += 1
    width = max((len(c) for c in checks), default=8)
    lines = [f"{'category':<{width}}  checks      scenarios"]
    for category in sorted(checks):
        ok, total = checks[category]
        sok, stotal = whole[category]
        rate = 100 * ok / total
        lines.append(f"{category:<{width}}  {ok:>3}/{total:<3} {rate:5.1f}%  {sok:>3}/{stotal:<3}")
    for label, with_as_of in (("checks at now", False), ("checks with as_of", True)):
        chosen = [c for o in outcomes for c in o.checks if (c.as_of is not None) == with_as_of]
        lines.append(f"{label}: {sum(c.passed for c in chosen)}/{len(chosen)}")
    passed = sum(v[0] for v in checks.values())
    total = sum(v[1] for v in checks.values())
    spassed = sum(v[0] for v in whole.values())
    lines.append(f"scenarios passed whole: {spassed}/{len(outcomes)}")
    lines.append(f"passed {passed}/{total}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.state_cases",
        description="Run the state-change scenarios with the real extractor and embedder.",
    )
    parser.add_argument("--only", action="append", default=[], help="scenario name glob(s)")
    parser.add_argument("--category", action="append", default=[], help="only this category")
    parser.add_argument("--data", type=Path, default=DATA, help="scenario file")
    parser.add_argument("--verbose", action="store_true", help="print every failing check")
    parser.add_argument(
        "--failing",
        action="store_true",
        help="list the names of the scenarios with a failing check (for KNOWN_FAILURES)",
    )
    args = parser.parse_args(argv)
    from chronomem.engine.embed import default_embedder
    from chronomem.ingest.extract import SpacyExtractor

    scenarios = select(load_scenarios(args.data), args.only, args.category)
    started = time.monotonic()

    def show(outcome: ScenarioOutcome) -> None:
        if args.verbose and not outcome.passed:
            print(outcome.describe(), flush=True)

    outcomes = run_all(
        scenarios, embedder=default_embedder(), extractor=SpacyExtractor(), progress=show
    )
    if args.failing:
        print("\n".join(o.name for o in outcomes if not o.passed))
    print(summary(outcomes))
    print(f"({time.monotonic() - started:.0f} s)", file=sys.stderr)
    return 0 if all(o.passed for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
