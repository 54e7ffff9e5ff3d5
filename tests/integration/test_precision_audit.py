"""The precision audit (tests/data/precision_audit.json): 200 facts judged by hand.

The fixture holds a sample of fact rows drawn at random from the LoCoMo development split after
ingestion with the offline extractor (``benchmarks/precision_audit.py``, seed and command
recorded in the file), the source turns of each, and a verdict on four criteria. These tests
check the fixture's shape and recompute the figures it records from the verdicts, so the
precision quoted in docs/benchmarks.md can be re-checked. They do not re-run the extractor: a
new extractor needs a new sample and new verdicts.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "precision_audit.json"
CRITERIA = ("well_formed", "true_to_turn", "right_relation", "right_dates")


@pytest.fixture(scope="module")
def audit() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


def test_sample_has_200_distinct_facts_with_their_turns(audit: dict[str, Any]) -> None:
    sample = audit["sample"]
    assert len(sample) == 200
    indices = [item["index"] for item in sample]
    assert len(set(indices)) == 200
    assert all(0 <= i < audit["population"] for i in indices)
    assert isinstance(audit["seed"], int)
    assert audit["extractor_commit"]
    assert audit["command"]
    for item in sample:
        for key in ("subject", "relation", "object", "fact"):
            assert item[key], f"item {item['index']} has no {key}"
        assert item["turns"], f"item {item['index']} has no source turn"
        for turn in item["turns"]:
            for key in ("dia_id", "speaker", "text", "session_time"):
                assert turn[key], f"item {item['index']}: a turn has no {key}"


def test_every_verdict_follows_from_its_four_criteria(audit: dict[str, Any]) -> None:
    for item in audit["sample"]:
        verdict = item["verdict"]
        assert all(isinstance(verdict[name], bool) for name in CRITERIA), item["index"]
        assert verdict["correct"] == all(verdict[name] for name in CRITERIA), item["index"]
        if verdict["correct"]:
            assert not verdict["error_kind"], item["index"]
        else:
            assert verdict["note"].strip(), f"item {item['index']} is wrong but has no note"
            assert verdict["error_kind"] in audit["error_kinds"], item["index"]


def test_recorded_precision_and_breakdown_match_the_verdicts(audit: dict[str, Any]) -> None:
    verdicts = [item["verdict"] for item in audit["sample"]]
    correct = sum(v["correct"] for v in verdicts)
    assert audit["correct"] == correct
    assert audit["precision"] == round(correct / len(verdicts), 3)
    assert audit["by_criterion"] == {name: sum(v[name] for v in verdicts) for name in CRITERIA}
    kinds = Counter(v["error_kind"] for v in verdicts if not v["correct"])
    assert audit["error_counts"] == dict(sorted(kinds.items()))
