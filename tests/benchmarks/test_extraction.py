"""The extraction throughput measurement."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.extraction import main, measure
from chronomem.ingest.extract.protocol import Extractor
from tests.unit.ingest.extract.dialogues import episodes_of

pytestmark = pytest.mark.model


def test_measure_counts_turns_and_facts(spacy_extractor: Extractor) -> None:
    episodes = episodes_of(["Ann: I live in Boston.", "Bob: I work at Google."] * 5)
    result = measure(spacy_extractor, episodes, warmup=2)
    assert result.turns == 10
    assert result.facts == 10
    assert result.relations == {"LIVES_IN": 5, "WORKS_AT": 5}
    assert result.turns_per_second > 0
    assert result.turns_per_cpu_second > 0


def test_command_line_prints_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], spacy_extractor: Extractor
) -> None:
    path = tmp_path / "chat.jsonl"
    lines = [
        {"speaker": "Ann", "text": "I moved to Berlin.", "time": "2024-01-01T10:00:00Z"},
        {"speaker": "Bob", "text": "Nice!", "time": "2024-01-01T10:01:00Z"},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    assert main([str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["turns"] == 2
    assert out["relations"] == {"LIVES_IN": 1}
