"""Issue 17's attack run, what was a traceback or a silent surprise and is now a clear error
or an explicit, documented behaviour, on every backend. docs/reliability.md ("attack classes:
what happens now") names these tests; keep it true."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from chronomem.errors import InputError, TimeError
from chronomem.ingest.extract.protocol import Extractor
from tests.reliability.conftest import BACKENDS, open_memory, run_prefix

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    ("time", "words"),
    [
        ("0001-01-01T00:00:00+05:00", "outside years 1-9999 once converted to UTC"),
        ("9999-12-31T23:30:00-01:00", "outside years 1-9999 once converted to UTC"),
        (datetime(2024, 3, 31, 2, 30, tzinfo=BERLIN), "does not exist in time zone Europe/Berlin"),
    ],
    ids=["before-year-1", "after-year-9999", "dst-gap"],
)
def test_times_that_are_no_instant_are_refused_whole(
    backend: str,
    time: datetime | str,
    words: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    spacy_extractor: Extractor,
) -> None:
    group = f"{run_prefix()}-time"
    turns: list[dict[str, object]] = [
        {"speaker": "Ann", "text": "I live in Oslo.", "time": "2024-01-01T00:00:00Z"},
        {"speaker": "Ann", "text": "I moved to Bergen.", "time": time},
    ]
    with open_memory(backend, request, tmp_path / "m", spacy_extractor) as mem:
        with pytest.raises(InputError, match=words):
            mem.add_dialogue(turns, group_id=group)
        with pytest.raises(TimeError, match=words):
            mem.search("Oslo", group_id=group, as_of=time)
        assert mem.stats(group).episodes == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_times_at_the_ends_of_the_range_are_stored_and_read_back(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, spacy_extractor: Extractor
) -> None:
    group = f"{run_prefix()}-edge"
    turns: list[dict[str, object]] = [
        {"speaker": "Ann", "text": "I live in Oslo.", "time": "0001-01-01T05:00:00+05:00"},
        {"speaker": "Ann", "text": "I moved to Bergen.", "time": "9999-12-31T22:00:00-01:00"},
        # the hour clocks repeat in autumn exists (twice): accepted
        {
            "speaker": "Ann",
            "text": "I like tea.",
            "time": datetime(2024, 10, 27, 2, 30, tzinfo=BERLIN),
        },
    ]
    with open_memory(backend, request, tmp_path / "m", spacy_extractor) as mem:
        assert mem.add_dialogue(turns, group_id=group).episodes_added == 3
        years = sorted(r.valid_at.year for r in mem.history("Ann", group_id=group) if r.valid_at)
        assert years[0] == 1
        assert years[-1] == 9999
