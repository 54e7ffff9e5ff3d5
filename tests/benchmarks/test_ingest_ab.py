"""The ingest A/B benchmark: its input and its refusal of a directory that is no checkout."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from benchmarks.ingest_ab import main, turns_of

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "sources" / "locomo_mini.json"


def test_turns_of_a_locomo_conversation_are_what_add_dialogue_takes() -> None:
    turns = turns_of(MINI, 0)
    assert turns
    assert all({"speaker", "text", "time"} <= set(t) for t in turns)
    assert all(datetime.fromisoformat(t["time"]).tzinfo is not None for t in turns)


def test_a_directory_without_chronomem_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as refused:
        main([str(tmp_path), str(tmp_path), "--file", str(MINI)])
    assert refused.value.code == 2
