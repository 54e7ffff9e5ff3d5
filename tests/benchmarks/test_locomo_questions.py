"""benchmarks.locomo_questions: the per-question comparison of two runs."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.locomo_questions import compare


def test_only_moved_questions_are_listed_with_the_total(tmp_path: Path) -> None:
    before, after = tmp_path / "a.json", tmp_path / "b.json"
    before.write_text(json.dumps({"c#0": ["Q0", 1.0, []], "c#1": ["Q1", 0.5, []]}))
    after.write_text(json.dumps({"c#0": ["Q0", 0.5, []], "c#1": ["Q1", 0.5, []]}))
    lines = compare(before, after)
    assert lines == ["c#0 1.00 -> 0.50 Q0", "1 of 2 questions moved; sum of changes -0.500"]
